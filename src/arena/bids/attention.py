"""What the home page shows cadres and inspectors about bids (fixed number of queries)."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus, Vetting
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import Clock
from arena.home.attention import AttentionItem, provider
from arena.i18n import gettext as _
from arena.units.models import Cadre


@provider(Role.CADRE)
async def cadre_bids(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    now = clock.now()
    mine = select(Cadre.id).where(Cadre.user_id == actor.user_id).scalar_subquery()
    open_window = and_(Challenge.status == ChallengeStatus.PUBLISHED.value, Challenge.bid_closes_at > now)
    row = (await db.execute(select(
        select(func.count()).select_from(BidMember).where(
            BidMember.cadre_id == mine, BidMember.status == MemberStatus.INVITED.value).scalar_subquery(),
        select(func.count()).select_from(Bid).join(Challenge, Challenge.id == Bid.challenge_id).where(
            Bid.lead_id == mine, Bid.status == BidStatus.DRAFT.value, open_window).scalar_subquery(),
    ))).one()
    invited, drafts = (int(n or 0) for n in row)
    items = []
    if invited:
        items.append(AttentionItem(_("团队邀请待确认"), _("{n} 个揭榜团队邀请你加入").format(n=invited),
                                   "/bids#invitations", invited, urgent=True))
    if drafts:
        items.append(AttentionItem(_("揭榜草稿未提交"), _("{n} 份揭榜申报尚未提交，截止前须提交").format(n=drafts),
                                   "/bids", drafts, urgent=True))
    return items


@provider(Role.INSPECTOR)
async def inspector_vetting(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    waiting = await db.scalar(
        select(func.count()).select_from(Bid).join(Challenge, Challenge.id == Bid.challenge_id)
        .outerjoin(Vetting, Vetting.bid_id == Bid.id)
        .where(Vetting.id.is_(None), Bid.status.in_([BidStatus.SUBMITTED.value, BidStatus.QUALIFIED.value]),
               (Challenge.status == ChallengeStatus.QUALIFYING.value)
               | ((Challenge.status == ChallengeStatus.PUBLISHED.value) & (Challenge.bid_closes_at <= clock.now()))))
    if not waiting:
        return []
    return [AttentionItem(_("待廉政审查"), _("{n} 份揭榜等待廉政审查").format(n=int(waiting)), "/inspector/vetting",
                          int(waiting), urgent=True)]
