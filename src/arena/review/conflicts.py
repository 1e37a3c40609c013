"""Conflicts of interest (回避): who may not score which bid.

An expert conflicts with a bid when they share a unit with its lead or any confirmed team member,
when they are one of those people themselves (one person may hold both the expert and cadre
roles), or when they declared a conflict with one of those people or their units. Being a bidder
or team member anywhere on the challenge conflicts with every bid of it. Each check is a few
set lookups over data loaded in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus
from arena.execution.models import Project, ProjectStatus
from arena.i18n import gettext as _
from arena.review.models import ExpertConflict, PanelPurpose
from arena.units.models import Cadre, Expert


@dataclass
class BidParties:
    """The people and units behind one bid."""

    bid_id: int
    cadre_ids: set[int] = field(default_factory=set)
    unit_ids: set[int] = field(default_factory=set)


@dataclass
class ChallengeParties:
    bids: dict[int, BidParties]  # the bids a panel scores: qualified ones, or for acceptance the active projects'
    user_ids: set[int]  # every lead and team member of any bid on the challenge


async def scored_bid_ids(db: AsyncSession, challenge_id: int, purpose: PanelPurpose) -> set[int]:
    """What a panel of this purpose scores: the qualified bids, or the bids of the active projects."""
    if purpose is PanelPurpose.ACCEPTANCE:
        stmt = select(Project.bid_id).where(Project.challenge_id == challenge_id,
                                            Project.status == ProjectStatus.ACTIVE.value)
    else:
        stmt = select(Bid.id).where(Bid.challenge_id == challenge_id, Bid.status == BidStatus.QUALIFIED.value)
    return set((await db.scalars(stmt)).all())


async def challenge_parties(db: AsyncSession, challenge_id: int,
                            purpose: PanelPurpose = PanelPurpose.BID) -> ChallengeParties:
    leads = (await db.execute(
        select(Bid.id, Bid.status, Cadre.id, Cadre.unit_id, Cadre.user_id)
        .join(Cadre, Cadre.id == Bid.lead_id)
        .where(Bid.challenge_id == challenge_id, Bid.status != BidStatus.DRAFT.value))).all()
    members = (await db.execute(
        select(Bid.id, Bid.status, Cadre.id, Cadre.unit_id, Cadre.user_id)
        .join(BidMember, BidMember.bid_id == Bid.id).join(Cadre, Cadre.id == BidMember.cadre_id)
        .where(Bid.challenge_id == challenge_id, Bid.status != BidStatus.DRAFT.value,
               BidMember.status == MemberStatus.CONFIRMED.value))).all()
    parties = ChallengeParties({}, set())
    scored = await scored_bid_ids(db, challenge_id, purpose)
    for bid_id, _status, cadre_id, unit_id, user_id in [*leads, *members]:
        if user_id is not None:
            parties.user_ids.add(user_id)
        if bid_id not in scored:
            continue
        bid = parties.bids.setdefault(bid_id, BidParties(bid_id))
        bid.cadre_ids.add(cadre_id)
        bid.unit_ids.add(unit_id)
    return parties


async def declared(db: AsyncSession, expert_ids: Iterable[int]) -> dict[int, list[ExpertConflict]]:
    rows = await db.scalars(select(ExpertConflict).where(ExpertConflict.expert_id.in_(list(expert_ids))))
    by_expert: dict[int, list[ExpertConflict]] = defaultdict(list)
    for row in rows:
        by_expert[row.expert_id].append(row)
    return by_expert


def conflict_reason(expert: Expert, bid: BidParties, parties: ChallengeParties,
                    declarations: list[ExpertConflict]) -> str | None:
    """Why `expert` may not score `bid`, or None. The reason names no bidder: it is shown to
    organizers, and to the expert only as "recused"."""
    if expert.user_id is not None and expert.user_id in parties.user_ids:
        return _("本人是该榜单的揭榜人或团队成员")
    if expert.unit_id in bid.unit_ids:
        return _("与揭榜人或团队成员同单位")
    for declaration in declarations:
        if declaration.cadre_id in bid.cadre_ids or declaration.unit_id in bid.unit_ids:
            return _("专家申报了回避")
    return None


def conflicted_bids(expert: Expert, parties: ChallengeParties, declarations: list[ExpertConflict]) -> dict[int, str]:
    """Bid id → reason, for every scored bid the expert conflicts with."""
    reasons = {bid_id: conflict_reason(expert, bid, parties, declarations) for bid_id, bid in parties.bids.items()}
    return {bid_id: reason for bid_id, reason in reasons.items() if reason}
