"""Gather what the stage stepper needs about one challenge (`stages.StageFacts`) in two queries:
the dates of the challenge's own transitions from its audit trail, and what publicity, the
award and acceptance have recorded. Usable by any page that shows the stepper."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.audit.models import AuditEvent
from arena.challenges.models import Challenge
from arena.challenges.stages import StageFacts
from arena.execution.models import Project, ProjectStatus
from arena.publicity.models import Publicity
from arena.review.models import Panel, PanelPurpose

# audit action → StageFacts field (the first time it happened)
_TRANSITION_DATES = {
    "challenge.start_qualifying": "qualification_started_at",
    "challenge.start_review": "review_started_at",
    "challenge.award": "awarded_at",
    "challenge.accept": "accepted_at",
    "challenge.fail": "ended_at",
    "challenge.cancel": "ended_at",
}


async def load_stage_facts(db: AsyncSession, challenge: Challenge, now: datetime) -> StageFacts:
    rows = (await db.execute(
        select(AuditEvent.action, func.min(AuditEvent.occurred_at))
        .where(AuditEvent.object_type == "challenge", AuditEvent.object_id == str(challenge.id),
               AuditEvent.action.in_(list(_TRANSITION_DATES)))
        .group_by(AuditEvent.action))).all()
    dates: dict[str, datetime | None] = {}
    for action, at in rows:
        dates[_TRANSITION_DATES[action]] = at
    publicized_at, publicity_ends_at, unsigned, acceptance = (await db.execute(select(
        select(func.max(Publicity.published_at)).where(Publicity.challenge_id == challenge.id).scalar_subquery(),
        select(func.max(Publicity.ends_at)).where(Publicity.challenge_id == challenge.id).scalar_subquery(),
        exists().where(Project.challenge_id == challenge.id,
                       Project.status == ProjectStatus.PENDING_SIGNATURE.value),
        exists().where(Panel.challenge_id == challenge.id, Panel.purpose == PanelPurpose.ACCEPTANCE.value),
    ))).one()
    failed_at = dates.pop("ended_at", None)
    ended_at = challenge.cancelled_at or failed_at
    return StageFacts(
        status=challenge.status, now=now, published_at=challenge.published_at,
        bid_opens_at=challenge.bid_opens_at, bid_closes_at=challenge.bid_closes_at,
        publicized_at=publicized_at, publicity_ends_at=publicity_ends_at,
        commitments_unsigned=bool(unsigned), acceptance_started=bool(acceptance),
        ended_at=ended_at, **dates,
    )
