"""Who may see and do what with records: pages by role, and decisions by role (only the 组织部门
that covers the cadre decides; the organizer of the challenge and inspectors read the record
page; another organizer is told it does not exist)."""

from __future__ import annotations

from sqlalchemy import select

from arena.records.models import Certificate, Record
from arena.units.models import Cadre
from tests.conftest import Browser, fresh, make_client
from tests.execution.test_permissions import ROLES, browsers, expect, mismatches
from tests.records.factories import accepted, in_force, records_of


async def test_pages_and_decisions_by_role(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    records = await records_of(db, story.project_ids[0])
    award = next(r for r in records if r.record_type == "award_responsibility")
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    by = await browsers(app, db)
    orgdept = Browser(make_client(app))
    await orgdept.login("orgdept")

    # decisions: only the department; the organizer and everyone else change nothing
    day = clock.now().date().isoformat()
    actions = {f"/records/{promotion.id}/approve": {"document_number": "x", "document_date": day},
               f"/records/{promotion.id}/reject": {"reason": "不同意"},
               f"/records/{promotion.id}/type": {"record_type": "award_innovation", "type_reason": "x"},
               f"/records/{promotion.id}/hearing": {},
               f"/records/{promotion.id}/decide": {"document_number": "x", "document_date": day}}
    wrong = []
    for path, form in actions.items():
        for role in ROLES:
            got = (await by[role].post(path, form)).status_code
            expected = 303 if role == "anonymous" else 404  # as if the record did not exist
            if got != expected:
                wrong.append(f"{role} POST {path}: {got}, expected {expected}")
    for role in ROLES:
        if role not in ("org", "org2"):
            got = (await by[role].post("/organizer/records/rules", {"active": []})).status_code
            if got != (303 if role == "anonymous" else 403):
                wrong.append(f"{role} POST rules: {got}")
    assert not wrong, "\n".join(wrong)
    await fresh(db)
    assert (await db.get(Record, promotion.id)).status == "proposed"
    assert (await db.get(Record, promotion.id)).record_type == "priority_promotion"

    await in_force(db, clock, story.project_ids[0])
    for role, browser in [*by.items(), ("orgdept", orgdept)]:  # the 公示 took days: new sessions
        if role != "anonymous":
            await browser.login(role)
    await fresh(db)
    code = await db.scalar(select(Certificate.code).where(Certificate.record_id == award.id))
    lead_cadre = await db.scalar(select(Cadre.id).where(Cadre.id == award.cadre_id))
    readers = expect({"org", "org2", "inspector"}, 403)
    matrix = {
        "/organizer/records": expect({"org", "org2"}, 403),
        f"/organizer/records/{award.id}": expect(set(), 403, org=302, org2=302),  # → /records/{id}
        f"/records/{award.id}": expect({"org", "inspector"}, 404),
        "/orgdept/records": expect(set(), 403),
        "/inspector/records": expect({"inspector"}, 403),
        "/organizer/records/rules": expect({"org", "org2"}, 403),
        "/dossiers": readers,
        f"/dossiers/{lead_cadre}": readers,
        f"/dossiers/{lead_cadre}/dossier.pdf": readers,
        # one's own dossier: cadres (the others have no cadre record)
        "/dossier": expect({"lead1", "member", "lead2"}, 404),
        "/dossier.pdf": expect({"lead1", "member", "lead2"}, 404),
        # the certificate: the cadre it names and dossier readers; to anyone else it does not exist
        f"/certificates/{code}.pdf": expect({"lead1", "org", "org2", "inspector"}, 404),
        f"/verify/{code}": {role: 200 for role in ROLES},
        "/verify": {role: 200 for role in ROLES},
    }
    wrong = await mismatches(by, matrix)
    for path in ("/orgdept/records", f"/records/{award.id}", "/dossiers", f"/certificates/{code}.pdf"):
        if (got := (await orgdept.get(path)).status_code) != 200:
            wrong.append(f"orgdept GET {path}: {got}")
    assert not wrong, "\n".join(wrong)


async def test_the_dossier_hides_proposals_and_rejections(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    records = await records_of(db, story.project_ids[0])
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    by = await browsers(app, db)
    orgdept = Browser(make_client(app))
    await orgdept.login("orgdept")
    assert (await orgdept.post(f"/records/{promotion.id}/reject", {"reason": "暂缓"})).status_code == 303
    page = (await by["lead1"].get("/dossier")).text
    assert "优先提拔使用" not in page and "担当作为奖" not in page and "暂缓" not in page
    assert "验收等次：优秀" in page  # the result itself is in the result list
