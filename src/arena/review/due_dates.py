"""Review due dates in service form: set or change a panel's due date, chase (催评) a late
expert, and replace one who has not finished once the date has passed. The rules themselves
are pure, in review.deadlines; here they meet the database, the audit chain and the inbox.

Sealed scores (DESIGN §5): nothing here reads a score or a comment. Replacing an expert voids
their sheets (kept, never deleted) and the replacement opens new sheets of their own, so the
replaced expert's drafts are never shown to anyone who scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.clock import DISPLAY_TZ, Clock
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review import deadlines, results, seats, service
from arena.review import sheets as review_sheets
from arena.review.models import Panel, PanelPurpose, PanelSeat, PanelStatus, ScoreSheet, SeatStatus, SheetStatus
from arena.review.transitions import SEAT, SHEET

LATEST_DUE = 365
"""A due date more than a year ahead is a typo, not a plan."""


def parse_due(text: str, clock: Clock, *, required: bool = False) -> date | None:
    """The due-date field (YYYY-MM-DD, Beijing): today or later, within a year."""
    text = (text or "").strip()
    if not text:
        if required:
            raise FormErrors({"due_on": _("请选择评审截止日期")})
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise FormErrors({"due_on": _("请按 年-月-日 填写日期，例如 2026-12-20")}) from None
    today = clock.today()
    if day < today:
        raise FormErrors({"due_on": _("评审截止日期不能早于今天（北京时间 {today}）").format(today=today.isoformat())})
    if (day - today).days > LATEST_DUE:
        raise FormErrors({"due_on": _("评审截止日期不能晚于一年以后")})
    return day


async def set_due(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, purpose: PanelPurpose,
                  due_on: date, reason: str) -> Panel:
    """Set the panel's due date, or change it before close with a reason (audited). Members
    already seated are told of a change."""
    panel = await service.panel_of(db, challenge.id, purpose)
    if panel is None:
        raise DomainError(_("先公布抽取承诺，再设定评审截止日期"))
    if panel.status == PanelStatus.CLOSED.value:
        raise DomainError(_("评审已结束，不能再更改截止日期"))
    previous = panel.due_on
    if previous == due_on:
        return panel
    reason = reason.strip()
    if previous is not None and not reason:
        raise FormErrors({"due_reason": _("更改评审截止日期须说明理由")})
    panel.due_on = due_on
    await audit.record(db, clock, actor, "organizer", "panel.due", "panel", panel.id, {
        "challenge": challenge.id, "purpose": panel.purpose, "due_on": due_on.isoformat(),
        "previous": previous.isoformat() if previous else None, "reason": reason or None})
    if previous is not None and panel.status == PanelStatus.DRAWN.value:
        members = (await db.scalars(select(PanelSeat).where(
            PanelSeat.panel_id == panel.id, PanelSeat.status.in_([SeatStatus.INVITED.value, SeatStatus.ACCEPTED.value]))
            .options(joinedload(PanelSeat.expert)))).all()
        await notify(db, clock, [s.expert.user_id for s in members], "review.due_changed",
                     _("评审截止日期已调整：{title}").format(title=challenge.title),
                     _("评审截止日期由 {old} 调整为 {new}。理由：{reason}").format(
                         old=previous.isoformat(), new=due_on.isoformat(), reason=reason), "/review")
    return panel


@dataclass(frozen=True)
class SeatWork:
    """One seat of a drawn panel and what it still owes, for the chase and replace buttons."""

    seat: PanelSeat
    submitted: int
    to_score: int
    may_chase: bool
    may_replace: bool

    @property
    def unsubmitted(self) -> int:
        return self.to_score - self.submitted


def seat_work(panel: Panel, progress: list[results.SeatProgress], today: date) -> dict[int, SeatWork]:
    """Seat id → what it owes and which buttons the page offers (the throttle is checked on post)."""
    found = {}
    for p in progress:
        owed = p.to_score - p.submitted
        open_panel = panel.status == PanelStatus.DRAWN.value
        found[p.seat.id] = SeatWork(
            p.seat, p.submitted, p.to_score,
            open_panel and panel.due_on is not None and deadlines.has_work_left(p.seat.status, owed),
            open_panel and deadlines.replace_refusal(panel.due_on, today, p.seat.status, owed) is None)
    return found


async def _panel_seat(db: AsyncSession, panel: Panel, seat_id: int) -> tuple[PanelSeat, int]:
    """A seat of this panel with its unsubmitted sheet count, else 404."""
    seat = await db.scalar(select(PanelSeat).where(PanelSeat.id == seat_id, PanelSeat.panel_id == panel.id)
                           .options(joinedload(PanelSeat.expert))) if valid_id(seat_id) else None
    if seat is None:
        raise NotFound(_("没有找到这位专家"))
    counts = await review_sheets._sheet_counts(db, [panel.id], seat.expert_id)
    submitted, to_score = counts.get((panel.id, seat.expert_id), (0, 0))
    return seat, to_score - submitted


async def chase(db: AsyncSession, clock: Clock, actor: Actor, panel: Panel, challenge: Challenge, seat_id: int,
                role: str) -> PanelSeat:
    """Send a chase (催评) to a seat that still owes work: at most once a day per seat, whoever
    sends it (the claim on `chased_at` is one conditional update, so two clicks cannot both
    pass). Audited as `panel.chase` with the seat, never a score."""
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("只有评审进行中才能催评"))
    if panel.due_on is None:
        raise DomainError(_("评审截止日期设定后才能催评"))
    seat, owed = await _panel_seat(db, panel, seat_id)
    if not deadlines.has_work_left(seat.status, owed):
        raise DomainError(_("{name} 没有待完成的评审，不需要催评").format(name=seat.expert.name))
    now = clock.now()
    claimed = (await db.execute(
        update(PanelSeat).where(PanelSeat.id == seat.id, or_(PanelSeat.chased_at.is_(None),
                                                             PanelSeat.chased_at <= now - deadlines.CHASE_INTERVAL))
        .values(chased_at=now))).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        await db.refresh(seat, ["chased_at"])
        after = deadlines.next_chase_at(seat.chased_at, now) or now
        raise DomainError(_("已于 {at} 向 {name} 催评，24 小时内只能催评一次；{next} 后可再次催评").format(
            at=_shown(seat.chased_at or now), name=seat.expert.name, next=_shown(after)))
    await db.refresh(seat, ["chased_at"])
    await audit.record(db, clock, actor, role, "panel.chase", "panel_seat", seat.id,
                       {"panel": panel.id, "seat": seat.id, "expert": seat.expert.code})
    countdown = deadlines.countdown(panel.due_on, clock.today())
    await notify(db, clock, [seat.expert.user_id], "review.chase", _("催评：{title}").format(title=challenge.title),
                 _("评审截止日期 {day}（{left}），你还有评审工作没有完成，请尽快处理。").format(
                     day=panel.due_on.isoformat(), left=countdown_text(countdown)), "/review")
    return seat


def _shown(moment: datetime) -> str:
    return moment.astimezone(DISPLAY_TZ).strftime("%m-%d %H:%M")


def countdown_text(countdown: deadlines.Countdown | None) -> str:
    """The countdown's words, as the pages show them."""
    if countdown is None:
        return ""
    if countdown.kind is deadlines.CountdownKind.LEFT:
        return _("还剩 {n} 天").format(n=countdown.days)
    if countdown.kind is deadlines.CountdownKind.TODAY:
        return _("今天截止")
    return _("已逾期 {n} 天").format(n=countdown.days)


REPLACE_REFUSALS = {
    deadlines.ReplaceRefusal.NO_DUE_DATE: "没有设定评审截止日期，不能替换专家",
    deadlines.ReplaceRefusal.NOT_YET_DUE: "评审截止日期（{day}）过后才能替换未完成评审的专家",
    deadlines.ReplaceRefusal.NOTHING_OWED: "{name} 已完成全部评分表，不能替换",
}


async def replace(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, panel: Panel, seat_id: int,
                  reason: str) -> bool:
    """Replace a late expert with the next reserve (DESIGN §2.4): the seat becomes `replaced`,
    every sheet of theirs on this panel becomes void (state, not delete), the next reserve is
    invited (seats._promote_reserve). Returns False when no reserve was left: the page then
    offers the supplementary draw (补充抽取)."""
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("只有评审进行中才能替换专家"))
    seat, owed = await _panel_seat(db, panel, seat_id)
    refusal = deadlines.replace_refusal(panel.due_on, clock.today(), seat.status, owed)
    if refusal is not None:
        raise DomainError(_(REPLACE_REFUSALS[refusal]).format(
            day=panel.due_on.isoformat() if panel.due_on else "", name=seat.expert.name))
    reason = reason.strip()
    if not reason:
        raise FormErrors({f"replace-{seat.id}": _("请填写替换的理由")})
    SEAT.check("replace", seat.status)
    was_chair, seat.is_chair = seat.is_chair, False
    sheets = (await db.scalars(select(ScoreSheet).where(
        ScoreSheet.panel_id == panel.id, ScoreSheet.expert_id == seat.expert_id,
        ScoreSheet.status.in_([SheetStatus.DRAFT.value, SheetStatus.SUBMITTED.value])))).all()
    for sheet in sheets:
        SHEET.move_quietly(sheet, "void")  # the one seat.replace event counts them (`voided`)
        sheet.revision += 1  # an open page of the replaced expert can no longer save
    await SEAT.move(db, clock, actor, "organizer", seat, "replace", {
        "panel": panel.id, "expert": seat.expert.code, "reason": reason, "voided": len(sheets),
        "was_chair": was_chair})
    await notify(db, clock, [seat.expert.user_id], "review.replaced",
                 _("你已被替换出评审专家组：{title}").format(title=challenge.title),
                 _("评审截止日期已过，你的评审尚未完成，发榜单位已按抽取顺序由后备专家递补。理由：{reason}").format(
                     reason=reason), "/review")
    reserve_left = await db.scalar(select(PanelSeat.id).where(
        PanelSeat.panel_id == panel.id, PanelSeat.status == SeatStatus.RESERVE.value).limit(1))
    await seats._promote_reserve(db, clock, actor, panel)
    await db.flush()
    return reserve_left is not None


async def chair_panel(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge]:
    """The panel the actor chairs (the same check as the chair's page)."""
    panel, challenge, _rows = await review_sheets.chair_view(db, actor, panel_id)
    return panel, challenge


def page_context(panel: Panel | None, progress: list[results.SeatProgress], today: date) -> dict[str, object]:
    """What the organizer's page shows of the due date: the countdown and, per seat, the buttons."""
    if panel is None:
        return {"due": None, "work": {}, "countdown_text": countdown_text}
    return {"due": deadlines.countdown(panel.due_on, today), "work": seat_work(panel, progress, today),
            "countdown_text": countdown_text}


def expert_context(clock: Clock) -> dict[str, object]:
    """The countdown helpers the expert's pages use: `due_for(panel.due_on)` and its words."""
    today = clock.today()

    def due_for(due_on: date | None) -> deadlines.Countdown | None:
        return deadlines.countdown(due_on, today)

    return {"due_for": due_for, "countdown_text": countdown_text}


async def chair_chase_rows(db: AsyncSession, clock: Clock, panel: Panel) -> list[SeatWork]:
    """The members the chair may chase: those who still owe work, while the panel scores."""
    work = seat_work(panel, await results.seats_with_progress(db, panel), clock.today())
    return [w for w in work.values() if w.may_chase]



def page_countdown(request: Any, due_on: date | None) -> deadlines.Countdown | None:
    """A panel's countdown by the app's clock, for a template whose route has no clock at hand
    (the score sheet's shared context): `page_countdown(request, panel.due_on)`."""
    return deadlines.countdown(due_on, request.app.state.clock.today())
