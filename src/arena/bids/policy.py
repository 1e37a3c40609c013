"""Who may do what to a bid (STYLE: policy is explicit, one place, tested as a table).

Pure predicates over the actor and plain facts of the bid (`BidFacts`): no database. The
loaders in bids.service gather the facts, call these, and answer a refusal as not found.
Qualification is the challenge organizer's (challenges.policy.may_manage, asked by the loader
challenges.queries.organizer_challenge); vetting is the inspectors' (route guard).
"""

from __future__ import annotations

from dataclasses import dataclass

from arena.actor import Actor, Role
from arena.challenges import policy as challenges

UNSENT = frozenset({"draft", "withdrawn"})
"""BidStatus.DRAFT and WITHDRAWN (bids.models, which imports SQLAlchemy): states in which a bid
that never got a version is nobody's business but its team's. tests/bids/test_policy.py checks
the values against the enum."""


@dataclass(frozen=True)
class BidFacts:
    """What the rules need to know about a bid."""

    lead_user_id: int | None
    team_user_ids: frozenset[int]  # everyone asked to join: invited, confirmed or declined
    organizer_id: int  # the challenge's
    status: str
    has_version: bool  # submitted at least once (a withdrawn bid may have been)


def is_lead(actor: Actor, lead_user_id: int | None) -> bool:
    """The lead edits the bid, manages the team, submits and withdraws: a cadre acting for themselves."""
    return actor.user_id is not None and actor.user_id == lead_user_id and actor.has(Role.CADRE)


def was_submitted(bid: BidFacts) -> bool:
    return bid.status not in UNSENT or bid.has_version


def may_read(actor: Actor, bid: BidFacts) -> bool:
    """The bid and its attachments: the lead and whoever was asked to join; once submitted, also
    the challenge's organizer and inspectors (qualification and vetting read it)."""
    if actor.user_id is None:
        return False
    if actor.user_id == bid.lead_user_id or actor.user_id in bid.team_user_ids:
        return True
    if not was_submitted(bid):
        return False
    return actor.has(Role.INSPECTOR) or challenges.may_manage(actor, bid.organizer_id)
