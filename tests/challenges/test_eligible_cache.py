"""The eligible list is kept per cadre like the catalogue's results, and is never stale: a change to
a challenge, to the cadre's own facts, or the clock reaching a window's end shows at once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.units.models import Cadre, Rank
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.challenges.test_public_eligible import titles
from tests.conftest import fresh
from tests.factories import make_cadre, make_unit, make_user


async def _arrange(db):
    organizer = await make_organizer(db)
    user = await make_user(db, "cadre1", Role.CADRE, name="张伟")
    cadre = await make_cadre(db, await make_unit(db, "姜庄镇人民政府"), user, rank=Rank.SECTION,
                             birth_date=date(1990, 1, 1))
    await make_challenge(db, organizer, title="不限条件的榜")
    soon = await make_challenge(db, organizer, title="明天截止的榜", closes_at=None)
    await make_challenge(db, organizer, title="正科级以上的榜", rank_min="section")
    await db.commit()
    return organizer, soon, cadre.id


def _challenge_statements(statements: list[str]) -> list[str]:
    """Statements that read challenges, but the kept pages' version and next window (one indexed
    statement every kept route costs: arena.web.page_cache)."""
    return [s for s in statements if "FROM challenge" in s and "data_version.version" not in s]


async def test_a_second_visit_reads_no_challenge_and_shows_the_same_list(app, db, browser, query_counter):
    await _arrange(db)
    await browser.login("cadre1")
    first = await browser.get("/challenges/eligible")
    app.state.page_cache.clear()  # the list's own cache, not the whole kept page (arena.web.page_cache)
    with query_counter() as counter:
        second = await browser.get("/challenges/eligible")
    assert second.status_code == 200 and titles(second) == titles(first)
    assert set(titles(second)) == {"不限条件的榜", "明天截止的榜", "正科级以上的榜"}
    assert not _challenge_statements(counter.statements), counter.statements


async def test_a_changed_or_new_challenge_shows_at_the_next_visit(db, browser):
    organizer, _soon, _cadre = await _arrange(db)
    await browser.login("cadre1")
    await browser.get("/challenges/eligible")

    challenge = await db.scalar(select(Challenge).where(Challenge.title == "不限条件的榜"))
    assert challenge is not None
    challenge.title = "改过名的榜"
    await make_challenge(db, organizer, title="新发布的榜")
    await db.commit()

    shown = set(titles(await browser.get("/challenges/eligible")))
    assert shown == {"改过名的榜", "新发布的榜", "明天截止的榜", "正科级以上的榜"}


async def test_a_change_to_the_cadre_is_a_new_list(db, browser):
    _organizer, _soon, cadre_id = await _arrange(db)
    await browser.login("cadre1")
    assert "正科级以上的榜" in titles(await browser.get("/challenges/eligible"))

    await fresh(db)
    cadre = await db.get_one(Cadre, cadre_id)
    cadre.rank = Rank.DEPUTY_SECTION.value  # a cadre is not versioned: the key holds the rank
    await db.commit()

    assert "正科级以上的榜" not in titles(await browser.get("/challenges/eligible"))


async def test_a_window_closing_removes_the_challenge_without_any_write(db, browser, clock):
    _organizer, soon, _cadre = await _arrange(db)
    soon.bid_closes_at = clock.now() + timedelta(hours=1)
    await db.commit()
    await browser.login("cadre1")
    assert "明天截止的榜" in titles(await browser.get("/challenges/eligible"))

    clock.advance(timedelta(hours=1))

    assert "明天截止的榜" not in titles(await browser.get("/challenges/eligible"))


async def test_english_and_chinese_are_kept_apart(db, browser):
    await _arrange(db)
    await browser.login("cadre1")
    chinese = await browser.get("/challenges/eligible")
    english = await browser.get("/challenges/eligible", headers={"accept-language": "en"})
    assert "个榜单可以揭榜" in chinese.text
    assert "个榜单可以揭榜" not in english.text
