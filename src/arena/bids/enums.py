"""The states of bids (揭榜), their team members and the inspector's vetting — plain Python, so the
pure rules (arena.bids.policy) need no SQLAlchemy. arena.bids.models re-exports them, and the
columns store their values as strings."""

from __future__ import annotations

import enum


class BidStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # 已提交: counts as "a bid is submitted" for the challenge's freeze
    WITHDRAWN = "withdrawn"  # 已撤回, with a reason
    QUALIFIED = "qualified"  # 资格审查通过 (and not vetoed): goes to review
    DISQUALIFIED = "disqualified"  # 资格审查未通过, with a reason the cadre reads
    VETOED = "vetoed"  # 一票否决: the cadre sees only "did not pass qualification"
    WON = "won"  # chosen (挂帅) — set by the award (execution issue)
    NOT_CHOSEN = "not_chosen"  # reviewed but not chosen


class MemberStatus(enum.StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class VettingDecision(enum.StrEnum):
    NO_OBJECTION = "no_objection"  # 无异议
    VETO = "veto"  # 一票否决
