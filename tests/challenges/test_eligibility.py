"""揭榜条件, rule by rule: the pure function the challenge page and the bids area both use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from arena.challenges.eligibility import (
    CadreFacts,
    ChallengeRules,
    Named,
    Rule,
    age_on,
    check_eligibility,
    unit_chain_from,
)
from arena.units.models import Rank

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CITY, COUNTY, TOWN, OTHER = Named(1, "江州市"), Named(2, "青山县"), Named(3, "姜庄镇人民政府"), Named(9, "临河区")
VILLAGE, PETITION, SCIENCE = Named(11, "乡村发展"), Named(12, "信访维稳"), Named(13, "科技创新")


def rules(**kwargs) -> ChallengeRules:
    values = {"status": "published", "opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=10)}
    return ChallengeRules(**(values | kwargs))


def cadre(**kwargs) -> CadreFacts:
    values = {"rank": Rank.SECTION.value, "birth_date": date(1990, 1, 1), "fields": (VILLAGE,),
              "unit_chain": (TOWN, COUNTY, CITY)}
    return CadreFacts(**(values | kwargs))


def test_a_challenge_without_rules_is_open_to_every_cadre_while_the_window_is_open():
    verdict = check_eligibility(rules(), cadre(), NOW)

    assert verdict.eligible
    assert [r.rule for r in verdict.results] == [Rule.RANK, Rule.FIELD, Rule.AGE, Rule.UNIT, Rule.WINDOW]
    assert verdict.result(Rule.RANK).explanation == "本榜不限职级"


def test_rank_range_includes_both_ends_and_says_what_it_asks_and_what_the_cadre_has():
    asked = rules(rank_min=Rank.DEPUTY_SECTION.value, rank_max=Rank.DIVISION.value)

    inside = check_eligibility(asked, cadre(rank=Rank.SECTION.value), NOW).result(Rule.RANK)
    low_end = check_eligibility(asked, cadre(rank=Rank.DEPUTY_SECTION.value), NOW).result(Rule.RANK)
    high_end = check_eligibility(asked, cadre(rank=Rank.DIVISION.value), NOW).result(Rule.RANK)
    below = check_eligibility(asked, cadre(rank=Rank.CLERK.value), NOW).result(Rule.RANK)

    assert inside.passed and low_end.passed and high_end.passed and not below.passed
    assert inside.explanation == "本榜要求职级副科级至正处级，你的职级为正科级"
    assert below.explanation == "本榜要求职级副科级至正处级，你的职级为科员"


def test_rank_with_one_end_only_and_an_unknown_cadre_rank():
    assert check_eligibility(rules(rank_min="section"), cadre(rank="clerk"), NOW).result(Rule.RANK).explanation == \
        "本榜要求职级不低于正科级，你的职级为科员"
    at_most = check_eligibility(rules(rank_max="section"), cadre(rank="division"), NOW).result(Rule.RANK)
    assert not at_most.passed and at_most.explanation.startswith("本榜要求职级不高于正科级")
    unknown = check_eligibility(rules(rank_min="clerk"), cadre(rank="科长"), NOW).result(Rule.RANK)
    assert not unknown.passed and "无法识别" in unknown.explanation


@given(st.sampled_from(list(Rank)), st.sampled_from(list(Rank)), st.sampled_from(list(Rank)))
def test_rank_passes_exactly_when_the_level_is_within_the_range(low, high, mine):
    result = check_eligibility(rules(rank_min=low.value, rank_max=high.value), cadre(rank=mine.value), NOW)

    assert result.result(Rule.RANK).passed == (low.level <= mine.level <= high.level)


def test_fields_need_one_in_common():
    asked = rules(fields=(PETITION, SCIENCE))

    miss = check_eligibility(asked, cadre(fields=(VILLAGE,)), NOW).result(Rule.FIELD)
    hit = check_eligibility(asked, cadre(fields=(VILLAGE, SCIENCE)), NOW).result(Rule.FIELD)
    none = check_eligibility(asked, cadre(fields=()), NOW).result(Rule.FIELD)

    assert not miss.passed and hit.passed and not none.passed
    assert miss.explanation == "本榜面向信访维稳、科技创新领域，你的领域为乡村发展"
    assert none.explanation == "本榜面向信访维稳、科技创新领域，你尚未登记所属领域"


def test_age_counts_whole_years_on_the_closing_day_in_shanghai():
    # closes 2026-12-01 17:00 Shanghai = 09:00 UTC; born 1991-12-01: turns 35 that very day
    closes = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    asked = rules(age_limit=34, closes_at=closes)

    result = check_eligibility(asked, cadre(birth_date=date(1991, 12, 1)), NOW).result(Rule.AGE)
    day_later = check_eligibility(asked, cadre(birth_date=date(1991, 12, 2)), NOW).result(Rule.AGE)

    assert not result.passed
    assert result.explanation == "本榜要求截至揭榜截止日（2026-12-01）年龄不超过34周岁，届时你35周岁"
    assert day_later.passed


def test_age_uses_the_shanghai_date_even_when_utc_is_still_the_day_before():
    closes = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 2026-12-01 01:00 in Shanghai
    result = check_eligibility(rules(age_limit=34, closes_at=closes), cadre(birth_date=date(1991, 12, 1)), NOW)

    assert not result.result(Rule.AGE).passed


def test_age_without_a_closing_time_is_taken_today():
    result = check_eligibility(rules(age_limit=40, closes_at=None), cadre(birth_date=date(1986, 11, 24)), NOW)

    assert result.result(Rule.AGE).passed
    assert result.result(Rule.AGE).explanation == "本榜要求年龄不超过40周岁，你今天（2026-11-24）40周岁"


def test_someone_born_on_29_february_turns_a_year_older_on_1_march():
    born = date(1992, 2, 29)
    assert age_on(born, date(2027, 2, 28)) == 34
    assert age_on(born, date(2027, 3, 1)) == 35
    assert age_on(born, date(2028, 2, 29)) == 36


@given(st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)),
       st.dates(min_value=date(2020, 1, 1), max_value=date(2060, 12, 31)))
def test_age_grows_by_one_on_each_birthday_and_never_in_between(born, day):
    age = age_on(born, day)
    assert age_on(born, day + timedelta(days=1)) in (age, age + 1)
    assert day.year - born.year - 1 <= age <= day.year - born.year


def test_an_eligible_unit_includes_its_sub_units():
    county = rules(units=(COUNTY,))

    assert check_eligibility(county, cadre(unit_chain=(TOWN, COUNTY, CITY)), NOW).result(Rule.UNIT).passed
    assert check_eligibility(county, cadre(unit_chain=(COUNTY, CITY)), NOW).result(Rule.UNIT).passed
    elsewhere = check_eligibility(county, cadre(unit_chain=(OTHER, CITY)), NOW).result(Rule.UNIT)
    parent_only = check_eligibility(rules(units=(TOWN,)), cadre(unit_chain=(COUNTY, CITY)), NOW).result(Rule.UNIT)

    assert not elsewhere.passed and not parent_only.passed
    assert elsewhere.explanation == "本榜面向青山县（含下属单位）的干部，你所在单位为临河区"


def test_the_window_must_be_open_by_the_server_clock():
    upcoming = rules(opens_at=NOW + timedelta(hours=1))
    closed = rules(closes_at=NOW)  # closes at this very moment: closed
    cancelled = rules(status="cancelled")

    assert check_eligibility(rules(), cadre(), NOW).result(Rule.WINDOW).explanation == \
        "揭榜截止时间为2026-12-04 10:00，现在可以揭榜"
    assert check_eligibility(upcoming, cadre(), NOW).result(Rule.WINDOW).explanation == \
        "揭榜将于2026-11-24 11:00开始，现在还不能揭榜"
    assert check_eligibility(closed, cadre(), NOW).result(Rule.WINDOW).explanation == "揭榜已于2026-11-24 10:00截止"
    assert check_eligibility(cancelled, cadre(), NOW).result(Rule.WINDOW).explanation == "本榜当前不接受揭榜（已撤榜）"
    assert not check_eligibility(closed, cadre(), NOW).eligible


def test_failures_name_only_the_rules_that_failed():
    verdict = check_eligibility(rules(rank_min="division", units=(OTHER,)), cadre(), NOW)

    assert not verdict.eligible
    assert [r.rule for r in verdict.failures] == [Rule.RANK, Rule.UNIT]
    assert verdict.failures[0].label == "职级"


def test_unit_chain_walks_up_to_the_root_and_survives_a_cycle():
    rows = [(1, None, "江州市"), (2, 1, "青山县"), (3, 2, "姜庄镇人民政府"), (7, 8, "甲"), (8, 7, "乙")]

    assert unit_chain_from(rows, 3) == (TOWN, COUNTY, CITY)
    assert [u.id for u in unit_chain_from(rows, 7)] == [7, 8]
    assert unit_chain_from(rows, 99) == ()


def test_explanations_follow_the_english_locale():
    from arena import i18n

    token = i18n.current_locale.set("en")
    try:
        verdict = check_eligibility(rules(rank_min="deputy_section", rank_max="division"), cadre(), NOW)
    finally:
        i18n.current_locale.reset(token)

    assert verdict.result(Rule.RANK).explanation == \
        "This challenge requires a rank from Deputy section level to Division level; your rank is Section level"
