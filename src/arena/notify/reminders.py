"""Scheduled reminders, run by `arena worker`. Each rule finds who should be reminded of what;
`run_reminders` writes each (rule, object, person) once, ever, even with several workers: the
row in `sent_reminder` is inserted first and its unique key decides who sends."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from arena.clock import Clock
from arena.db import dialect_insert
from arena.faults import pause_point
from arena.notify.models import SentReminder
from arena.notify.service import notify


@dataclass(frozen=True)
class Reminder:
    object_type: str
    object_id: int | str  # a str may carry more than the id, e.g. "seat@due date" (review.reminders)
    recipient_id: int
    title: str
    body: str
    link: str


Rule = Callable[[AsyncSession, Clock], Awaitable[list[Reminder]]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn
    return register


async def _claim(db: AsyncSession, clock: Clock, name: str, reminder: Reminder) -> bool:
    values = {"rule": name, "object_type": reminder.object_type, "object_id": str(reminder.object_id),
              "recipient_id": reminder.recipient_id, "sent_at": clock.now(), "created_at": clock.now(),
              "updated_at": clock.now()}
    result = await db.execute(dialect_insert(db, SentReminder).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


REMINDER_MODULES = ("arena.bids.reminders", "arena.execution.reminders", "arena.review.reminders")
"""The areas' rules, registered when imported (they need this module, so it cannot import them first)."""


async def run_reminders(db: AsyncSession, clock: Clock) -> int:
    """One pass over every rule; returns how many reminders were sent (by this worker)."""
    for module in REMINDER_MODULES:
        importlib.import_module(module)
    sent = 0
    for name, find in RULES.items():
        for reminder in await find(db, clock):
            if await _claim(db, clock, name, reminder):
                sent += await notify(db, clock, [reminder.recipient_id], name, reminder.title, reminder.body,
                                     reminder.link)
                await pause_point("reminders.sent")  # crash tests kill the worker between two reminders
    return sent
