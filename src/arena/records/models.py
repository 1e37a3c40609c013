"""Records (结果运用记录), the rules that propose them, and certificates (荣誉证书).

A record starts as a proposal made by a rule when a project's outcome is known (accepted with
a grade, eliminated, or a failure excused). The organizer approves it with a document number
(文号) and date, rejects it with a reason, or first changes its type with a reason; nothing is
deleted. An approved record of an honour type gets a certificate with a verification code.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base
from arena.units.models import Cadre


class RecordType(enum.StrEnum):
    """GLOSSARY: where results go."""

    PRIORITY_PROMOTION = "priority_promotion"  # 优先提拔使用
    EXCEPTIONAL_PROMOTION = "exceptional_promotion"  # 破格任用
    CROSS_LEVEL_PROMOTION = "cross_level_promotion"  # 跨层级晋升
    AWARD_RESPONSIBILITY = "award_responsibility"  # 担当作为奖
    AWARD_INNOVATION = "award_innovation"  # 改革创新奖
    POST_EXIT = "post_exit"  # 岗位退出
    ADMONISHMENT = "admonishment"  # 诫勉
    FAULT_TOLERANCE_EXEMPTION = "fault_tolerance_exemption"  # 容错免责


# Honours are printed as certificates (荣誉证书); promotions, accountability and exemptions are not.
CERTIFIED_TYPES = frozenset({RecordType.AWARD_RESPONSIBILITY, RecordType.AWARD_INNOVATION})
# Accountability records belong on the dossier's problem list (问题清单).
ACCOUNTABILITY_TYPES = frozenset({RecordType.POST_EXIT, RecordType.ADMONISHMENT})


class Trigger(enum.StrEnum):
    """The outcome a rule reacts to."""

    GRADE_EXCELLENT = "grade_excellent"  # 验收优秀
    GRADE_GOOD = "grade_good"  # 验收良好
    GRADE_QUALIFIED = "grade_qualified"  # 验收合格
    GRADE_UNQUALIFIED = "grade_unqualified"  # 验收不合格
    ELIMINATED = "eliminated"  # 赛马末位淘汰
    EXCUSED = "excused"  # 容错申请获批


class Recipient(enum.StrEnum):
    LEAD = "lead"  # 揭榜负责人
    MEMBERS = "members"  # 团队成员 (confirmed members of the winning bid)


class RecordStatus(enum.StrEnum):
    PROPOSED = "proposed"  # 待审批
    APPROVED = "approved"  # 已批准
    REJECTED = "rejected"  # 未批准


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
