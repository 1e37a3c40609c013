"""The public catalogue (榜单大厅): search, filters, sorts, pagination, speed and bad input."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from arena.challenges.models import ChallengeMode, ChallengeStatus
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.factories import make_field, make_unit


def titles(response) -> list[str]:
    """Challenge titles in page order, read from the result cards' headings."""
    return re.findall(r'class="challenge-title"[^>]*><a href="/challenges/\d+">([^<]*)</a>', response.text)


async def test_visitor_sees_published_challenges_but_never_drafts(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="乡村振兴示范片区建设")
    await make_challenge(db, organizer, title="尚未发布的草稿榜单", status=ChallengeStatus.DRAFT)
    await db.commit()

    response = await browser.get("/challenges")

    assert response.status_code == 200
    assert titles(response) == ["乡村振兴示范片区建设"]
    assert "共 1 个榜单" in response.text


async def test_card_shows_phase_field_unit_budget_deadline_and_days_left(db, browser):
    organizer = await make_organizer(db)
    field = await make_field(db, "乡村发展")
    unit = await make_unit(db, "江州市农业农村局")
    await make_challenge(db, organizer, title="高标准农田建设", field=field, owner_unit=unit, budget=Decimal("1200.50"),
                         closes_at=NOW + timedelta(days=6))
    await db.commit()

    page = (await browser.get("/challenges")).text

    assert "揭榜中" in page
    assert "乡村发展" in page and "江州市农业农村局" in page
    assert "1200.50 万元" in page
    assert "2026-11-30 10:00" in page  # 02:00 UTC shown in Asia/Shanghai
    assert "剩余 6 天" in page


async def test_search_finds_a_chinese_substring_of_the_title_or_the_background(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="智慧信访平台建设", background="整合来信来访渠道")
    await make_challenge(db, organizer, title="产业园区招商", background="打造新能源电池产业链")
    await make_challenge(db, organizer, title="河道生态修复", background="治理城区黑臭水体")
    await db.commit()

    assert titles(await browser.get("/challenges", params={"q": "信访"})) == ["智慧信访平台建设"]
    assert titles(await browser.get("/challenges", params={"q": "电池产业"})) == ["产业园区招商"]
    assert titles(await browser.get("/challenges", params={"q": "  黑臭  "})) == ["河道生态修复"]
    response = await browser.get("/challenges", params={"q": "航天"})
    assert titles(response) == []
    assert "没有符合条件的榜单" in response.text


async def test_search_treats_like_wildcards_as_plain_characters(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="覆盖率达到100%的村级网络")
    await make_challenge(db, organizer, title="普通榜单")
    await db.commit()

    assert titles(await browser.get("/challenges", params={"q": "%"})) == ["覆盖率达到100%的村级网络"]
    assert titles(await browser.get("/challenges", params={"q": "_"})) == []
    assert titles(await browser.get("/challenges", params={"q": "\\"})) == []


async def test_filters_by_field_and_by_owner_unit(db, browser):
    organizer = await make_organizer(db)
    village, petition = await make_field(db, "乡村发展"), await make_field(db, "信访维稳")
    town, bureau = await make_unit(db, "姜庄镇人民政府"), await make_unit(db, "江州市信访局")
    await make_challenge(db, organizer, title="乡村榜", field=village, owner_unit=town)
    await make_challenge(db, organizer, title="信访榜", field=petition, owner_unit=bureau)
    await db.commit()

    assert titles(await browser.get("/challenges", params={"field": village.id})) == ["乡村榜"]
    assert titles(await browser.get("/challenges", params={"unit": bureau.id})) == ["信访榜"]
    assert titles(await browser.get("/challenges", params={"field": village.id, "unit": bureau.id})) == []
    page = (await browser.get("/challenges")).text
    assert f'<option value="{town.id}">姜庄镇人民政府</option>' in page  # units that own a challenge


async def test_filters_by_phase_as_derived_from_status_and_clock(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="揭榜中的榜")
    await make_challenge(db, organizer, title="即将开榜的榜", opens_at=NOW + timedelta(days=2),
                         closes_at=NOW + timedelta(days=20))
    await make_challenge(db, organizer, title="刚截止的榜", opens_at=NOW - timedelta(days=20),
                         closes_at=NOW - timedelta(hours=1))
    await make_challenge(db, organizer, title="资格审查中的榜", status=ChallengeStatus.QUALIFYING,
                         closes_at=NOW - timedelta(days=3))
    await make_challenge(db, organizer, title="评审中的榜", status=ChallengeStatus.REVIEWING)
    await make_challenge(db, organizer, title="已撤的榜", status=ChallengeStatus.CANCELLED)
    await make_challenge(db, organizer, title="流榜的榜", status=ChallengeStatus.FAILED)
    await db.commit()

    async def phase(value: str) -> set[str]:
        return set(titles(await browser.get("/challenges", params={"phase": value})))

    assert await phase("open") == {"揭榜中的榜"}
    assert await phase("upcoming") == {"即将开榜的榜"}
    assert await phase("closed") == {"刚截止的榜", "资格审查中的榜"}
    assert await phase("reviewing") == {"评审中的榜"}
    assert await phase("cancelled") == {"已撤的榜"}
    assert await phase("failed") == {"流榜的榜"}
    assert await phase("draft") == await phase("")  # never a way to list drafts


async def test_phase_moves_with_the_server_clock(db, browser, clock):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="按时截止的榜", closes_at=NOW + timedelta(hours=2))
    await db.commit()

    assert titles(await browser.get("/challenges", params={"phase": "open"})) == ["按时截止的榜"]
    clock.advance(timedelta(hours=2))
    assert titles(await browser.get("/challenges", params={"phase": "open"})) == []
    assert titles(await browser.get("/challenges", params={"phase": "closed"})) == ["按时截止的榜"]


async def test_filters_by_mode(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="赛马榜", mode=ChallengeMode.HORSE_RACE)
    await make_challenge(db, organizer, title="单一榜")
    await db.commit()

    assert titles(await browser.get("/challenges", params={"mode": "horse_race"})) == ["赛马榜"]
    assert titles(await browser.get("/challenges", params={"mode": "single"})) == ["单一榜"]


async def test_sort_by_deadline_lists_open_windows_soonest_first_then_the_latest_closed(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="十天后截止", closes_at=NOW + timedelta(days=10))
    await make_challenge(db, organizer, title="两天后截止", closes_at=NOW + timedelta(days=2))
    await make_challenge(db, organizer, title="早已截止", opens_at=NOW - timedelta(days=60),
                         closes_at=NOW - timedelta(days=30))
    await make_challenge(db, organizer, title="昨天截止", opens_at=NOW - timedelta(days=20),
                         closes_at=NOW - timedelta(days=1))
    await db.commit()

    expected = ["两天后截止", "十天后截止", "昨天截止", "早已截止"]
    assert titles(await browser.get("/challenges")) == expected
    assert titles(await browser.get("/challenges", params={"sort": "deadline"})) == expected


async def test_sort_by_publication_date_lists_the_newest_first(db, browser):
    organizer = await make_organizer(db)
    for days, title in [(5, "五天前发布"), (1, "昨天发布"), (9, "九天前发布")]:
        await make_challenge(db, organizer, title=title, published_at=NOW - timedelta(days=days))
    await db.commit()

    assert titles(await browser.get("/challenges", params={"sort": "published"})) == ["昨天发布", "五天前发布",
                                                                                      "九天前发布"]


async def test_results_are_paginated_and_the_pager_keeps_the_filters(db, browser):
    organizer = await make_organizer(db)
    for i in range(25):
        await make_challenge(db, organizer, title=f"分页榜单{i:02d}", closes_at=NOW + timedelta(days=1 + i))
    await db.commit()

    first = await browser.get("/challenges", params={"q": "分页"})
    second = await browser.get("/challenges", params={"q": "分页", "page": "2"})

    assert len(titles(first)) == 20 and len(titles(second)) == 5
    assert titles(first)[0] == "分页榜单00" and titles(second)[-1] == "分页榜单24"
    assert "?q=%E5%88%86%E9%A1%B5&amp;page=2" in first.text
    beyond = await browser.get("/challenges", params={"page": "999"})
    assert titles(beyond) == titles(second)  # the last page, not an empty one


async def test_htmx_filter_change_gets_only_the_results_fragment(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="片段测试榜")
    await db.commit()

    response = await browser.get("/challenges", params={"q": "片段"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text and "片段测试榜" in response.text


async def test_titles_and_backgrounds_are_shown_escaped(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="<script>alert(1)</script>榜", background="<img src=x onerror=alert(2)>")
    await db.commit()

    page = (await browser.get("/challenges")).text

    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;榜" in page


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "-3"}, {"page": "99999999999999999999"},
    {"field": "abc"}, {"field": "999999"}, {"field": "99999999999999999999999"}, {"unit": "-1"},
    {"phase": "nonsense"}, {"mode": "<script>"}, {"sort": "id; DROP TABLE challenge"},
    {"q": "x" * 10_000}, {"q": "榜" * 6_000}, {"q": "🐎🏆 赛马"}, {"q": "<script>alert(1)</script>"}, {"q": "' OR 1=1 --"},
    {"q": "a\x00b"}, {"q": "\u202e\u200b"},
])
async def test_bad_query_parameters_never_break_the_page(db, browser, params):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="稳健榜单")
    await db.commit()

    response = await browser.get("/challenges", params=params)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text


async def test_a_long_search_is_cut_to_the_first_hundred_characters(db, browser):
    organizer = await make_organizer(db)
    await make_challenge(db, organizer, title="长" * 100)
    await db.commit()

    response = await browser.get("/challenges", params={"q": "长" * 6_000})

    assert titles(response) == ["长" * 100]


async def _add_challenges(db, count: int) -> None:
    organizer = await make_organizer(db)
    field = await make_field(db)
    for i in range(count):
        await make_challenge(db, organizer, title=f"性能测试榜单{i}", field=field, owner_unit=await make_unit(db),
                             closes_at=NOW + timedelta(days=1 + i % 30))
    await db.commit()


async def _count_queries(browser, query_counter, params: dict[str, str]) -> int:
    with query_counter() as counter:
        response = await browser.get("/challenges", params=params)
    assert response.status_code == 200
    assert len(titles(response)) >= 5
    return counter.count


@pytest.mark.parametrize("params", [{}, {"q": "性能", "phase": "open", "sort": "published"}])
async def test_catalogue_answers_in_the_same_number_of_queries_for_5_and_50_challenges(
        db, browser, query_counter, params):
    await _add_challenges(db, 5)
    with_five = await _count_queries(browser, query_counter, params)
    await _add_challenges(db, 45)
    with_fifty = await _count_queries(browser, query_counter, params)

    assert with_five == with_fifty
    # data version, count, page (field and unit joined in), next window change, the filter options
    assert with_five <= 5
    assert await _count_queries(browser, query_counter, params) == 1  # then cached: the version only


async def test_the_cached_catalogue_follows_every_change_and_the_clock(db, browser, clock):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, title="缓存测试榜单", opens_at=NOW - timedelta(days=1),
                                     closes_at=NOW + timedelta(hours=2))
    await db.commit()
    assert "缓存测试榜单" in titles(await browser.get("/challenges"))
    challenge.title = "改名后的榜单"  # any write through the ORM bumps the data version
    await db.commit()
    assert titles(await browser.get("/challenges")) == ["改名后的榜单"]
    assert 'phase-tag tag-green">揭榜中' in (await browser.get("/challenges")).text  # now cached
    clock.advance(timedelta(hours=3))  # the window closes: the cached page may not outlive it
    assert 'phase-tag tag-amber">已截止' in (await browser.get("/challenges")).text
    assert "改名后的榜单" not in (await browser.get("/challenges", params={"phase": "open"})).text


async def test_a_unit_that_owns_only_drafts_is_not_offered_as_a_filter(db, browser):
    organizer = await make_organizer(db)
    secret = await make_unit(db, "只有草稿的单位")
    await make_challenge(db, organizer, owner_unit=secret, status=ChallengeStatus.DRAFT)
    await make_challenge(db, organizer, owner_unit=await make_unit(db, "已发榜单位"))
    await db.commit()

    page = (await browser.get("/challenges")).text

    assert "已发榜单位" in page and "只有草稿的单位" not in page
    assert titles(await browser.get("/challenges", params={"unit": secret.id})) == []


async def test_challenges_without_a_deadline_sort_last_on_every_database(db, browser):
    organizer = await make_organizer(db)
    undated = await make_challenge(db, organizer, title="没有截止时间的榜", status=ChallengeStatus.CANCELLED)
    undated.bid_closes_at = None
    undated.published_at = None
    await make_challenge(db, organizer, title="已截止的榜", opens_at=NOW - timedelta(days=9),
                         closes_at=NOW - timedelta(days=1))
    await make_challenge(db, organizer, title="揭榜中的榜")
    await db.commit()

    assert titles(await browser.get("/challenges")) == ["揭榜中的榜", "已截止的榜", "没有截止时间的榜"]
    assert titles(await browser.get("/challenges", params={"sort": "published"}))[-1] == "没有截止时间的榜"
