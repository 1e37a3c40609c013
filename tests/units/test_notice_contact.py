"""公示与监督 on the admin's unit form: the notice contact (监督电话, 受理联系人, 联系电话, 通讯地址)
is validated, audited, and only the admin may change it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.units.models import Unit
from tests.conftest import fresh
from tests.factories import make_unit, make_user

CONTACT = {"supervision_phone": "010-66667777-123", "contact_person": "贾受理", "contact_phone": "(010) 6666 8888",
           "address": "江州市人民路 88 号（100031）"}


@pytest.fixture
async def admin(browser, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    return browser


def _form(unit: Unit, **contact: str) -> dict[str, str]:
    return {"name": unit.name, "code": unit.code, "parent_id": ""} | CONTACT | contact


async def _unit_updates(db) -> int:
    return await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "unit.update"))


async def test_admin_sets_the_notice_contact_and_the_change_is_audited(admin, db):
    unit = await make_unit(db, "江州市科学技术局")
    await db.commit()
    page = await admin.get(f"/admin/units/{unit.id}")
    assert page.status_code == 200 and "公示与监督" in page.text and 'name="supervision_phone"' in page.text

    saved = await admin.post(f"/admin/units/{unit.id}", _form(unit))

    assert saved.status_code == 303
    await fresh(db)
    stored = await db.get(Unit, unit.id)
    assert (stored.supervision_phone, stored.contact_person, stored.contact_phone, stored.address) == (
        "010-66667777-123", "贾受理", "(010) 6666 8888", "江州市人民路 88 号（100031）")
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "unit.update"))
    changes = json.loads(event.summary)["changes"]
    assert changes["supervision_phone"] == {"before": "", "after": "010-66667777-123"}
    assert changes["contact_person"]["after"] == "贾受理" and "code" not in changes
    shown = await admin.get(f"/admin/units/{unit.id}")
    assert 'value="010-66667777-123"' in shown.text and 'value="贾受理"' in shown.text
    # cleared again: nothing is required
    cleared = await admin.post(f"/admin/units/{unit.id}", _form(unit, supervision_phone="", contact_person="",
                                                                contact_phone="", address=""))
    assert cleared.status_code == 303
    await fresh(db)
    assert not (await db.get(Unit, unit.id)).has_notice_contact
    assert await _unit_updates(db) == 2


CONTACT_BAD = [
    ({"supervision_phone": "010-6666abcd"}, "supervision_phone", "电话号码只能包含数字"),
    ({"supervision_phone": "-- ()"}, "supervision_phone", "电话号码只能包含数字"),
    ({"contact_phone": "1" * 33}, "contact_phone", "最多 32 个字符"),
    ({"contact_phone": "010<script>"}, "contact_phone", "电话号码只能包含数字"),
    ({"contact_person": "贾" * 51}, "contact_person", "最多 50 个字符"),
    ({"contact_person": "<b>贾</b>"}, "contact_person", "尖括号"),
    ({"address": "路" * 201}, "address", "最多 200 个字符"),
    ({"address": "人民路\r\n88 号"}, "address", "控制字符"),
]


@pytest.mark.parametrize(("change", "field", "message"), CONTACT_BAD, ids=[f for _c, f, _m in CONTACT_BAD])
async def test_bad_contact_is_refused_with_a_message_the_form_filled_and_nothing_changed(admin, db, change, field,
                                                                                        message):
    unit = await make_unit(db, "江州市数据局")
    unit.supervision_phone = "010-12345678"
    await db.commit()

    response = await admin.post(f"/admin/units/{unit.id}", _form(unit, **change))

    assert response.status_code == 400
    assert message in response.text and f'id="{field}-error"' in response.text
    for key, value in (CONTACT | change).items():
        if key != field:
            assert f'value="{value}"' in response.text, key  # the rest comes back as typed
    assert "<script>" not in response.text and "<b>贾</b>" not in response.text
    await fresh(db)
    stored = await db.get(Unit, unit.id)
    assert (stored.supervision_phone, stored.contact_person, stored.address) == ("010-12345678", "", "")
    assert await _unit_updates(db) == 0


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.INSPECTOR, Role.EXPERT, Role.CADRE, None],
                         ids=lambda r: r.value if r else "anonymous")
async def test_only_the_admin_may_change_the_notice_contact(browser, db, role):
    unit = await make_unit(db, "江州市农业农村局")
    if role is not None:
        await make_user(db, "someone", role)
    await db.commit()
    if role is not None:
        await browser.login("someone")

    page = await browser.get(f"/admin/units/{unit.id}")
    response = await browser.post(f"/admin/units/{unit.id}", _form(unit))

    expected = 303 if role is None else 403  # the anonymous are sent to log in
    assert page.status_code == expected and response.status_code == expected
    if role is None:
        assert "/login" in response.headers["location"]
    await fresh(db)
    assert not (await db.get(Unit, unit.id)).has_notice_contact
    assert await _unit_updates(db) == 0
