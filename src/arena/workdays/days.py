"""Working-day arithmetic: pure functions over a `Calendar` (no database, no clock).

A day is a working day when the calendar says so: its year must have an arrangement (otherwise
`MissingYear`, so a deadline is never computed from a guess), then an exception decides, then
the weekday rule (Monday–Friday).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


class MissingYear(Exception):
    def __init__(self, year: int) -> None:
        super().__init__(f"no working-day arrangement for {year}")
        self.year = year


@dataclass(frozen=True)
class Calendar:
    years: frozenset[int]
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years:
            raise MissingYear(day.year)
        return self.exceptions.get(day, day.weekday() < 5)


def nth_working_day_after(start: date, n: int, calendar: Calendar) -> date:
    """The n-th working day after `start` (start itself not counted); n ≥ 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day


def working_days_between(start: date, end: date, calendar: Calendar) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_workday(day)
    return count


def exceptions_of_year(year: int, is_workday: Callable[[date], bool]) -> dict[date, bool]:
    """The days of `year` where `is_workday` (e.g. chinese-calendar's) breaks the weekday rule."""
    day, found = date(year, 1, 1), {}
    while day.year == year:
        official = bool(is_workday(day))
        if official != (day.weekday() < 5):
            found[day] = official
        day += timedelta(days=1)
    return found
