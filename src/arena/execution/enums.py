"""The states and outcomes of execution (挂帅 and 实施): projects, grades, milestones, reports,
assessments, plan changes and fault-tolerance requests — plain Python, so the pure rules
(arena.execution.grades, arena.records.rules) need no SQLAlchemy. arena.execution.models
re-exports them, and the columns store their values as strings."""

from __future__ import annotations

import enum


class ProjectStatus(enum.StrEnum):
    PENDING_SIGNATURE = "pending_signature"  # 待签署军令状
    ACTIVE = "active"  # 实施中
    ELIMINATED = "eliminated"  # 末位淘汰 (horse race)
    CONCLUDED = "concluded"  # 已验收, with its grade


class Grade(enum.StrEnum):
    """验收等次, by the challenge's thresholds (DESIGN §2.8)."""

    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    QUALIFIED = "qualified"  # 合格
    UNQUALIFIED = "unqualified"  # 不合格


class MilestoneStatus(enum.StrEnum):
    """Follows the latest assessment; overdue is derived from the due date and the clock."""

    PENDING = "pending"  # 未考核
    ON_TRACK = "on_track"  # 正常推进
    AT_RISK = "at_risk"  # 存在风险
    FAILED = "failed"  # 未完成
    COMPLETED = "completed"  # 已完成
    EXCUSED = "excused"  # 容错免责: a failure excused under a declared case


class ReportStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 待考核
    ASSESSED = "assessed"  # 已考核


class Verdict(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    FAILED = "failed"
    COMPLETED = "completed"


class PlanChangeStatus(enum.StrEnum):
    PENDING = "pending"  # 待审批
    APPROVED = "approved"
    REJECTED = "rejected"


class ToleranceStatus(enum.StrEnum):
    AWAITING_OPINION = "awaiting_opinion"  # 待纪检监察出具意见
    AWAITING_DECISION = "awaiting_decision"  # 待组织部门决定
    GRANTED = "granted"  # 予以容错: recorded as an exemption
    REFUSED = "refused"  # 不予容错
