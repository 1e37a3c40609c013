"""The due-date rules (review.deadlines) as tables across the due date: countdown words, which
reminder is due, the chase throttle and when a late expert may be replaced."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arena.review.deadlines import (
    CountdownKind,
    ReminderKind,
    ReplaceRefusal,
    countdown,
    has_work_left,
    next_chase_at,
    reminder_due,
    replace_refusal,
)

DUE = date(2026, 12, 10)


@pytest.mark.parametrize(("today", "kind", "days", "urgent"), [
    (date(2026, 12, 1), CountdownKind.LEFT, 9, False),
    (date(2026, 12, 6), CountdownKind.LEFT, 4, False),
    (date(2026, 12, 7), CountdownKind.LEFT, 3, True),
    (date(2026, 12, 9), CountdownKind.LEFT, 1, True),
    (date(2026, 12, 10), CountdownKind.TODAY, 0, True),
    (date(2026, 12, 11), CountdownKind.OVERDUE, 1, True),
    (date(2026, 12, 12), CountdownKind.OVERDUE, 2, True),
    (date(2027, 1, 10), CountdownKind.OVERDUE, 31, True),
])
def test_countdown_reads_left_today_or_late_in_beijing_days(today, kind, days, urgent):
    shown = countdown(DUE, today)
    assert shown is not None and (shown.kind, shown.days, shown.urgent, shown.due_on) == (kind, days, urgent, DUE)


def test_no_due_date_no_countdown():
    assert countdown(None, DUE) is None


@pytest.mark.parametrize(("days_before", "kind"), [
    (10, None), (4, None),
    (3, ReminderKind.THREE_DAYS), (2, ReminderKind.THREE_DAYS),  # a worker down on the day still sends it
    (1, ReminderKind.ONE_DAY), (0, ReminderKind.ONE_DAY),
    (-1, ReminderKind.OVERDUE), (-5, ReminderKind.OVERDUE),
])
def test_reminder_due_three_days_before_one_day_before_and_after(days_before, kind):
    assert reminder_due(DUE, DUE - timedelta(days=days_before)) is kind


NOW = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("last", "allowed_at"), [
    (None, None),
    (NOW - timedelta(hours=30), None),
    (NOW - timedelta(hours=24), None),
    (NOW - timedelta(hours=23, minutes=59), NOW + timedelta(minutes=1)),
    (NOW - timedelta(hours=1), NOW + timedelta(hours=23)),
    (NOW, NOW + timedelta(hours=24)),
])
def test_one_chase_per_seat_a_day(last, allowed_at):
    assert next_chase_at(last, NOW) == allowed_at


@pytest.mark.parametrize(("status", "unsubmitted", "owes"), [
    ("invited", 0, True), ("accepted", 2, True), ("accepted", 0, False),
    ("declined", 0, False), ("reserve", 0, False), ("replaced", 3, False),
])
def test_who_still_owes_work(status, unsubmitted, owes):
    assert has_work_left(status, unsubmitted) is owes


@pytest.mark.parametrize(("due_on", "today", "status", "unsubmitted", "refusal"), [
    (None, DUE, "accepted", 2, ReplaceRefusal.NO_DUE_DATE),
    (DUE, DUE - timedelta(days=1), "accepted", 2, ReplaceRefusal.NOT_YET_DUE),
    (DUE, DUE, "accepted", 2, ReplaceRefusal.NOT_YET_DUE),  # the due day itself is not late yet
    (DUE, DUE + timedelta(days=1), "accepted", 2, None),
    (DUE, DUE + timedelta(days=1), "invited", 0, None),  # never answered
    (DUE, DUE + timedelta(days=1), "accepted", 0, ReplaceRefusal.NOTHING_OWED),
    (DUE, DUE + timedelta(days=9), "reserve", 0, ReplaceRefusal.NOTHING_OWED),
    (DUE, DUE + timedelta(days=9), "replaced", 2, ReplaceRefusal.NOTHING_OWED),
])
def test_replace_only_after_the_due_date_and_only_who_owes_work(due_on, today, status, unsubmitted, refusal):
    assert replace_refusal(due_on, today, status, unsubmitted) is refusal
