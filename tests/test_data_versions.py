"""Data versions (arena.data_versions) are bumped once per committed transaction, at its very end:
never for a rolled-back one, and never in a way that lets two writers wait on each other."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from arena import data_versions
from arena.bids.models import Bid, BidStatus
from arena.challenges.models import Challenge
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.factories import make_cadre, make_unit


async def _arrange(db) -> tuple[int, int, int]:
    organizer = await make_organizer(db)
    first, second = await make_challenge(db, organizer, title="一"), await make_challenge(db, organizer, title="二")
    cadre = await make_cadre(db, await make_unit(db), birth_date=date(1990, 1, 1))
    bid = Bid(challenge_id=first.id, lead_id=cadre.id, status=BidStatus.DRAFT.value)
    db.add(bid)
    await db.commit()
    return first.id, second.id, bid.id


async def test_one_bump_per_commit_and_none_for_a_rollback(app, db):
    first_id, _second_id, _bid_id = await _arrange(db)
    before = await data_versions.current(db, "catalogue")
    async def two_flushes(session) -> None:
        challenge = await session.get_one(Challenge, first_id)
        for title in ("改一", "再改一"):
            challenge.title = title
            await session.flush()

    async with app.state.session_maker() as session:
        await two_flushes(session)
        await session.rollback()
        assert await data_versions.current(session, "catalogue") == before
        await two_flushes(session)
        await session.commit()
    await db.rollback()
    assert await data_versions.current(db, "catalogue") == before + 1


async def test_two_writers_crossing_a_row_never_deadlock_on_the_version(app, db, settings):
    """A changes a challenge, then wants the bid B holds; B has changed the bid and then changes
    another challenge. Had versions been bumped at each flush, A would hold "catalogue" while
    waiting on the bid, and B wait on "catalogue": PostgreSQL would abort one of them."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: nothing to cross")
    first_id, second_id, bid_id = await _arrange(db)
    before = await data_versions.current(db, "catalogue")
    a_changed, b_has_bid = asyncio.Event(), asyncio.Event()

    async def writer_a() -> None:
        async with app.state.session_maker() as session:
            (await session.get_one(Challenge, first_id)).title = "A 改的榜"
            await session.flush()
            a_changed.set()
            await b_has_bid.wait()
            (await session.get_one(Bid, bid_id)).plan = "A 的计划"
            await session.flush()  # waits until B commits
            await session.commit()

    async def writer_b() -> None:
        async with app.state.session_maker() as session:
            await a_changed.wait()
            (await session.get_one(Bid, bid_id)).plan = "B 的计划"
            await session.flush()
            b_has_bid.set()
            await asyncio.sleep(0.2)  # A is now waiting on the bid row
            (await session.get_one(Challenge, second_id)).title = "B 改的榜"
            await session.commit()

    await asyncio.wait_for(asyncio.gather(writer_a(), writer_b()), timeout=30)
    await db.rollback()
    assert await data_versions.current(db, "catalogue") == before + 2
    assert (await db.get_one(Bid, bid_id)).plan == "A 的计划"


async def test_visitors_asking_at_once_for_an_ended_entry_wait_for_one_build():
    """When a page everybody reads ends, sixteen visitors at that moment get one build between
    them (each rendering it stalled the process); a new version is a new build."""
    cache: data_versions.VersionedCache[str] = data_versions.VersionedCache(8)
    builds: list[int] = []

    async def build() -> tuple[str, None]:
        builds.append(1)
        await asyncio.sleep(0.01)  # rendering, with queries between
        return f"page {len(builds)}", None

    entries = await asyncio.gather(*(cache.get_or_build("catalogue", 1, None, build) for _ in range(16)))
    assert len(builds) == 1 and {e.value for e in entries} == {"page 1"}
    assert (await cache.get_or_build("catalogue", 1, None, build)).value == "page 1"
    await asyncio.gather(*(cache.get_or_build("catalogue", 2, None, build) for _ in range(4)))
    assert len(builds) == 2


@pytest.mark.parametrize("how", ["fails", "goes away"])
async def test_when_the_first_build_fails_or_its_request_goes_away_the_others_still_get_the_page(how):
    cache: data_versions.VersionedCache[str] = data_versions.VersionedCache(8)
    started, builds = asyncio.Event(), []

    async def first() -> tuple[str, None]:
        started.set()
        await asyncio.sleep(0.05)
        raise RuntimeError("the database went away")

    async def build() -> tuple[str, None]:
        builds.append(1)
        return "page", None

    leader = asyncio.create_task(cache.get_or_build("results", 1, None, first))
    await started.wait()
    waiters = [asyncio.create_task(cache.get_or_build("results", 1, None, build)) for _ in range(5)]
    await asyncio.sleep(0)
    if how == "goes away":
        leader.cancel()
    with pytest.raises(asyncio.CancelledError if how == "goes away" else RuntimeError):
        await leader
    assert [(await w).value for w in waiters] == ["page"] * 5
    assert len(builds) == 1  # one of the waiters built it, the others waited for that one
