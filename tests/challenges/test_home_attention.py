"""The home page tells organizers and cadres what needs them."""

from __future__ import annotations

from datetime import timedelta

from arena.auth.models import Role
from arena.challenges.models import ChallengeStatus
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.factories import make_cadre, make_unit, make_user


async def test_organizer_home_lists_closed_closing_and_draft_challenges(browser, db):
    organizer = await make_organizer(db, "org")
    closed = await make_challenge(db, organizer, opens_at=NOW - timedelta(days=20), closes_at=NOW - timedelta(days=1))
    await make_challenge(db, organizer, closes_at=NOW + timedelta(days=2))
    await make_challenge(db, organizer, status=ChallengeStatus.DRAFT)
    await make_challenge(db, await make_organizer(db, "other"), status=ChallengeStatus.DRAFT)
    await db.commit()
    await browser.login("org")
    home = await browser.get("/")
    # the one challenge waiting for qualification is named, and the card opens it
    assert "揭榜已截止，0 份揭榜待审" in home.text
    assert f'href="/organizer/challenges/{closed.id}/qualification"' in home.text
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


async def test_home_cards_name_the_first_waiting_items_in_the_same_number_of_queries(browser, db, query_counter):
    organizer = await make_organizer(db, "org")

    async def closed(n: int):
        return await make_challenge(db, organizer, title=f"待审榜单{n}", opens_at=NOW - timedelta(days=30),
                                    closes_at=NOW - timedelta(days=10 - n))

    two = [await closed(n) for n in range(2)]
    await db.commit()
    await browser.login("org")
    with query_counter() as few:
        home = (await browser.get("/")).text
    for challenge in two:  # more than one: each named as a link, the card opens the list
        assert f'<a href="/organizer/challenges/{challenge.id}/qualification">待审榜单' in home
    assert "2 个榜单揭榜已截止，待资格审查" in home and "查看全部" not in home
    for n in range(2, 6):
        await closed(n)
    await db.commit()
    with query_counter() as many:
        home = (await browser.get("/")).text
    assert many.count == few.count
    assert home.count("/qualification\">待审榜单") == 3 and "查看全部" in home and "6 个榜单" in home


async def test_in_the_demo_each_waiting_card_opens_the_item_itself(demo_template, tmp_path):
    """The demo's plan change (16), proposal (17's elimination) and fault-tolerance request at the
    inspector (17): each card opens the item, not the list."""
    import shutil

    from arena.app import create_app
    from arena.clock import Clock
    from arena.settings import Settings
    from tests.conftest import as_user

    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    app = create_app(Settings(env="development", database_url=f"sqlite+aiosqlite:///{target}",
                              secret_key="test-secret-" + "x" * 40, var_dir=tmp_path / "var",
                              files_dir=tmp_path / "files", demo_password="arena-demo"), clock=Clock())
    async with app.lifespan():
        organizer = (await (await as_user(app, "organizer")).get("/")).text
        assert 'href="/organizer/challenges/16/execution#change-' in organizer
        assert 'href="/records/' in organizer and "结果运用建议待提出意见" in organizer
        inspector = (await (await as_user(app, "inspector")).get("/")).text
        assert 'href="/inspector/tolerance/' in inspector and "容错申请待出具意见" in inspector
