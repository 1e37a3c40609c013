"""The one source of the current time, so tests can move it (STYLE: never datetime.now() inline).

Times are stored in UTC and shown in Asia/Shanghai (DESIGN §3).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """Wall clock in UTC; `FrozenClock` in tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        """Today in Beijing: the day every deadline, letter and reminder is dated by (never the
        UTC date, which is yesterday's from 00:00 to 08:00 Beijing)."""
        return day_of(self.now())


def day_of(moment: datetime) -> date:
    """The day in Beijing a stored moment falls on (a notice's date, a period's first day)."""
    return moment.astimezone(DISPLAY_TZ).date()


class OffsetClock(Clock):
    """The wall clock moved by a fixed offset, for rehearsing a challenge's whole life in an
    afternoon (ARENA_CLOCK_OFFSET, refused in production; every page shows a banner)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def clock_for(offset: timedelta) -> Clock:
    return OffsetClock(offset) if offset else Clock()


OFFSET = re.compile(r"([+-]?)((?:\d+[dhm])+)")
OFFSET_PART = re.compile(r"(\d+)([dhm])")


def parse_offset(text: str) -> timedelta | None:
    """"3d", "+2d12h", "-90m" → a timedelta; None when the text is not of that form."""
    match = OFFSET.fullmatch(text.strip().replace(" ", ""))
    if not match:
        return None
    units = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
    total = sum((int(n) * units[unit] for n, unit in OFFSET_PART.findall(match.group(2))), timedelta())
    return -total if match.group(1) == "-" else total


class FrozenClock(Clock):
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


def to_display(moment: datetime | None) -> datetime | None:
    """Convert a stored UTC moment for display in China Standard Time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(DISPLAY_TZ)
