"""Scheduled reminders, run by `arena worker`. Each rule finds who should be reminded of what;
`run_reminders` writes each (rule, object, person) once, ever, even with several workers: the
row in `sent_reminder` is inserted first and its unique key decides who sends."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import DISPLAY_TZ, Clock
from arena.db import dialect_insert
from arena.faults import pause_point
from arena.i18n import gettext as _
from arena.notify.models import SentReminder
from arena.notify.service import notify
from arena.units.models import Cadre


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


@rule("bid.window_closing")
async def drafts_before_the_deadline(db: AsyncSession, clock: Clock) -> list[Reminder]:
    """Cadres with an unsubmitted draft on a challenge that closes within three days."""
    now = clock.now()
    rows = await db.execute(
        select(Bid.id, Cadre.user_id, Challenge.title, Challenge.bid_closes_at)
        .join(Challenge, Challenge.id == Bid.challenge_id).join(Cadre, Cadre.id == Bid.lead_id)
        .where(Bid.status == BidStatus.DRAFT.value, Challenge.status == ChallengeStatus.PUBLISHED.value,
               Challenge.bid_closes_at > now, Challenge.bid_closes_at <= now + timedelta(days=3),
               Cadre.user_id.is_not(None)))
    return [Reminder("bid", bid_id, int(user_id), _("揭榜即将截止：{title}").format(title=title),
                     _("你的揭榜申报尚未提交，截止时间 {at}。截止后将不能提交。").format(
                         at=closes.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")), f"/bids/{bid_id}")
            for bid_id, user_id, title, closes in rows.tuples().all() if user_id is not None and closes]


@rule("bid.team_pending")
async def team_confirmation_pending(db: AsyncSession, clock: Clock) -> list[Reminder]:
    """Invited team members who have not answered while the window is still open."""
    now = clock.now()
    rows = await db.execute(
        select(BidMember.id, Cadre.user_id, Challenge.title)
        .join(Bid, Bid.id == BidMember.bid_id).join(Challenge, Challenge.id == Bid.challenge_id)
        .join(Cadre, Cadre.id == BidMember.cadre_id)
        .where(BidMember.status == MemberStatus.INVITED.value, Challenge.status == ChallengeStatus.PUBLISHED.value,
               Challenge.bid_closes_at > now, Cadre.user_id.is_not(None)))
    return [Reminder("bid_member", member_id, int(user_id), _("请确认团队邀请：{title}").format(title=title),
                     _("有揭榜团队邀请你加入，确认后对方才能提交。"), "/bids#invitations")
            for member_id, user_id, title in rows.tuples().all() if user_id is not None]


async def _claim(db: AsyncSession, clock: Clock, name: str, reminder: Reminder) -> bool:
    values = {"rule": name, "object_type": reminder.object_type, "object_id": str(reminder.object_id),
              "recipient_id": reminder.recipient_id, "sent_at": clock.now(), "created_at": clock.now(),
              "updated_at": clock.now()}
    result = await db.execute(dialect_insert(db, SentReminder).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


REMINDER_MODULES = ("arena.execution.reminders", "arena.review.reminders")
"""Later areas' rules, registered when imported (they need this module, so it cannot import them first)."""


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
