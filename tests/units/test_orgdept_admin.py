"""The admin sets up organization departments (组织部门): who may, what is refused, what is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.units.models import OrgDepartment, OrgDepartmentMember
from tests.factories import make_unit, make_user
from tests.units.orgdept_factories import make_department


@pytest.fixture
async def admin(browser, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    return browser


def form(unit_id: int, **changes: str) -> dict[str, str]:
    return {"name": "中共江州市委组织部", "unit_id": str(unit_id), "supervision_phone": "0790-12380",
            "contact_person": "王干事", "contact_phone": "0790-6666777", "address": "江州市人民路 1 号",
            "hearing_days": "5", "publicity_days": "7", "members": ""} | changes


async def events(db, action: str) -> int:
    return int(await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.INSPECTOR, Role.ORG_DEPT, Role.EXPERT, Role.CADRE, None],
                         ids=lambda r: r.value if r else "anonymous")
async def test_only_admins_open_or_change_departments(browser, db, role):
    city = await make_unit(db, "江州市")
    department = await make_department(db, city)
    if role is not None:
        await make_user(db, "someone", role)
    await db.commit()
    if role is not None:
        await browser.login("someone")
    expected = (303,) if role is None else (403, 404)
    for page in ("/admin/org-departments", "/admin/org-departments/new", f"/admin/org-departments/{department.id}",
                 "/admin/records/uncovered"):
        assert (await browser.get(page)).status_code in expected, page
    for page in ("/admin/org-departments/new", f"/admin/org-departments/{department.id}", "/admin/records/uncovered"):
        assert (await browser.post(page, form(city.id, name="改名"))).status_code in expected, page
    await db.refresh(department)
    assert department.name != "改名" and await events(db, "org_department.update") == 0


async def test_admin_creates_a_department_with_members_and_it_is_audited(admin, db):
    city = await make_unit(db, "江州市")
    member = await make_user(db, "orgdept", Role.ORG_DEPT, name="组工干部")
    await db.commit()
    page = await admin.get("/admin/org-departments/new")
    assert page.status_code == 200 and "江州市" in page.text and "orgdept" in page.text  # the role's holders
    response = await admin.post("/admin/org-departments/new", form(city.id, members="orgdept\n"))
    assert response.status_code == 303, response.text
    department = await db.scalar(select(OrgDepartment))
    assert department is not None and department.unit_id == city.id and department.publicity_days == 7
    assert department.supervision_phone == "0790-12380" and department.contact_person == "王干事"
    assert await db.scalar(select(OrgDepartmentMember.user_id)) == member.id
    assert await events(db, "org_department.create") == 1
    listing = await admin.get("/admin/org-departments")
    assert "中共江州市委组织部" in listing.text and "组工干部" in listing.text
    assert f'href="/admin/org-departments/{department.id}"' in listing.text


async def test_admin_edits_a_department_and_members_change(admin, db):
    city = await make_unit(db, "江州市")
    district = await make_unit(db, "青山区", parent=city)
    old = await make_user(db, "old", Role.ORG_DEPT)
    await make_user(db, "new", Role.ORG_DEPT)
    department = await make_department(db, city, old, name="市委组织部")
    await db.commit()
    page = await admin.get(f"/admin/org-departments/{department.id}")
    assert page.status_code == 200 and "市委组织部" in page.text and ">old</textarea>" in page.text
    response = await admin.post(f"/admin/org-departments/{department.id}",
                                form(district.id, name="区委组织部", members="new", hearing_days="10"))
    assert response.status_code == 303, response.text
    await db.refresh(department)
    assert (department.name, department.unit_id, department.hearing_days) == ("区委组织部", district.id, 10)
    members = (await db.scalars(select(OrgDepartmentMember.user_id))).all()
    assert len(members) == 1 and members[0] != old.id
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "org_department.update"))
    assert event is not None and "区委组织部" in event.summary and "old" in event.summary


async def test_saving_unchanged_writes_no_event(admin, db):
    city = await make_unit(db, "江州市")
    department = await make_department(db, city, name="中共江州市委组织部")
    department.supervision_phone, department.contact_person = "0790-12380", "王干事"
    department.contact_phone, department.address, department.publicity_days = "0790-6666777", "江州市人民路 1 号", 7
    await db.commit()
    assert (await admin.post(f"/admin/org-departments/{department.id}", form(city.id))).status_code == 303
    assert await events(db, "org_department.update") == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "请填写名称"),
    ({"unit_id": ""}, "unit_id", "请选择根单位"),
    ({"unit_id": "abc"}, "unit_id", "所选单位不存在"),
    ({"unit_id": "999999"}, "unit_id", "所选单位不存在"),
    ({"hearing_days": "0"}, "hearing_days", "陈述申辩期不能小于 1"),
    ({"publicity_days": "31"}, "publicity_days", "公示期不能大于 30"),
    ({"publicity_days": "五"}, "publicity_days", "公示期必须是整数"),
    ({"supervision_phone": "call me"}, "supervision_phone", "电话号码只能包含数字"),
    ({"address": "<script>"}, "address", "不能包含尖括号"),
    ({"members": "nobody"}, "members", "这些账号不存在：nobody"),
    ({"members": "plain"}, "members", "这些账号没有“组织部门”角色：plain"),
])
async def test_bad_input_comes_back_with_the_form_filled_in(admin, db, changes, field, message):
    city = await make_unit(db, "江州市")
    await make_user(db, "plain", Role.ORGANIZER)
    await db.commit()
    response = await admin.post("/admin/org-departments/new", form(city.id) | changes)
    assert response.status_code == 400
    assert message in response.text and f'id="{field}-error"' in response.text
    assert "王干事" in response.text  # the other fields kept
    assert await db.scalar(select(func.count()).select_from(OrgDepartment)) == 0
    assert await events(db, "org_department.create") == 0


async def test_a_unit_roots_only_one_department_and_names_are_unique(admin, db):
    city = await make_unit(db, "江州市")
    county = await make_unit(db, "青山县", parent=city)
    await make_department(db, city, name="市委组织部")
    await db.commit()
    same_root = await admin.post("/admin/org-departments/new", form(city.id, name="另一个组织部"))
    assert same_root.status_code == 400 and "已是组织部门“市委组织部”的根单位" in same_root.text
    same_name = await admin.post("/admin/org-departments/new", form(county.id, name="市委组织部"))
    assert same_name.status_code == 400 and "已有名为“市委组织部”的组织部门" in same_name.text
    assert (await admin.post("/admin/org-departments/new", form(county.id, name="县委组织部"))).status_code == 303
    assert await db.scalar(select(func.count()).select_from(OrgDepartment)) == 2


async def test_an_unknown_department_is_not_found(admin, db):
    assert (await admin.get("/admin/org-departments/999999")).status_code == 404
    assert (await admin.post("/admin/org-departments/999999", form(1))).status_code == 404


async def test_the_account_page_offers_the_org_dept_role(admin, db):
    user = await make_user(db, "someone", Role.CADRE)
    await db.commit()
    page = await admin.get(f"/admin/users/{user.id}")
    assert 'value="org_dept"' in page.text and "组织部门" in page.text
