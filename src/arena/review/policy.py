"""Who may do what in a review (STYLE: policy is explicit, one place, tested as a table).

Pure predicates over the actor and plain facts of a seat or sheet: no database. The loaders in
review.seats (own_seat), review.sheets (expert_panel, expert_sheet, chair_view) and
review.feedback gather the facts and call these. The organizer's side of a review (panel, draw commitment, close) is the
challenge organizer's: challenges.policy.may_manage, asked by challenges.queries.organizer_challenge.

Strings, not the enums of review.models (which import SQLAlchemy); tests/review/test_policy.py
checks them against the enums.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from arena.actor import Actor, Role

ACCEPTED = "accepted"
"""SeatStatus.ACCEPTED: the expert sits on the panel and scores."""
NOT_OWED = frozenset({"recused", "void"})
"""SheetStatus.RECUSED and VOID: sheets nobody owes — recused (a conflict), or void (the expert
was replaced after the due date). Such a sheet answers like a missing one: its expert learns
nothing more of that bid."""


@dataclass(frozen=True)
class SeatFacts:
    expert_user_id: int | None  # the login of the seat's expert
    status: str
    is_chair: bool = False


def holds_seat(actor: Actor, seat: SeatFacts) -> bool:
    """The seat's own expert: answers the invitation, whatever its state."""
    return actor.user_id is not None and actor.user_id == seat.expert_user_id and actor.has(Role.EXPERT)


def sits_on(actor: Actor, seat: SeatFacts) -> bool:
    """On the panel: the seat's expert, having accepted. Reads the panel's bids and scores."""
    return holds_seat(actor, seat) and seat.status == ACCEPTED


def may_chair(actor: Actor, seat: SeatFacts) -> bool:
    """The chair (组长): sees every sheet's state (not the scores), reopens a sheet with a reason,
    writes the panel's opinion."""
    return sits_on(actor, seat) and seat.is_chair


def may_score(actor: Actor, expert_user_id: int | None, sheet_status: str) -> bool:
    """A score sheet: its own expert's, unless nobody owes it."""
    return (actor.user_id is not None and actor.user_id == expert_user_id and actor.has(Role.EXPERT)
            and sheet_status not in NOT_OWED)


def may_enter_beacon(actor: Actor) -> bool:
    """The outside random source's result that draws the panel: inspectors enter it, so that the
    organizer who commits the draw does not also trigger it (DESIGN §5)."""
    return actor.has(Role.INSPECTOR)


def may_read_feedback(actor: Actor, lead_user_id: int | None, confirmed_user_ids: Collection[int]) -> bool:
    """A bid's own review (scores, comments, leave-one-out): its lead and the members who
    confirmed; not those who declined or never answered."""
    return actor.user_id is not None and (actor.user_id == lead_user_id or actor.user_id in confirmed_user_ids)
