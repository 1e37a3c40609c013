"""Where a challenge stands for people reading it: derived from its status and the clock.

The bid window opens and closes by the server's clock (DESIGN §3), so "open" is never stored:
a published challenge is upcoming, open or closed depending on `now`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from arena.challenges.enums import ChallengeStatus
from arena.i18n import lazy

if TYPE_CHECKING:  # for the annotation only: pure, no SQLAlchemy at run time
    from arena.challenges.models import Challenge


class PublicPhase(enum.StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"  # 即将开榜
    OPEN = "open"  # 揭榜中
    CLOSED = "closed"  # 已截止 (and qualification under way)
    REVIEWING = "reviewing"
    PUBLICITY = "publicity"
    EXECUTING = "executing"
    ACCEPTED = "accepted"
    FAILED = "failed"
    CANCELLED = "cancelled"


PHASE_LABELS: dict[PublicPhase, str] = {
    PublicPhase.DRAFT: lazy("草稿"),
    PublicPhase.UPCOMING: lazy("即将开榜"),
    PublicPhase.OPEN: lazy("揭榜中"),
    PublicPhase.CLOSED: lazy("已截止"),
    PublicPhase.REVIEWING: lazy("评审中"),
    PublicPhase.PUBLICITY: lazy("公示中"),
    PublicPhase.EXECUTING: lazy("实施中"),
    PublicPhase.ACCEPTED: lazy("已验收"),
    PublicPhase.FAILED: lazy("流榜"),
    PublicPhase.CANCELLED: lazy("已撤榜"),
}

_BY_STATUS = {
    ChallengeStatus.DRAFT: PublicPhase.DRAFT,
    ChallengeStatus.QUALIFYING: PublicPhase.CLOSED,
    ChallengeStatus.REVIEWING: PublicPhase.REVIEWING,
    ChallengeStatus.PUBLICITY: PublicPhase.PUBLICITY,
    ChallengeStatus.EXECUTING: PublicPhase.EXECUTING,
    ChallengeStatus.ACCEPTED: PublicPhase.ACCEPTED,
    ChallengeStatus.FAILED: PublicPhase.FAILED,
    ChallengeStatus.CANCELLED: PublicPhase.CANCELLED,
}


def public_phase(challenge: Challenge, now: datetime) -> PublicPhase:
    status = ChallengeStatus(challenge.status)
    if status is not ChallengeStatus.PUBLISHED:
        return _BY_STATUS[status]
    if challenge.bid_opens_at and now < challenge.bid_opens_at:
        return PublicPhase.UPCOMING
    if challenge.bid_closes_at and now >= challenge.bid_closes_at:
        return PublicPhase.CLOSED
    return PublicPhase.OPEN


def window_is_open(challenge: Challenge, now: datetime) -> bool:
    return public_phase(challenge, now) is PublicPhase.OPEN


VISIBLE_TO_PUBLIC = frozenset(s.value for s in ChallengeStatus if s is not ChallengeStatus.DRAFT)
"""Statuses anyone may read (drafts are the organizer's own)."""
