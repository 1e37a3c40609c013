"""The states of a 公示 and of its objections, and what may be done to an objection — plain
Python, so the pure rules (arena.publicity.policy) need no SQLAlchemy. arena.publicity.models
re-exports them, and the columns store their values as strings."""

from __future__ import annotations

import enum


class PublicityStatus(enum.StrEnum):
    PUBLISHED = "published"  # 公示中, or 公示期满 once the clock passes `ends_at` (derived, like a bid window)
    CONCLUDED = "concluded"  # the award followed: 公示结束
    WITHDRAWN = "withdrawn"  # an upheld objection changed the results: 已撤回


class ObjectionStatus(enum.StrEnum):
    OPEN = "open"  # 待答复
    UPHELD = "upheld"  # 成立, with a recorded action
    DISMISSED = "dismissed"  # 不成立


class ObjectionAction(enum.StrEnum):
    """What an upheld objection leads to (recorded on the objection, carried out at once)."""

    DISQUALIFY = "disqualify"  # the named bid loses its qualification; winners move up
    REOPEN_REVIEW = "reopen_review"  # the panel reopens; results are frozen again after
