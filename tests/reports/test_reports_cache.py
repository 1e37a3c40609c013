"""The statistics page is computed once per data version (reports.cache): a second visit reads no
challenge, a counted write shows at the next visit, and writes the page does not count (a draft's
save, a cadre's position) keep the computed page."""

from __future__ import annotations

from sqlalchemy import select

from arena import data_versions
from arena.bids.models import Bid, BidStatus
from arena.reports.cache import NAME
from arena.units.models import Cadre
from tests.conftest import as_user, fresh
from tests.reports.factories import arrange, utc
from tests.reports.test_reports_pages import facts, section


async def _draft(db, arranged) -> Bid:
    bid = await db.scalar(select(Bid).where(Bid.challenge_id == arranged.published_id,
                                            Bid.status == BidStatus.DRAFT.value))
    assert bid is not None
    return bid


async def test_a_second_visit_reads_no_challenge(app, db, clock, query_counter):
    await arrange(db, clock)
    org = await as_user(app, "org")
    first = await org.get("/organizer/reports")
    app.state.page_cache.clear()  # the reports' own cache, not the whole kept page (arena.web.page_cache)
    with query_counter() as counter:
        second = await org.get("/organizer/reports")
    assert second.status_code == 200
    assert section(second.text, "bids") == section(first.text, "bids")
    # none but the kept pages' version and next window, one indexed statement per kept route
    assert not [s for s in counter.statements if "challenge" in s and "data_version.version" not in s], \
        counter.statements


async def test_a_submitted_bid_shows_at_the_next_visit(app, db, clock):
    arranged = await arrange(db, clock)
    org = await as_user(app, "org")
    before = facts(section((await org.get("/organizer/reports")).text, "bids"))
    assert before["平均每榜揭榜数"] == "1.25"

    await fresh(db)
    draft = await _draft(db, arranged)
    draft.status, draft.submitted_at, draft.number = BidStatus.SUBMITTED.value, utc(2026, 6, 11), "B-new"
    await db.commit()

    after = facts(section((await org.get("/organizer/reports")).text, "bids"))
    assert after["平均每榜揭榜数"] == "1.5"


async def test_writes_the_page_does_not_count_keep_the_version(app, db, clock):
    arranged = await arrange(db, clock)
    await fresh(db)
    version = await data_versions.current(db, NAME)

    draft = await _draft(db, arranged)
    draft.plan, draft.revision = "改了草稿", draft.revision + 1
    cadre = await db.get_one(Cadre, draft.lead_id)
    cadre.position = "副镇长"
    await db.commit()
    assert await data_versions.current(db, NAME) == version

    cadre.frontline = not cadre.frontline
    await db.commit()
    assert await data_versions.current(db, NAME) == version + 1


async def test_each_language_and_year_is_its_own_page(app, db, clock):
    await arrange(db, clock)
    org = await as_user(app, "org")
    chinese = await org.get("/organizer/reports")
    english = await org.get("/organizer/reports", headers={"accept-language": "en"})
    year = await org.get("/organizer/reports?year=2025")
    assert "揭榜数量" in chinese.text and "揭榜数量" not in english.text
    assert facts(section(year.text, "challenges"))["榜单总数"] != facts(section(chinese.text, "challenges"))["榜单总数"]
