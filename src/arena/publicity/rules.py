"""Publicity rules as pure functions: the period of N working days, and who is proposed to win
once objections have removed bids. No database, no clock: the callers pass both in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from arena.clock import DISPLAY_TZ, day_of
from arena.workdays.days import Calendar, nth_working_day_after

DEFAULT_WORKING_DAYS = 5
MAX_WORKING_DAYS = 30


@dataclass(frozen=True)
class Period:
    first_day: date  # the first working day after publication
    last_day: date  # the N-th
    ends_at: datetime  # midnight after the last day, Beijing time (an aware datetime)


def publicity_period(published_at: datetime, working_days: int, calendar: Calendar) -> Period:
    """The period runs for N full working days after the day of publication (that day itself
    does not count, so an objector always has N whole days), ending at midnight Beijing time.
    Raises MissingYear when the period reaches a year the calendar does not know."""
    published_on = day_of(published_at)
    first = nth_working_day_after(published_on, 1, calendar)
    last = nth_working_day_after(published_on, working_days, calendar)
    return Period(first, last, datetime.combine(last + timedelta(days=1), time(0), tzinfo=DISPLAY_TZ))


def proposed_winners(ranking: Sequence[Mapping[str, Any]], excluded: Iterable[str], places: int) -> list[str]:
    """Review codes proposed to win: the bids of the frozen ranking that pass, leaving out the
    excluded ones, taken in rank order while fewer than `places` bids rank strictly above them
    (so a tie for the last place keeps both, as in the review's own winners)."""
    out = set(excluded)
    remaining = [row for row in ranking if row["passes"] and row["bid"] not in out]
    return [row["bid"] for row in remaining
            if sum(1 for other in remaining if other["rank"] < row["rank"]) < places]
