"""What the home page shows cadres and inspectors about bids (fixed number of queries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.auth.models import Role
from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus, Vetting
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.i18n import gettext as _
from arena.units.models import Cadre


@provider(Role.CADRE)
async def cadre_bids(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    now = clock.now()
    mine = select(Cadre.id).where(Cadre.user_id == actor.user_id).scalar_subquery()
    open_window = and_(Challenge.status == ChallengeStatus.PUBLISHED.value, Challenge.bid_closes_at > now)
    invited = int(await db.scalar(select(func.count()).select_from(BidMember).where(
        BidMember.cadre_id == mine, BidMember.status == MemberStatus.INVITED.value)) or 0)
    drafts = (await db.execute(
        select(Bid.id, Challenge.title, func.count().over()).join(Challenge, Challenge.id == Bid.challenge_id)
        .where(Bid.lead_id == mine, Bid.status == BidStatus.DRAFT.value, open_window)
        .order_by(Challenge.bid_closes_at, Bid.id).limit(LINKS_SHOWN + 1))).all()
    items = []
    if invited:
        items.append(AttentionItem(_("团队邀请待确认"), _("{n} 个揭榜团队邀请你加入").format(n=invited),
                                   "/bids#invitations", invited, urgent=True))
    if drafts:
        total = int(drafts[0][2])
        places = [AttentionLink(_("{title}：草稿未提交").format(title=title), f"/bids/{bid_id}")
                  for bid_id, title, _total in drafts]
        items.append(pointed(_("揭榜草稿未提交"), _("{n} 份揭榜申报尚未提交，截止前须提交").format(n=total),
                             "/bids", total, places, urgent=True))
    return items


def _closed_for_bids(now: datetime) -> ColumnElement[bool]:
    """Challenges whose bids are being checked: window closed, qualification not over."""
    return or_(Challenge.status == ChallengeStatus.QUALIFYING.value,
               and_(Challenge.status == ChallengeStatus.PUBLISHED.value, Challenge.bid_closes_at <= now))


def _qualification_label(title: str, status: str, waiting: int) -> str:
    if status == ChallengeStatus.PUBLISHED.value:
        return _("{title}：揭榜已截止，{n} 份揭榜待审").format(title=title, n=waiting)
    if waiting:
        return _("{title}：{n} 份揭榜待审").format(title=title, n=waiting)
    return _("{title}：均已作结论，可完成资格审查").format(title=title)


@provider(Role.ORGANIZER)
async def organizer_qualification(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """资格审查: the organizer's challenges closed for bids, each with its bids waiting for a
    decision (one query: the first few challenges and how many there are)."""
    waiting = (select(func.count()).select_from(Bid)
               .where(Bid.challenge_id == Challenge.id, Bid.status == BidStatus.SUBMITTED.value)
               .correlate(Challenge).scalar_subquery())
    rows = (await db.execute(
        select(Challenge.id, Challenge.title, Challenge.status, waiting, func.count().over())
        .where(managed_by(actor), _closed_for_bids(clock.now()))
        .order_by(Challenge.bid_closes_at, Challenge.id).limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    places = [AttentionLink(_qualification_label(title, status, n), f"/organizer/challenges/{cid}/qualification")
              for cid, title, status, n, _total in rows]
    total = int(rows[0][4])
    return [pointed(_("资格审查"), _("{n} 个榜单揭榜已截止，待资格审查").format(n=total),
                    "/organizer/challenges", total, places, urgent=True)]


@provider(Role.INSPECTOR)
async def inspector_vetting(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Bids waiting for vetting, by challenge (one query: the first few challenges, with the
    number of bids waiting in each and over all)."""
    waiting = func.count(Bid.id)
    rows = (await db.execute(
        select(Challenge.id, Challenge.title, waiting, func.sum(waiting).over())
        .join(Bid, Bid.challenge_id == Challenge.id).outerjoin(Vetting, Vetting.bid_id == Bid.id)
        .where(Vetting.id.is_(None), Bid.status.in_([BidStatus.SUBMITTED.value, BidStatus.QUALIFIED.value]),
               _closed_for_bids(clock.now()))
        .group_by(Challenge.id, Challenge.title, Challenge.bid_closes_at)
        .order_by(Challenge.bid_closes_at, Challenge.id).limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    total = int(rows[0][3])
    places = [AttentionLink(_("{title}：{n} 份待廉政审查").format(title=title, n=n), f"/inspector/vetting/{cid}")
              for cid, title, n, _total in rows]
    item = pointed(_("待廉政审查"), _("{n} 份揭榜等待廉政审查").format(n=total), "/inspector/vetting", total,
                   places, urgent=True)
    return [item]
