"""Working-day arithmetic over the 2026 arrangement (National Day, Spring Festival) and 2027."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arena.workdays.days import Calendar, MissingYear, nth_working_day_after, working_days_between
from arena.workdays.service import PACKAGE_YEARS, package_exceptions

CAL_2026 = Calendar(frozenset({2026}), {d: w for d, (w, _n) in package_exceptions(2026).items()})


def test_national_day_2026():
    # 30 Sep 2026 (Wed): 1 Oct (Thu) – 7 Oct (Wed) off, weekends included; 8 Oct (Thu) works again;
    # 10 Oct (Sat) is a make-up working day.
    assert nth_working_day_after(date(2026, 9, 30), 1, CAL_2026) == date(2026, 10, 8)
    assert nth_working_day_after(date(2026, 9, 30), 3, CAL_2026) == date(2026, 10, 10)
    assert nth_working_day_after(date(2026, 9, 30), 5, CAL_2026) == date(2026, 10, 13)
    assert CAL_2026.is_workday(date(2026, 9, 20))  # Sunday, made up for the holiday
    assert not CAL_2026.is_workday(date(2026, 9, 25))  # Friday, Mid-autumn


def test_spring_festival_2026():
    # Sat 14 Feb works; 16–23 Feb off; Sat 28 Feb works.
    assert CAL_2026.is_workday(date(2026, 2, 14)) and CAL_2026.is_workday(date(2026, 2, 28))
    assert nth_working_day_after(date(2026, 2, 13), 1, CAL_2026) == date(2026, 2, 14)
    assert nth_working_day_after(date(2026, 2, 14), 1, CAL_2026) == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28), CAL_2026) == 1 + 4 + 1


def test_a_year_without_an_arrangement_is_refused_and_works_once_entered():
    with pytest.raises(MissingYear) as missing:
        nth_working_day_after(date(2026, 12, 28), 5, CAL_2026)
    assert missing.value.year == 2027
    entered = Calendar(frozenset({2026, 2027}), dict(CAL_2026.exceptions) | {date(2027, 1, 1): False})
    # 28 Dec 2026 (Mon): 29, 30, 31 Dec, then 1 Jan 2027 (Fri) is off, Mon 4 and Tue 5 Jan.
    assert nth_working_day_after(date(2026, 12, 28), 5, entered) == date(2027, 1, 5)


def test_the_built_in_years_are_what_chinese_calendar_knows():
    assert min(PACKAGE_YEARS) == 2004 and max(PACKAGE_YEARS) == 2026
    names = {n for _w, n in package_exceptions(2026).values()}
    assert {"春节", "国庆节", "元旦"} <= names


@settings(max_examples=100, deadline=None)
@given(start=st.dates(date(2026, 1, 1), date(2026, 11, 30)), n=st.integers(1, 20))
def test_the_nth_working_day_is_a_working_day_with_n_working_days_up_to_it(start, n):
    end = nth_working_day_after(start, n, CAL_2026)
    assert CAL_2026.is_workday(end)
    assert working_days_between(start, end, CAL_2026) == n
    assert working_days_between(start, end - timedelta(days=1), CAL_2026) == n - 1
