"""Records (结果运用记录), the rules that propose them, and certificates (荣誉证书).

A record starts as a proposal made by a rule when a project's outcome is known (accepted with
a grade, eliminated, or a failure excused), or as the organizer's recommendation. The organizer
and the inspectors give opinions; the organization department (组织部门) whose scope covers the
cadre's unit decides, with a document number (文号):
- promotions and awards are published (任前公示 / 表彰公示) for N working days, anyone logged in
  may object, and they take effect when the period has ended and every objection is answered
  (an award then gets its certificate); an upheld objection withdraws the record;
- accountability (诫勉, 岗位调整, 岗位退出) is decided only after the cadre's hearing (陈述申辩):
  N working days to file a statement with evidence, or to waive it;
- an effective record may later be revoked (撤销) with a reason.
Nothing is deleted; records.transitions.RECORD holds the table.
"""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base
from arena.files.models import StoredFile
from arena.records.enums import ACCOUNTABILITY_TYPES as ACCOUNTABILITY_TYPES  # plain Python (pure rules use them)
from arena.records.enums import CERTIFIED_TYPES as CERTIFIED_TYPES
from arena.records.enums import PUBLICIZED_TYPES as PUBLICIZED_TYPES
from arena.records.enums import ObjectionStatus as ObjectionStatus
from arena.records.enums import OpinionRole as OpinionRole
from arena.records.enums import Origin as Origin
from arena.records.enums import Recipient as Recipient
from arena.records.enums import RecordStatus as RecordStatus
from arena.records.enums import RecordType as RecordType
from arena.records.enums import Trigger as Trigger
from arena.records.rules import allowed as rule_allowed
from arena.units.models import Cadre


class RecordRule(Base):
    """One configurable proposal rule: on `trigger`, propose `record_type` for `recipient`.
    `unless_exempted` skips projects with a granted fault-tolerance request (容错免责)."""

    __tablename__ = "record_rule"
    __table_args__ = (UniqueConstraint("trigger", "recipient", "record_type"),)

    trigger: Mapped[str] = mapped_column(String(24))
    recipient: Mapped[str] = mapped_column(String(16))
    record_type: Mapped[str] = mapped_column(String(32))
    unless_exempted: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def allowed(self) -> bool:
        """records.rules.allowed: an elimination never proposes accountability, so such a rule
        (left from before issue 20) stays off."""
        return rule_allowed(self.trigger, self.record_type)


class Record(Base):
    """A proposal, then a decided record, about one cadre and one project."""

    __tablename__ = "record"
    __table_args__ = (
        Index("ix_record_status_proposed_at", "status", "proposed_at"),
        Index("ix_record_cadre_id_status", "cadre_id", "status"),
        Index("ix_record_status_record_type_document_date", "status", "record_type", "document_date"),
        Index("ix_record_project_id", "project_id"),
        Index("ix_record_org_department_id_status", "org_department_id", "status"),
        Index("ix_record_status_publicity_ends_at", "status", "publicity_ends_at"),
    )

    # trigger:project:tolerance request (0 if none):cadre:rule — a proposal is made once.
    proposal_key: Mapped[str] = mapped_column(String(100), unique=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    tolerance_request_id: Mapped[int | None] = mapped_column(ForeignKey("tolerance_request.id", ondelete="RESTRICT"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("record_rule.id", ondelete="RESTRICT"))
    trigger: Mapped[str] = mapped_column(String(24))
    recipient: Mapped[str] = mapped_column(String(16))
    record_type: Mapped[str] = mapped_column(String(32))
    proposed_type: Mapped[str] = mapped_column(String(32))  # as the rule proposed it
    type_change_reason: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)  # canonical JSON of the facts the proposal rests on
    status: Mapped[str] = mapped_column(String(16), default=RecordStatus.PROPOSED.value)
    proposed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    document_number: Mapped[str | None] = mapped_column(String(64))  # 文号
    document_date: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    origin: Mapped[str] = mapped_column(String(16), default=Origin.RULE.value, server_default=Origin.RULE.value)
    # The 组织部门 that decides: the nearest whose scope covers the cadre's unit when proposed
    # (None: no department covers it yet, and the admin is told).
    org_department_id: Mapped[int | None] = mapped_column(ForeignKey("org_department.id", ondelete="RESTRICT"))
    # 陈述申辩 (accountability only): the period ends at midnight Beijing after its last working day.
    hearing_started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    hearing_last_day: Mapped[date | None] = mapped_column(Date)
    hearing_ends_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    hearing_waived_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # 任前公示 / 表彰公示 (promotions and awards), from approval.
    publicity_first_day: Mapped[date | None] = mapped_column(Date)
    publicity_last_day: Mapped[date | None] = mapped_column(Date)
    publicity_ends_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    effective_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Withdrawn during the 公示, or revoked after taking effect: when and why (public).
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    cadre: Mapped[Cadre] = relationship(lazy="raise")


class RecordOpinion(Base):
    """An opinion on a record by its challenge's organizer (推荐意见) or an inspector; only the
    组织部门 decides. Never shown to the cadre."""

    __tablename__ = "record_opinion"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[str] = mapped_column(String(16))  # OpinionRole
    stance: Mapped[str] = mapped_column(String(16))  # Stance
    text: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class RecordStatement(Base):
    """The cadre's statement (陈述申辩) on an accountability proposal, with evidence; it may be
    revised until the hearing period ends (`revised_at`: the last revision)."""

    __tablename__ = "record_statement"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revised_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    evidence: Mapped[list[RecordStatementEvidence]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="RecordStatementEvidence.id")


class RecordStatementEvidence(Base):
    __tablename__ = "record_statement_evidence"

    statement_id: Mapped[int] = mapped_column(ForeignKey("record_statement.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))

    file: Mapped[StoredFile] = relationship(lazy="raise")


class RecordObjection(Base):
    """An objection (异议) to a record in its 公示. Who filed it is for the 组织部门 and the
    inspectors only: the public sees how many there are and whether they were answered."""

    __tablename__ = "record_objection"
    __table_args__ = (
        UniqueConstraint("record_id", "seq"),
        Index("ix_record_objection_record_id_status", "record_id", "status"),
        Index("ix_record_objection_objector_id", "objector_id"),
    )

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column()  # 异议 1, 2… per record
    objector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ObjectionStatus.OPEN.value)
    filed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    reply: Mapped[str | None] = mapped_column(Text)  # the 组织部门's answer
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Certificate(Base):
    """The certificate (荣誉证书) of an award record, issued when it takes effect after its 公示.
    Its content is frozen as canonical JSON and hashed; anyone can check a code at
    /verify/{code}, which also says when and why a revoked record's certificate was revoked."""

    __tablename__ = "certificate"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # verification code, 12 characters
    issued_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
