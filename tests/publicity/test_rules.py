"""Publicity's pure rules: the period of N working days (2026 National Day and Spring Festival,
a year not yet entered) and the winners proposed once objections remove bids."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arena.clock import DISPLAY_TZ
from arena.publicity.rules import proposed_winners, publicity_period
from arena.workdays.days import Calendar, MissingYear
from arena.workdays.service import package_exceptions

CAL_2026 = Calendar(frozenset({2026}), {d: w for d, (w, _n) in package_exceptions(2026).items()})


def beijing(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISPLAY_TZ).astimezone(UTC)


def test_a_period_published_before_national_day_skips_the_holiday_and_counts_the_make_up_saturday():
    # Published Wed 30 Sep 2026: 1–7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
    period = publicity_period(beijing(date(2026, 9, 30)), 5, CAL_2026)
    assert (period.first_day, period.last_day) == (date(2026, 10, 8), date(2026, 10, 13))
    assert period.ends_at == datetime(2026, 10, 14, 0, 0, tzinfo=DISPLAY_TZ)


def test_a_period_over_spring_festival_counts_the_make_up_saturdays():
    # Published Fri 13 Feb 2026: Sat 14 works (1); 15–23 Feb off; Tue 24 … Fri 27 (2–5); Sat 28 works (6).
    period = publicity_period(beijing(date(2026, 2, 13)), 5, CAL_2026)
    assert (period.first_day, period.last_day) == (date(2026, 2, 14), date(2026, 2, 27))
    assert publicity_period(beijing(date(2026, 2, 13)), 6, CAL_2026).last_day == date(2026, 2, 28)


def test_the_day_of_publication_never_counts_even_late_at_night_in_utc():
    # 23:30 Beijing on Mon 23 Nov is 15:30 UTC the same day: the period starts on Tue 24 Nov.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=DISPLAY_TZ)
    assert publicity_period(late, 1, CAL_2026).last_day == date(2026, 11, 24)
    # 00:30 Beijing on Tue 24 Nov is still Mon 23 Nov in UTC: Tuesday is the day of publication.
    early = datetime(2026, 11, 24, 0, 30, tzinfo=DISPLAY_TZ)
    assert publicity_period(early, 1, CAL_2026).last_day == date(2026, 11, 25)


def test_a_period_reaching_an_unknown_year_is_refused_until_the_year_is_entered():
    with pytest.raises(MissingYear) as missing:
        publicity_period(beijing(date(2026, 12, 28)), 5, CAL_2026)
    assert missing.value.year == 2027
    entered = Calendar(frozenset({2026, 2027}), dict(CAL_2026.exceptions) | {date(2027, 1, 1): False})
    assert publicity_period(beijing(date(2026, 12, 28)), 5, entered).last_day == date(2027, 1, 5)


RANKING = [{"bid": "P03", "rank": 1, "passes": True}, {"bid": "P01", "rank": 2, "passes": True},
           {"bid": "P04", "rank": 2, "passes": True}, {"bid": "P02", "rank": 4, "passes": False}]


def test_winners_move_up_when_an_objection_removes_a_bid():
    assert proposed_winners(RANKING, [], 1) == ["P03"]
    assert proposed_winners(RANKING, ["P03"], 1) == ["P01", "P04"]  # a tie for the place keeps both
    assert proposed_winners(RANKING, ["P03", "P01"], 1) == ["P04"]
    assert proposed_winners(RANKING, ["P03", "P01", "P04"], 1) == []  # P02 never passed: a failed listing
    assert proposed_winners(RANKING, [], 2) == ["P03", "P01", "P04"]


@given(st.lists(st.tuples(st.integers(1, 6), st.booleans()), min_size=0, max_size=8),
       st.sets(st.integers(0, 7)), st.integers(1, 4))
def test_proposed_winners_pass_are_not_excluded_and_never_outrank_a_left_out_passing_bid(rows, out, places):
    ranking = sorted(({"bid": f"P{i:02d}", "rank": rank, "passes": passes} for i, (rank, passes) in enumerate(rows)),
                     key=lambda r: r["rank"])
    excluded = [f"P{i:02d}" for i in out]
    winners = proposed_winners(ranking, excluded, places)
    by_code = {r["bid"]: r for r in ranking}
    assert all(by_code[w]["passes"] and w not in excluded for w in winners)
    left = [r for r in ranking if r["passes"] and r["bid"] not in excluded and r["bid"] not in winners]
    assert all(by_code[w]["rank"] <= r["rank"] for w in winners for r in left)
    eligible = [r for r in ranking if r["passes"] and r["bid"] not in excluded]
    assert len(winners) >= min(places, len(eligible))
