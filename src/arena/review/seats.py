"""Seats on a panel (专家组席位): the expert's answer to an invitation (accepting opens one sheet
per scored bid, declining promotes the next reserve) and the organizer naming the chair."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.clock import Clock
from arena.db import get_or_none
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review import policy
from arena.review.conflicts import challenge_parties, conflicted_bids, declared
from arena.review.models import (
    Panel,
    PanelPurpose,
    PanelSeat,
    PanelStatus,
    ScoreSheet,
    SeatStatus,
    SheetStatus,
)
from arena.review.service import _invitation_title, expert_of, page_of, panel_of, seat_facts
from arena.review.transitions import SEAT
from arena.units.models import Expert

# --- the expert's answer ------------------------------------------------------------------------

async def own_seat(db: AsyncSession, actor: Actor, seat_id: int) -> tuple[PanelSeat, Panel, Expert]:
    """The actor's own invitation (policy.holds_seat), with its panel; anyone else's: not found."""
    expert = await expert_of(db, actor)
    seat = await get_or_none(db, PanelSeat, seat_id, joinedload(PanelSeat.expert))
    if seat is None or not policy.holds_seat(actor, seat_facts(seat, seat.expert)):
        raise NotFound(_("没有找到这份评审邀请"))
    panel = await db.get(Panel, seat.panel_id)
    assert panel is not None
    return seat, panel, expert


async def answer(db: AsyncSession, clock: Clock, actor: Actor, seat_id: int, accept: bool, reason: str) -> None:
    seat, panel, expert = await own_seat(db, actor, seat_id)
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，不能再答复邀请"))
    action = "accept" if accept else "decline"
    SEAT.check(action, seat.status)
    if not accept and not reason.strip():
        raise FormErrors({"reason": _("请填写谢绝的理由")})
    seat.responded_at = clock.now()
    seat.decline_reason = None if accept else reason.strip()
    await SEAT.move(db, clock, actor, "expert", seat, action,
                    {"panel": panel.id, "expert": expert.code} | ({} if accept else {"reason": reason.strip()}))
    if accept:
        await _open_sheets(db, clock, panel, expert)
    else:
        await _promote_reserve(db, clock, actor, panel)


async def _open_sheets(db: AsyncSession, clock: Clock, panel: Panel, expert: Expert) -> None:
    """One sheet per scored bid; a conflict found since the draw recuses that sheet."""
    parties = await challenge_parties(db, panel.challenge_id, PanelPurpose(panel.purpose))
    conflicts = conflicted_bids(expert, parties, (await declared(db, [expert.id])).get(expert.id, []))
    for bid_id in sorted(parties.bids):
        reason = conflicts.get(bid_id)
        db.add(ScoreSheet(panel_id=panel.id, expert_id=expert.id, bid_id=bid_id,
                          status=(SheetStatus.RECUSED if reason else SheetStatus.DRAFT).value, recusal_reason=reason))
    await db.flush()


async def _promote_reserve(db: AsyncSession, clock: Clock, actor: Actor, panel: Panel) -> None:
    reserve = await db.scalar(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                      PanelSeat.status == SeatStatus.RESERVE.value)
                              .order_by(PanelSeat.drawn_rank).limit(1).options(joinedload(PanelSeat.expert)))
    challenge = await db.get(Challenge, panel.challenge_id)
    assert challenge is not None
    if reserve is None:
        await notify(db, clock, [challenge.organizer_id], "review.reserves_exhausted",
                     _("后备专家已用尽：{title}").format(title=challenge.title),
                     _("有席位空缺（专家谢绝或被替换），但已没有后备专家可以递补：可在评审页面公布补充抽取承诺。"),
                     f"/organizer/challenges/{challenge.id}/{page_of(panel.purpose)}")
        return
    reserve.invited_at = clock.now()
    await SEAT.move(db, clock, actor, "expert", reserve, "promote",
                    {"panel": panel.id, "expert": reserve.expert.code, "drawn_rank": reserve.drawn_rank})
    await notify(db, clock, [reserve.expert.user_id], "review.invited", _invitation_title(panel.purpose, challenge),
                 _("你作为后备专家递补进入评审专家组，请确认是否参加。"), "/review")


async def set_chair(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, seat_id: int,
                    purpose: PanelPurpose = PanelPurpose.BID) -> None:
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None or panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("只有评审进行中才能指定组长"))
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id)
                              .options(joinedload(PanelSeat.expert)))).all()
    chosen = next((s for s in seats if s.id == seat_id and s.status == SeatStatus.ACCEPTED.value), None)
    if chosen is None:
        raise DomainError(_("组长须是已接受邀请的专家组成员"))
    for seat in seats:
        seat.is_chair = seat is chosen
    await audit.record(db, clock, actor, "organizer", "panel.chair", "panel", panel.id,
                       {"expert": chosen.expert.code})
    await notify(db, clock, [chosen.expert.user_id], "review.chair",
                 _("你被指定为评审组组长：{title}").format(title=challenge.title),
                 _("组长可以查看评分进度和偏离提示，并可退回评分表重评。"), f"/review/panels/{panel.id}")

