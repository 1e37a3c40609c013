"""The worker's due-date reminders to experts (评审截止提醒): three days before, one day before and
the day after the panel's due date, to every seated expert who still owes work. Each fires once
per seat and due date (notify.reminders claims a `sent_reminder` row first), so two workers send
it once, and a changed due date arms the three again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.challenges.models import Challenge
from arena.clock import Clock
from arena.i18n import gettext as _
from arena.notify.reminders import Reminder, rule
from arena.review import deadlines
from arena.review.due_dates import countdown_text
from arena.review.models import Panel, PanelSeat, PanelStatus, ScoreSheet, SeatStatus, SheetStatus
from arena.units.models import Expert

WINDOW = 3
"""The earliest reminder goes this many days before the due date."""


async def _late_seats(db: AsyncSession, clock: Clock, kind: deadlines.ReminderKind) -> list[Reminder]:
    today = clock.today()
    owed = (select(func.sum(case((ScoreSheet.status == SheetStatus.DRAFT.value, 1), else_=0)))
            .where(ScoreSheet.panel_id == PanelSeat.panel_id, ScoreSheet.expert_id == PanelSeat.expert_id)
            .correlate(PanelSeat).scalar_subquery())
    rows = (await db.execute(
        select(PanelSeat.id, PanelSeat.status, owed, Expert.user_id, Panel.due_on, Challenge.title)
        .join(Panel, Panel.id == PanelSeat.panel_id).join(Expert, Expert.id == PanelSeat.expert_id)
        .join(Challenge, Challenge.id == Panel.challenge_id)
        .where(Panel.status == PanelStatus.DRAWN.value, Panel.due_on.is_not(None),
               Panel.due_on <= today + timedelta(days=WINDOW), Expert.user_id.is_not(None),
               PanelSeat.status.in_([SeatStatus.INVITED.value, SeatStatus.ACCEPTED.value]))
        .order_by(PanelSeat.id).limit(2000))).tuples().all()
    found = []
    for seat_id, status, drafts, user_id, due_on, title in rows:
        if user_id is None or due_on is None or deadlines.reminder_due(due_on, today) is not kind:
            continue
        if not deadlines.has_work_left(status, int(drafts or 0)):
            continue
        left = countdown_text(deadlines.countdown(due_on, today))
        if kind is deadlines.ReminderKind.OVERDUE:
            title_text = _("评审已逾期：{title}").format(title=title)
            body = _("评审截止日期 {day} 已过（{left}），你的评审尚未完成。请尽快完成，"
                     "逾期未完成的可能由后备专家替换。")
        else:
            title_text = _("评审即将截止：{title}").format(title=title)
            body = _("评审截止日期 {day}（{left}），你的评审尚未完成，请按时提交评分表。")
        # The due date is part of the object: a changed date arms the reminders again.
        found.append(Reminder("panel_seat", f"{seat_id}@{due_on.isoformat()}",
                              int(user_id), title_text, body.format(day=due_on.isoformat(), left=left), "/review"))
    return found


@rule(deadlines.ReminderKind.THREE_DAYS.value)
async def due_in_three_days(db: AsyncSession, clock: Clock) -> list[Reminder]:
    return await _late_seats(db, clock, deadlines.ReminderKind.THREE_DAYS)


@rule(deadlines.ReminderKind.ONE_DAY.value)
async def due_in_one_day(db: AsyncSession, clock: Clock) -> list[Reminder]:
    return await _late_seats(db, clock, deadlines.ReminderKind.ONE_DAY)


@rule(deadlines.ReminderKind.OVERDUE.value)
async def overdue(db: AsyncSession, clock: Clock) -> list[Reminder]:
    return await _late_seats(db, clock, deadlines.ReminderKind.OVERDUE)
