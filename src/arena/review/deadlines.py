"""Review due dates (评审截止日期), as pure rules: no database, no web (GLOSSARY `due_date` / `chase`).

Days are Beijing calendar days (the caller passes `clock.today()`, Beijing); a panel is
due at the end of its `due_on` day, so on that day it is "今天截止", not late. Service code
(review.due_dates) and the worker's reminders (review.reminders) ask these functions; the tests
read them as tables across the due date.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

CHASE_INTERVAL = timedelta(hours=24)
"""At most one chase (催评) per seat in this interval, whoever sends it."""


class CountdownKind(enum.StrEnum):
    LEFT = "left"  # 还剩 N 天
    TODAY = "today"  # 今天截止
    OVERDUE = "overdue"  # 已逾期 N 天


@dataclass(frozen=True)
class Countdown:
    kind: CountdownKind
    days: int  # days left (LEFT), 0 (TODAY) or days late (OVERDUE), always >= 0
    due_on: date

    @property
    def urgent(self) -> bool:
        """Three days or fewer left, or late: the page shows it in a warning colour."""
        return self.kind is not CountdownKind.LEFT or self.days <= 3


def countdown(due_on: date | None, today: date) -> Countdown | None:
    """What an expert reads beside a panel: None when the panel has no due date."""
    if due_on is None:
        return None
    left = (due_on - today).days
    if left > 0:
        return Countdown(CountdownKind.LEFT, left, due_on)
    if left == 0:
        return Countdown(CountdownKind.TODAY, 0, due_on)
    return Countdown(CountdownKind.OVERDUE, -left, due_on)


class ReminderKind(enum.StrEnum):
    """The worker's three reminders to a seat with work left; each is sent once per seat and due date."""

    THREE_DAYS = "review.due_in_3_days"
    ONE_DAY = "review.due_in_1_day"
    OVERDUE = "review.overdue"


def reminder_due(due_on: date, today: date) -> ReminderKind | None:
    """Which reminder is due on `today`. Windows rather than single days, so a worker that was
    down on the day still sends it the next pass: 3 days before (3 or 2 days left), 1 day before
    (1 day left or the day itself), and the day after (any day once late). A due date set with
    only one day left skips the three-day reminder."""
    left = (due_on - today).days
    if 2 <= left <= 3:
        return ReminderKind.THREE_DAYS
    if 0 <= left <= 1:
        return ReminderKind.ONE_DAY
    if left < 0:
        return ReminderKind.OVERDUE
    return None


def next_chase_at(last_chased_at: datetime | None, now: datetime) -> datetime | None:
    """None when a chase may be sent now; else the moment the throttle lets the next one go."""
    if last_chased_at is None or now - last_chased_at >= CHASE_INTERVAL:
        return None
    return last_chased_at + CHASE_INTERVAL


def has_work_left(seat_status: str, unsubmitted: int) -> bool:
    """A seat that still owes the panel something: an unanswered invitation, or an accepted seat
    with sheets not submitted (recused sheets are not owed)."""
    return seat_status == "invited" or (seat_status == "accepted" and unsubmitted > 0)


class ReplaceRefusal(enum.StrEnum):
    NO_DUE_DATE = "no_due_date"
    NOT_YET_DUE = "not_yet_due"  # on or before the due date
    NOTHING_OWED = "nothing_owed"  # every sheet submitted, or not a sitting member


def replace_refusal(due_on: date | None, today: date, seat_status: str, unsubmitted: int) -> ReplaceRefusal | None:
    """None when the organizer may replace the seat's expert with the next reserve: only once the
    due date has passed, and only a member who still owes the panel work."""
    if due_on is None:
        return ReplaceRefusal.NO_DUE_DATE
    if today <= due_on:
        return ReplaceRefusal.NOT_YET_DUE
    if not has_work_left(seat_status, unsubmitted):
        return ReplaceRefusal.NOTHING_OWED
    return None
