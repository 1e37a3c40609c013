"""The states and kinds of a challenge, its checkpoints and its questions: plain Python, so the
pure rules (arena.challenges.phase, .eligibility) need no SQLAlchemy. arena.challenges.models
re-exports them, and the columns store their values as strings."""

from __future__ import annotations

import enum


class ChallengeStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # window upcoming, open or closed: see `window_phase`
    QUALIFYING = "qualifying"  # 资格审查 (bids issue)
    REVIEWING = "reviewing"  # 专家评审 (review issue)
    PUBLICITY = "publicity"  # 公示 (execution issue)
    EXECUTING = "executing"  # 挂帅 and 实施
    ACCEPTED = "accepted"  # 验收 done
    FAILED = "failed"  # 流榜
    CANCELLED = "cancelled"


class ChallengeMode(enum.StrEnum):
    SINGLE = "single"
    HORSE_RACE = "horse_race"


class Aggregation(enum.StrEnum):
    TRIMMED_MEAN = "trimmed_mean"
    MEAN = "mean"
    MEDIAN = "median"


class CriterionKind(enum.StrEnum):
    BID = "bid"  # 评分细则 for bids
    ACCEPTANCE = "acceptance"  # 验收评分细则 for final results


class CheckpointStatus(enum.StrEnum):
    PENDING = "pending"  # 待比选
    DECIDED = "decided"  # 已比选: the ranking is frozen, with the elimination or the reason for none


class QuestionStatus(enum.StrEnum):
    ASKED = "asked"  # waiting for the organizer; seen only by the asker and the organizer
    ANSWERED = "answered"  # the answer is published: part of the challenge's public record
    CLOSED = "closed"  # not published (a duplicate or an improper question), with the reason
