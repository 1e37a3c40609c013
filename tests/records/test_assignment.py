"""Records no 组织部门 covers wait for the admin; a department set up for their unit takes them
(records.assignment), and the home page tells the admin and the department what waits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.errors import PermissionDenied
from arena.records.assignment import assign_departments
from arena.records.models import ObjectionStatus, Record, RecordObjection, RecordStatus, RecordType
from tests.factories import make_cadre, make_unit, make_user, person
from tests.units.orgdept_factories import make_department, make_record


@pytest.fixture
async def admin(browser, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    return browser


async def department_of(db, record_id: int) -> int | None:
    await db.rollback()  # a fresh snapshot
    return await db.scalar(select(Record.org_department_id).where(Record.id == record_id))


async def test_a_department_set_up_for_the_unit_takes_the_waiting_record(admin, db, clock):
    city = await make_unit(db, "江州市")
    district = await make_unit(db, "青山区", parent=city)
    elsewhere = await make_unit(db, "外市")
    cadre = await make_cadre(db, district, name="周敏")
    waiting = await make_record(db, cadre, clock.now(), title="数字乡村平台")
    heard = await make_record(db, cadre, clock.now(), status=RecordStatus.HEARING,
                              record_type=RecordType.ADMONISHMENT)
    decided = await make_record(db, cadre, clock.now(), status=RecordStatus.EFFECTIVE)
    outside = await make_record(db, await make_cadre(db, elsewhere, name="外人"), clock.now())
    waiting_id, heard_id, decided_id, outside_id = waiting.id, heard.id, decided.id, outside.id
    await db.commit()

    home = (await admin.get("/")).text
    assert "3 条结果运用建议没有组织部门审批" in home and 'href="/admin/records/uncovered"' in home
    listing = (await admin.get("/admin/records/uncovered")).text
    assert "周敏" in listing and "青山区" in listing and "数字乡村平台" in listing and "诫勉" in listing
    assert "外人" in listing and "重新匹配组织部门" in listing

    response = await admin.post("/admin/org-departments/new", {
        "name": "市委组织部", "unit_id": str(city.id), "hearing_days": "5", "publicity_days": "5"})
    assert response.status_code == 303, response.text
    department_id = await department_of(db, waiting_id)
    assert department_id is not None
    assert await department_of(db, heard_id) == department_id
    assert await department_of(db, decided_id) is None  # only records still waiting are matched
    assert await department_of(db, outside_id) is None
    events = (await db.scalars(select(AuditEvent).where(AuditEvent.action == "record.assign")
                               .order_by(AuditEvent.id))).all()
    assert [e.object_id for e in events] == [str(waiting_id), str(heard_id)]
    assert json.loads(events[0].summary) == {"department": department_id}

    home = (await admin.get("/")).text
    assert "1 条结果运用建议没有组织部门审批" in home
    listing = (await admin.get("/admin/records/uncovered")).text
    assert "外人" in listing and "周敏" not in listing


async def test_the_nearest_department_takes_the_record(db, clock):
    city = await make_unit(db, "江州市")
    district = await make_unit(db, "青山区", parent=city)
    street = await make_unit(db, "青山街道", parent=district)
    in_city = await make_record(db, await make_cadre(db, city), clock.now())
    in_street = await make_record(db, await make_cadre(db, street), clock.now())
    city_dept = await make_department(db, city)
    district_dept = await make_department(db, district)
    admin = await make_user(db, "adm", Role.ADMIN)
    expected = {in_city.id: city_dept.id, in_street.id: district_dept.id}
    assert await assign_departments(db, clock, person(admin.id, Role.ADMIN)) == 2
    await db.commit()
    assert {record_id: await department_of(db, record_id) for record_id in expected} == expected


async def test_the_button_matches_records_again(admin, db, clock):
    unit = await make_unit(db, "江州市")
    record_id = (await make_record(db, await make_cadre(db, unit), clock.now())).id
    await make_department(db, unit)  # set up without the service: nothing matched yet
    await db.commit()
    response = await admin.post("/admin/records/uncovered", {})
    assert response.status_code == 303 and response.headers["location"].endswith("matched=1")
    assert await department_of(db, record_id) is not None
    page = await admin.get(response.headers["location"])
    assert "已为 1 条结果运用建议匹配组织部门" in page.text


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ORG_DEPT, Role.INSPECTOR, Role.CADRE])
async def test_only_the_admin_matches_records(db, clock, role):
    with pytest.raises(PermissionDenied):
        await assign_departments(db, clock, person(1, role))


async def test_the_uncovered_list_is_paginated_in_a_fixed_number_of_queries(admin, db, clock, query_counter):
    unit = await make_unit(db)
    cadre = await make_cadre(db, unit)
    await make_record(db, cadre, clock.now())
    await db.commit()
    with query_counter() as few:
        assert (await admin.get("/admin/records/uncovered")).status_code == 200
    for _n in range(24):
        await make_record(db, cadre, clock.now())
    await db.commit()
    with query_counter() as many:
        page = await admin.get("/admin/records/uncovered")
    assert many.count == few.count
    assert "第 1 / 2 页，共 25 条" in page.text


# --- the home page of a 组织部门 ---------------------------------------------------------------

async def arrange_department_work(db, clock, department, other, cadre, n: int = 1) -> None:
    """n of each kind of waiting work for `department`, and some that is not its to do."""
    now = clock.now()
    objector = await make_user(db)
    for _n in range(n):
        await make_record(db, cadre, now, department=department)  # to approve
        await make_record(db, cadre, now, department=department, status=RecordStatus.HEARING,
                          record_type=RecordType.ADMONISHMENT, hearing_ends_at=now - timedelta(hours=1))
        await make_record(db, cadre, now, department=department, status=RecordStatus.HEARING,
                          record_type=RecordType.POST_EXIT, hearing_ends_at=now + timedelta(days=3),
                          hearing_waived_at=now - timedelta(hours=2))
        objected = await make_record(db, cadre, now, department=department, status=RecordStatus.PUBLICITY,
                                     publicity_ends_at=now + timedelta(days=2))
        db.add_all([RecordObjection(record_id=objected.id, seq=seq, objector_id=objector.id, reason="有异议",
                                    status=status.value, filed_at=now)
                    for seq, status in ((1, ObjectionStatus.OPEN), (2, ObjectionStatus.DISMISSED))])
        await make_record(db, cadre, now, department=department, status=RecordStatus.PUBLICITY,
                          publicity_ends_at=now - timedelta(hours=1))  # ended, nothing open
    # not the department's to do now
    await make_record(db, cadre, now, department=department, status=RecordStatus.HEARING,
                      record_type=RecordType.ADMONISHMENT, hearing_ends_at=now + timedelta(days=3))
    await make_record(db, cadre, now, department=department, status=RecordStatus.PUBLICITY,
                      publicity_ends_at=now + timedelta(days=3))
    await make_record(db, cadre, now, department=department, status=RecordStatus.EFFECTIVE)
    await make_record(db, cadre, now, department=other)
    await db.commit()


async def test_the_department_home_names_what_waits_for_it(browser, db, clock, query_counter):
    city = await make_unit(db, "江州市")
    county = await make_unit(db, "青山县")
    member = await make_user(db, "orgdept", Role.ORG_DEPT)
    department = await make_department(db, city, member)
    other = await make_department(db, county)
    cadre = await make_cadre(db, city)
    await arrange_department_work(db, clock, department, other, cadre)
    await browser.login("orgdept")
    with query_counter() as few:
        home = (await browser.get("/")).text
    assert "1 条结果运用建议等待你所在的组织部门审批" in home
    assert 'href="/orgdept/records?status=proposed"' in home
    assert "2 条建议的陈述申辩期已满或干部已放弃陈述申辩" in home and 'href="/orgdept/records?status=hearing"' in home
    assert "公示中有 1 条异议等待答复" in home and 'href="/orgdept/records?status=publicity"' in home
    assert "1 条结果运用公示期满且没有待答复的异议" in home
    await arrange_department_work(db, clock, department, other, cadre, n=2)
    with query_counter() as many:
        home = (await browser.get("/")).text
    assert many.count == few.count
    assert "3 条结果运用建议等待你所在的组织部门审批" in home and "公示中有 3 条异议等待答复" in home


async def test_an_org_dept_account_without_a_department_sees_no_record_cards(browser, db, clock):
    unit = await make_unit(db)
    await make_user(db, "loose", Role.ORG_DEPT)
    await make_record(db, await make_cadre(db, unit), clock.now(), department=await make_department(db, unit))
    await db.commit()
    await browser.login("loose")
    home = (await browser.get("/")).text
    assert "组织部门审批" not in home and "/orgdept/records?status=" not in home


async def test_the_admin_home_has_no_card_when_every_record_is_covered(admin, db, clock):
    unit = await make_unit(db)
    await make_record(db, await make_cadre(db, unit), clock.now(), department=await make_department(db, unit))
    await db.commit()
    assert "没有组织部门审批" not in (await admin.get("/")).text
