"""Records (结果运用记录), the rules that propose them, and certificates (荣誉证书).

A record starts as a proposal made by a rule when a project's outcome is known (accepted with
a grade, eliminated, or a failure excused). The organizer approves it with a document number
(文号) and date, rejects it with a reason, or first changes its type with a reason; nothing is
deleted. An approved record of an honour type gets a certificate with a verification code.
"""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base
from arena.records.enums import ACCOUNTABILITY_TYPES as ACCOUNTABILITY_TYPES  # plain Python (pure rules use them)
from arena.records.enums import CERTIFIED_TYPES as CERTIFIED_TYPES
from arena.records.enums import Recipient as Recipient
from arena.records.enums import RecordStatus as RecordStatus
from arena.records.enums import RecordType as RecordType
from arena.records.enums import Trigger as Trigger
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


class Record(Base):
    """A proposal, then an approved or rejected record, about one cadre and one project."""

    __tablename__ = "record"
    __table_args__ = (
        Index("ix_record_status_proposed_at", "status", "proposed_at"),
        Index("ix_record_cadre_id_status", "cadre_id", "status"),
        Index("ix_record_status_record_type_document_date", "status", "record_type", "document_date"),
        Index("ix_record_project_id", "project_id"),
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

    cadre: Mapped[Cadre] = relationship(lazy="raise")


class Certificate(Base):
    """The certificate (荣誉证书) of an approved honour record. Its content is frozen as canonical
    JSON at approval and hashed; anyone can check a code at /verify/{code}."""

    __tablename__ = "certificate"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # verification code, 12 characters
    issued_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
