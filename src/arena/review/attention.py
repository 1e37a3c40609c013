"""What the home page shows experts and organizers about review (one query each)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import Clock
from arena.home.attention import AttentionItem, provider
from arena.i18n import gettext as _
from arena.review.models import Panel, PanelSeat, PanelStatus, ScoreSheet, SeatStatus, SheetStatus
from arena.units.models import Expert


@provider(Role.EXPERT)
async def expert_review(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    me = select(Expert.id).where(Expert.user_id == actor.user_id).scalar_subquery()
    invited, drafts = (int(n or 0) for n in (await db.execute(select(
        select(func.count()).select_from(PanelSeat).where(
            PanelSeat.expert_id == me, PanelSeat.status == SeatStatus.INVITED.value).scalar_subquery(),
        select(func.count()).select_from(ScoreSheet).join(Panel, Panel.id == ScoreSheet.panel_id).where(
            ScoreSheet.expert_id == me, ScoreSheet.status == SheetStatus.DRAFT.value,
            Panel.status == PanelStatus.DRAWN.value).scalar_subquery(),
    ))).one())
    items = []
    if invited:
        items.append(AttentionItem(_("评审邀请待确认"), _("{n} 个评审专家组邀请你参加").format(n=invited),
                                   "/review", invited, urgent=True))
    if drafts:
        items.append(AttentionItem(_("评分表待提交"), _("{n} 份评分表尚未提交").format(n=drafts),
                                   "/review", drafts, urgent=True))
    return items


@provider(Role.ORGANIZER)
async def organizer_review(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Challenges in review whose panel is not drawn yet or is still scoring."""
    waiting = await db.scalar(
        select(func.count()).select_from(Challenge).outerjoin(Panel, Panel.challenge_id == Challenge.id)
        .where(Challenge.organizer_id == actor.user_id, Challenge.status == ChallengeStatus.REVIEWING.value,
               (Panel.id.is_(None)) | (Panel.status != PanelStatus.CLOSED.value)))
    if not waiting:
        return []
    detail = _("{n} 个榜单在专家评审阶段：抽取专家、跟踪进度、结束评审").format(n=int(waiting))
    return [AttentionItem(_("专家评审进行中"), detail, "/organizer/challenges?status=reviewing", int(waiting))]
