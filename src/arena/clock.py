"""The one source of the current time, so tests can move it (STYLE: never datetime.now() inline).

Times are stored in UTC and shown in Asia/Shanghai (DESIGN §3).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """Wall clock in UTC; `FrozenClock` in tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)


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
