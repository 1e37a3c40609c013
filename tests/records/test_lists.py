"""The records lists and the dossier read in a fixed number of statements, the dossier search
filters by name, unit, type and year, and a certificate whose record was altered fails to verify."""

from __future__ import annotations

from sqlalchemy import select, update

from arena.records.models import Certificate, Record
from arena.units.models import Cadre
from tests.conftest import as_user, fresh, make_client
from tests.records.factories import accepted, in_force
from tests.review.factories import LEADS, MEMBER


async def _approve_all(app, db, clock, story, day: str) -> None:
    """Every proposal approved by the 组织部门 and in force after its 公示."""
    await in_force(db, clock, story.project_ids[0], day)


async def test_lists_and_dossier_use_a_fixed_number_of_queries(app, db, clock, query_counter):
    story = await accepted(db, clock, department="orgdept")
    lead_id = await db.scalar(select(Cadre.id).where(Cadre.name == LEADS[0]))
    counts = []
    for round_ in range(2):
        org, lead, orgdept = await as_user(app, "org"), await as_user(app, "lead1"), await as_user(app, "orgdept")
        pages = [(org, "/organizer/records?status=all"), (org, "/dossiers"), (org, f"/dossiers/{lead_id}"),
                 (lead, "/dossier"), (orgdept, "/orgdept/records?status=all")]
        found = []
        for browser, path in pages:
            with query_counter() as counter:
                assert (await browser.get(path)).status_code == 200
            found.append(counter.count)
        counts.append(found)
        if round_ == 0:
            await _approve_all(app, db, clock, story, clock.now().date().isoformat())
    assert counts[0] == counts[1], counts


async def test_the_dossier_search_filters_by_name_unit_type_and_year(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    await _approve_all(app, db, clock, story, "2026-03-02")
    org = await as_user(app, "org")

    async def names(query: str) -> set[str]:
        page = (await org.get("/dossiers" + query)).text
        return {n for n in (*LEADS, MEMBER) if n in page}

    assert await names("") >= {LEADS[0], MEMBER}
    assert await names("?q=" + LEADS[0][:2]) == {LEADS[0]}
    assert await names("?type=award_innovation") == {MEMBER}
    assert await names("?type=award_responsibility&year=2026") == {LEADS[0]}
    assert await names("?type=award_responsibility&year=2025") == set()
    unit = await db.scalar(select(Cadre.unit_id).where(Cadre.name == LEADS[1]))
    assert LEADS[1] in await names(f"?unit={unit}") and LEADS[0] not in await names(f"?unit={unit}")
    assert (await org.get("/dossiers?unit=abc&year=20x6&type=<script>&page=-3")).status_code == 200


async def test_a_certificate_whose_record_was_altered_does_not_verify(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    await _approve_all(app, db, clock, story, clock.now().date().isoformat())
    await fresh(db)
    code, record_id = (await db.execute(select(Certificate.code, Certificate.record_id))).tuples().first()
    visitor = make_client(app)
    assert "真实有效" in (await visitor.get(f"/verify/{code}")).text
    await db.execute(update(Record).where(Record.id == record_id).values(document_number="伪造〔2026〕1号"))
    await db.commit()
    page = await visitor.get(f"/verify/{code}")
    assert page.status_code == 200 and "核验未通过" in page.text
