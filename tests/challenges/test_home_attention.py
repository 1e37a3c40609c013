"""The home page tells organizers and cadres what needs them."""

from __future__ import annotations

from datetime import timedelta

from arena.auth.models import Role
from arena.challenges.models import ChallengeStatus
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.factories import make_cadre, make_unit, make_user


async def test_organizer_home_lists_closed_closing_and_draft_challenges(browser, db):
    organizer = await make_organizer(db, "org")
    await make_challenge(db, organizer, opens_at=NOW - timedelta(days=20), closes_at=NOW - timedelta(days=1))
    await make_challenge(db, organizer, closes_at=NOW + timedelta(days=2))
    await make_challenge(db, organizer, status=ChallengeStatus.DRAFT)
    await make_challenge(db, await make_organizer(db, "other"), status=ChallengeStatus.DRAFT)
    await db.commit()
    await browser.login("org")
    home = await browser.get("/")
    assert "1 个榜单的揭榜时间已结束" in home.text
    assert "1 个榜单即将截止揭榜" in home.text
    assert "1 个草稿尚未发布" in home.text


async def test_cadre_home_counts_open_challenges_they_may_bid_on(browser, db):
    organizer = await make_organizer(db, "org")
    unit = await make_unit(db)
    user = await make_user(db, "cad", Role.CADRE)
    await make_cadre(db, unit, user)
    await make_challenge(db, organizer)  # open to all
    await make_challenge(db, organizer, age_limit=20)  # too old for this cadre
    await db.commit()
    await browser.login("cad")
    home = await browser.get("/")
    assert "有 1 个揭榜中的榜单你符合条件" in home.text


async def test_cadre_without_a_record_is_told_to_ask_for_one(browser, db):
    await make_user(db, "cad", Role.CADRE)
    await db.commit()
    await browser.login("cad")
    assert "尚未关联干部信息" in (await browser.get("/")).text
