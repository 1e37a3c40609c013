"""Execution (挂帅 and 实施): the project a winning bid becomes, its commitment (军令状), the
binding milestone plan and its change requests, progress reports with their assessments, and
fault-tolerance requests (容错申请). Horse-race checkpoint decisions live on the challenge's
checkpoints (challenges.models.Checkpoint); acceptance panels are review panels with the
acceptance purpose (review.models).

Nothing here is deleted once submitted: reports, assessments, requests and decisions change
state, and each change writes an audit event.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base
from arena.execution import considerations
from arena.execution.enums import Grade as Grade  # the enums are plain Python (pure rules use them)
from arena.execution.enums import MilestoneStatus as MilestoneStatus
from arena.execution.enums import PlanChangeStatus as PlanChangeStatus
from arena.execution.enums import ProjectStatus as ProjectStatus
from arena.execution.enums import ReportStatus as ReportStatus
from arena.execution.enums import ToleranceStatus as ToleranceStatus
from arena.execution.enums import Verdict as Verdict
from arena.files.models import StoredFile
from arena.units.models import Cadre


class Project(Base):
    """A winning bid being carried out. The commitment letter's content is frozen at the award
    (canonical JSON, hashed); the lead signs it by re-entering their password."""

    __tablename__ = "project"
    __table_args__ = (
        Index("ix_project_challenge_id_status", "challenge_id", "status"),
        Index("ix_project_lead_id_status", "lead_id", "status"),
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="RESTRICT"), unique=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.PENDING_SIGNATURE.value)
    awarded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    awarded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    commitment_content: Mapped[str] = mapped_column(Text)  # the letter as canonical JSON
    commitment_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    eliminated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    acceptance_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(16))
    concluded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    lead: Mapped[Cadre] = relationship(lazy="raise")
    milestones: Mapped[list[Milestone]] = relationship(lazy="raise", order_by="Milestone.position")


class Milestone(Base):
    """A milestone of the binding plan (节点任务), copied from the winning bid at the award and
    changed only through an approved PlanChange."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("project_id", "position"),
        Index("ix_milestone_status_due_on", "status", "due_on"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    deliverable: Mapped[str] = mapped_column(Text, default="")
    kpi: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=MilestoneStatus.PENDING.value)
    percent: Mapped[int] = mapped_column(Integer, default=0)  # from the latest report


class ProgressReport(Base):
    """The lead's report on one milestone (进展报告): text, % done, KPI values, evidence."""

    __tablename__ = "progress_report"
    __table_args__ = (
        UniqueConstraint("milestone_id", "seq"),
        Index("ix_progress_report_project_id_status", "project_id", "status"),
        Index("ix_progress_report_status_submitted_at", "status", "submitted_at"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2… per milestone
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(Integer)
    kpi_values: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.SUBMITTED.value)
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    evidence: Mapped[list[ReportEvidence]] = relationship(cascade="all, delete-orphan", lazy="raise",
                                                          order_by="ReportEvidence.id")


class ReportEvidence(Base):
    __tablename__ = "report_evidence"

    report_id: Mapped[int] = mapped_column(ForeignKey("progress_report.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))

    file: Mapped[StoredFile] = relationship(lazy="raise")


class Assessment(Base):
    """A verdict on one report (考核) by the organizer or an assigned expert, with a score 0–100."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_project_id", "project_id"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("progress_report.id", ondelete="RESTRICT"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assessor_role: Mapped[str] = mapped_column(String(16))  # organizer | expert
    verdict: Mapped[str] = mapped_column(String(16))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ChallengeAssessor(Base):
    """An expert the organizer assigned to assess the reports of a challenge's projects
    (第三方评估); never one with a conflict with the project they assess."""

    __tablename__ = "challenge_assessor"
    __table_args__ = (UniqueConstraint("challenge_id", "expert_id"),
                      Index("ix_challenge_assessor_expert_id", "expert_id"))

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="RESTRICT"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class PlanChange(Base):
    """A request to change the binding plan (计划变更): the proposed milestones as canonical JSON;
    the organizer approves or rejects it with a reason."""

    __tablename__ = "plan_change"
    __table_args__ = (Index("ix_plan_change_project_id_status", "project_id", "status"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)
    # {"rows": [{"id": an open milestone's id or null for a new one, "title", "due_on", "deliverable", "kpi"}]}
    proposal: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PlanChangeStatus.PENDING.value)
    requested_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class ToleranceRequest(Base):
    """A request that a failed milestone be excused under one of the challenge's declared cases
    (容错情形). The inspector gives an opinion, then the organizer decides with a reason; a
    granted request is the exemption (容错免责) later records rest on."""

    __tablename__ = "tolerance_request"
    __table_args__ = (
        Index("ix_tolerance_request_status", "status"),
        Index("ix_tolerance_request_milestone_id", "milestone_id"),
        Index("ix_tolerance_request_project_id", "project_id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="RESTRICT"))
    case_id: Mapped[int] = mapped_column(ForeignKey("tolerance_case.id", ondelete="RESTRICT"))
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ToleranceStatus.AWAITING_OPINION.value)
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opinion: Mapped[str | None] = mapped_column(Text)  # the inspector's free text (older opinions: all of it)
    # The standard considerations (execution.considerations): JSON {key: {"answer", "note"}}.
    opinion_considerations: Mapped[str | None] = mapped_column(Text)
    opinion_recommendation: Mapped[str | None] = mapped_column(String(16))  # grant / refuse
    opinion_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opinion_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    evidence: Mapped[list[ToleranceEvidence]] = relationship(cascade="all, delete-orphan", lazy="raise",
                                                             order_by="ToleranceEvidence.id")

    @property
    def opinion_view(self) -> considerations.Opinion | None:
        """The inspector's opinion as shown: considerations, recommendation, free text."""
        return considerations.stored(self.opinion_considerations, self.opinion_recommendation, self.opinion)


class ToleranceEvidence(Base):
    __tablename__ = "tolerance_evidence"

    request_id: Mapped[int] = mapped_column(ForeignKey("tolerance_request.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))

    file: Mapped[StoredFile] = relationship(lazy="raise")
