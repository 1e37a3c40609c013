"""The cadre's list of open challenges they may bid on, and the eligibility panel on a challenge."""

from __future__ import annotations

import dataclasses
import random
import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from arena.auth.models import Role
from arena.challenges.eligibility import ChallengeRules, check_eligibility
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.queries import eligible_statement, load_cadre_facts
from arena.units.models import Rank
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.factories import make_cadre, make_field, make_unit, make_user


def titles(response) -> list[str]:
    return re.findall(r'class="challenge-title"[^>]*><a href="/challenges/\d+">([^<]*)</a>', response.text)


async def _cadre_login(db, *, username: str = "cadre1", rank: Rank = Rank.SECTION, born: date = date(1990, 1, 1),
                       fields=None, unit=None):
    user = await make_user(db, username, Role.CADRE, name="张伟")
    unit = unit or await make_unit(db, "姜庄镇人民政府")
    cadre = await make_cadre(db, unit, user, rank=rank, birth_date=born, fields=fields or [])
    return user, cadre


async def test_cadre_sees_only_the_open_challenges_whose_every_rule_they_meet(db, browser):
    organizer = await make_organizer(db)
    county = await make_unit(db, "青山县")
    town = await make_unit(db, "姜庄镇人民政府", parent=county)
    elsewhere = await make_unit(db, "临河区")
    village, petition = await make_field(db, "乡村发展"), await make_field(db, "信访维稳")
    await _cadre_login(db, rank=Rank.SECTION, born=date(1990, 6, 1), fields=[village], unit=town)
    await make_challenge(db, organizer, title="不限条件的榜")
    await make_challenge(db, organizer, title="职级相符的榜", rank_min="deputy_section", rank_max="division")
    await make_challenge(db, organizer, title="职级太低的榜", rank_min="deputy_division")
    await make_challenge(db, organizer, title="领域相符的榜", eligible_fields=[petition, village])
    await make_challenge(db, organizer, title="领域不符的榜", eligible_fields=[petition])
    await make_challenge(db, organizer, title="上级单位的榜", eligible_units=[county])
    await make_challenge(db, organizer, title="别的单位的榜", eligible_units=[elsewhere])
    await make_challenge(db, organizer, title="年龄相符的榜", age_limit=36)
    await make_challenge(db, organizer, title="年龄超限的榜", age_limit=35)
    await make_challenge(db, organizer, title="已截止的榜", opens_at=NOW - timedelta(days=9),
                         closes_at=NOW - timedelta(days=1))
    await make_challenge(db, organizer, title="未开榜的榜", opens_at=NOW + timedelta(days=1))
    await make_challenge(db, organizer, title="草稿榜", status=ChallengeStatus.DRAFT)
    await db.commit()
    await browser.login("cadre1")

    response = await browser.get("/challenges/eligible")

    assert response.status_code == 200
    assert set(titles(response)) == {"不限条件的榜", "职级相符的榜", "领域相符的榜", "上级单位的榜", "年龄相符的榜"}
    assert "本榜要求职级副科级至正处级，你的职级为正科级" in response.text


async def test_the_sql_filter_agrees_with_the_rule_by_rule_check(db, clock):
    """The list filters in SQL for speed and pagination; `check_eligibility` explains. They must
    never disagree, so random challenges are run through both."""
    rng, frontline = random.Random(4), random.Random(9)
    organizer = await make_organizer(db)
    root = await make_unit(db, "江州市")
    county = await make_unit(db, "青山县", parent=root)
    town = await make_unit(db, "姜庄镇", parent=county)
    other = await make_unit(db, "临河区", parent=root)
    fields = [await make_field(db) for _ in range(3)]
    user, _cadre = await _cadre_login(db, rank=Rank.SECTION, born=date(1991, 11, 30), fields=[fields[0]], unit=town)
    ranks = [None, *[r.value for r in Rank]]
    for i in range(80):
        low, high = rng.choice(ranks), rng.choice(ranks)
        closes = NOW + timedelta(days=rng.choice([-2, 1, 5, 6, 7, 400, 800]), hours=rng.randrange(24))
        await make_challenge(
            db, organizer, title=f"随机榜{i}", rank_min=low, rank_max=high,
            age_limit=rng.choice([None, 33, 34, 35, 36]), closes_at=closes,
            opens_at=NOW + timedelta(days=rng.choice([-5, -1, 2])),
            eligible_fields=rng.sample(fields, rng.randrange(3)),
            eligible_units=rng.sample([root, county, town, other], rng.randrange(3)),
            require_frontline=frontline.random() < 0.25,
        )
    await db.commit()

    facts = await load_cadre_facts(db, user.id)
    assert facts is not None
    now = clock.now()
    in_sql = set((await db.scalars(eligible_statement(facts, now))).all())
    every = (await db.scalars(select(Challenge).options(selectinload(Challenge.eligible_fields),
                                                        selectinload(Challenge.eligible_units)))).all()
    by_rules = {c for c in every if check_eligibility(ChallengeRules.from_challenge(c), facts, now).eligible}

    assert {c.title for c in in_sql} == {c.title for c in by_rules}
    assert 5 < len(by_rules) < 75  # the sample exercises both outcomes
    on_the_frontline = dataclasses.replace(facts, frontline=True)
    in_sql = set((await db.scalars(eligible_statement(on_the_frontline, now))).all())
    more = {c for c in every if check_eligibility(ChallengeRules.from_challenge(c), on_the_frontline, now).eligible}
    assert {c.title for c in in_sql} == {c.title for c in more} and len(more) > len(by_rules)


async def test_eligible_list_is_paginated_in_a_fixed_number_of_queries(db, browser, query_counter):
    organizer = await make_organizer(db)
    field = await make_field(db, "乡村发展")
    await _cadre_login(db, fields=[field])
    await db.commit()
    await browser.login("cadre1")

    async def count_for(n: int) -> int:
        for i in range(n):
            await make_challenge(db, organizer, title=f"可揭{i}", eligible_fields=[field], owner_unit=await make_unit(db),
                                 eligible_units=[await make_unit(db)] if i % 2 else [])
        await db.commit()
        with query_counter() as counter:
            response = await browser.get("/challenges/eligible")
        assert response.status_code == 200
        return counter.count

    with_five = await count_for(5)
    with_fifty = await count_for(45)

    assert with_five == with_fifty


async def test_eligible_list_is_for_cadres_only(db, browser):
    await make_organizer(db, "organizer")
    await db.commit()

    visitor = await browser.get("/challenges/eligible")
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    await browser.login("organizer")
    assert (await browser.get("/challenges/eligible")).status_code == 403


async def test_a_cadre_login_without_a_cadre_record_is_told_so(db, browser):
    await make_user(db, "cadre1", Role.CADRE)
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer)
    await db.commit()
    await browser.login("cadre1")

    listing = await browser.get("/challenges/eligible")
    page = await browser.get(f"/challenges/{challenge.id}")

    assert listing.status_code == 200 and "尚未关联干部信息" in listing.text
    assert "你是否可以揭榜" in page.text and "尚未关联干部信息" in page.text


async def test_challenge_page_explains_each_rule_to_a_cadre(db, browser):
    organizer = await make_organizer(db)
    county = await make_unit(db, "青山县")
    town = await make_unit(db, "姜庄镇人民政府", parent=county)
    village = await make_field(db, "乡村发展")
    await _cadre_login(db, rank=Rank.CLERK, born=date(1995, 3, 3), fields=[village], unit=town)
    challenge = await make_challenge(db, organizer, rank_min="deputy_section", rank_max="division",
                                     eligible_units=[county], eligible_fields=[village], age_limit=35)
    await db.commit()
    await browser.login("cadre1")

    page = (await browser.get(f"/challenges/{challenge.id}")).text

    assert "你是否可以揭榜" in page
    assert "你暂时不能揭榜本榜：有 1 项条件未满足。" in page
    assert "本榜要求职级副科级至正处级，你的职级为科员" in page
    assert "本榜面向青山县（含下属单位）的干部，你所在单位为姜庄镇人民政府" in page
    assert "本榜要求截至揭榜截止日（2026-12-04）年龄不超过35周岁，届时你31周岁" in page
    assert page.count('class="rule-pass"') == 4 and page.count('class="rule-fail"') == 1


async def test_visitors_and_other_roles_see_no_eligibility_panel(db, browser):
    organizer = await make_organizer(db, "organizer")
    challenge = await make_challenge(db, organizer)
    await db.commit()

    assert "你是否可以揭榜" not in (await browser.get(f"/challenges/{challenge.id}")).text
    await browser.login("organizer")
    assert "你是否可以揭榜" not in (await browser.get(f"/challenges/{challenge.id}")).text
