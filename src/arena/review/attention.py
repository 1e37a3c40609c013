"""What the home page shows experts and organizers about review (one query each)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.auth.models import Role
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.i18n import gettext as _
from arena.review.models import Panel, PanelSeat, PanelStatus, ScoreSheet, SeatStatus, SheetStatus
from arena.units.models import Expert


@provider(Role.EXPERT)
async def expert_review(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    me = select(Expert.id).where(Expert.user_id == actor.user_id).scalar_subquery()
    invited = int(await db.scalar(select(func.count()).select_from(PanelSeat).where(
        PanelSeat.expert_id == me, PanelSeat.status == SeatStatus.INVITED.value)) or 0)
    # sheets to submit, by panel: the first few panels, with the sheets in each and over all
    drafts = func.count(ScoreSheet.id)
    panels = (await db.execute(
        select(Panel.id, Challenge.title, drafts, func.sum(drafts).over())
        .join(Panel, Panel.id == ScoreSheet.panel_id).join(Challenge, Challenge.id == Panel.challenge_id)
        .where(ScoreSheet.expert_id == me, ScoreSheet.status == SheetStatus.DRAFT.value,
               Panel.status == PanelStatus.DRAWN.value)
        .group_by(Panel.id, Challenge.title).order_by(Panel.id).limit(LINKS_SHOWN + 1))).all()
    items = []
    if invited:
        items.append(AttentionItem(_("评审邀请待确认"), _("{n} 个评审专家组邀请你参加").format(n=invited),
                                   "/review", invited, urgent=True))
    if panels:
        total = int(panels[0][3])
        places = [AttentionLink(_("{title}：{n} 份评分表未提交").format(title=title, n=n), f"/review/panels/{pid}")
                  for pid, title, n, _total in panels]
        items.append(pointed(_("评分表待提交"), _("{n} 份评分表尚未提交").format(n=total), "/review", total, places,
                             urgent=True))
    return items


@provider(Role.ORGANIZER)
async def organizer_review(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Challenges in review whose panel is not drawn yet or is still scoring."""
    rows = (await db.execute(
        select(Challenge.id, Challenge.title, func.count().over()).outerjoin(Panel, Panel.challenge_id == Challenge.id)
        .where(managed_by(actor), Challenge.status == ChallengeStatus.REVIEWING.value,
               (Panel.id.is_(None)) | (Panel.status != PanelStatus.CLOSED.value))
        .order_by(Challenge.id).limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    waiting = int(rows[0][2])
    detail = _("{n} 个榜单在专家评审阶段：抽取专家、跟踪进度、结束评审").format(n=waiting)
    places = [AttentionLink(_("{title}：专家评审").format(title=title), f"/organizer/challenges/{cid}/review")
              for cid, title, _total in rows]
    return [pointed(_("专家评审进行中"), detail, "/organizer/challenges?status=reviewing", waiting, places)]
