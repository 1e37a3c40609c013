"""The bids area's reminders (run by `arena worker` through arena.notify.reminders): a draft
whose challenge closes within three days, and a team invitation not yet answered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import DISPLAY_TZ, Clock
from arena.i18n import gettext as _
from arena.notify.reminders import Reminder, rule
from arena.units.models import Cadre


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
