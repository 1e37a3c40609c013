"""Review's loaders (专家评审), shared by the modules that hold its rules: a panel, the actor's
expert, a panel's rubric, and the object-level checks they make. The rules themselves live beside:
review.panel_draw (settings and the draw), review.seats (answers, the chair), review.sheets (what
an expert reads and scores, the chair's view) and review.results (progress, close, verification).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.challenges import queries as challenge_queries
from arena.challenges.models import Challenge, ChallengeStatus, Criterion, CriterionKind
from arena.challenges.queries import get_visible_challenge
from arena.errors import PermissionDenied
from arena.i18n import gettext as _
from arena.review import policy
from arena.review.models import Panel, PanelPurpose, PanelSeat
from arena.units.models import Expert

# --- loading, with the object-level checks -------------------------------------------------------

organizer_challenge = challenge_queries.organizer_challenge
"""The organizer's own challenge, for review's, publicity's and execution's organizer pages: the
challenges area's loader, which asks challenges.policy.may_manage (not bids', as it used to)."""


def seat_facts(seat: PanelSeat, expert: Expert) -> policy.SeatFacts:
    """What review.policy needs to know about a seat (`expert` is the seat's)."""
    return policy.SeatFacts(expert_user_id=expert.user_id, status=seat.status, is_chair=seat.is_chair)


async def panel_of(db: AsyncSession, challenge_id: int, purpose: PanelPurpose = PanelPurpose.BID) -> Panel | None:
    return await db.scalar(select(Panel).where(Panel.challenge_id == challenge_id, Panel.purpose == purpose.value))


async def expert_of(db: AsyncSession, actor: Actor) -> Expert:
    expert = await db.scalar(select(Expert).where(Expert.user_id == actor.user_id))
    if expert is None:
        raise PermissionDenied(_("你的账号没有关联专家库中的专家，请联系管理员"))
    return expert


def bid_criteria(challenge: Challenge) -> list[Criterion]:
    return criteria_for(challenge, PanelPurpose.BID)


def criteria_for(challenge: Challenge, purpose: PanelPurpose | str) -> list[Criterion]:
    """The rubric a panel scores on: the bid rubric, or the acceptance rubric (验收评分细则)."""
    kind = CriterionKind.ACCEPTANCE if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE else CriterionKind.BID
    return [c for c in challenge.criteria if c.kind == kind.value]


STAGE = {PanelPurpose.BID: ChallengeStatus.REVIEWING, PanelPurpose.ACCEPTANCE: ChallengeStatus.EXECUTING}
"""The challenge's stage in which each kind of panel is set up and scores."""


def page_of(purpose: PanelPurpose | str) -> str:
    """The organizer's page of a panel, for links in notifications."""
    return "acceptance" if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE else "review"


def _invitation_title(purpose: PanelPurpose | str, challenge: Challenge) -> str:
    if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE:
        return _("验收评审邀请：{title}").format(title=challenge.title)
    return _("评审邀请：{title}").format(title=challenge.title)


async def public_challenge(db: AsyncSession, challenge_id: int) -> Challenge:
    """A challenge anyone may read (published or later), for the draw's public page."""
    return await get_visible_challenge(db, challenge_id, None)
