"""Challenges (榜单): what is published, its rubric, eligibility, template and amendments.

Designed for the whole lifecycle: the stored `status` moves through the later stages
(qualification, review, publicity, award, execution, acceptance), while whether a published
challenge's bid window is upcoming, open or closed is derived from the server's clock.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Column, Date, ForeignKey, Index, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.challenges.enums import Aggregation as Aggregation  # the enums are plain Python (pure rules use them)
from arena.challenges.enums import ChallengeMode as ChallengeMode
from arena.challenges.enums import ChallengeStatus as ChallengeStatus
from arena.challenges.enums import CheckpointStatus as CheckpointStatus
from arena.challenges.enums import CriterionKind as CriterionKind
from arena.challenges.enums import QuestionStatus as QuestionStatus
from arena.db import Base, metadata
from arena.files.models import StoredFile
from arena.units.models import Field, Unit

challenge_eligible_unit = Table(
    "challenge_eligible_unit",
    metadata,
    Column("challenge_id", ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="RESTRICT"), primary_key=True),
)
challenge_eligible_field = Table(
    "challenge_eligible_field",
    metadata,
    Column("challenge_id", ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("field.id", ondelete="RESTRICT"), primary_key=True),
)


class Challenge(Base):
    __tablename__ = "challenge"
    __table_args__ = (
        Index("ix_challenge_status_closes_at", "status", "bid_closes_at"),
        # the next window to open or close anywhere, asked by every kept page (arena.web.page_cache)
        Index("ix_challenge_bid_opens_at", "bid_opens_at"),
        Index("ix_challenge_bid_closes_at", "bid_closes_at"),
        Index("ix_challenge_status_published_at", "status", "published_at"),
        Index("ix_challenge_field_id_status", "field_id", "status"),
        Index("ix_challenge_owner_unit_id_status", "owner_unit_id", "status"),
        Index("ix_challenge_organizer_id_status", "organizer_id", "status"),
    )

    number: Mapped[str | None] = mapped_column(String(32), unique=True)  # 榜单编号, given at publishing
    status: Mapped[str] = mapped_column(String(16), default=ChallengeStatus.DRAFT.value)
    title: Mapped[str] = mapped_column(String(200))
    background: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")  # 目标与考核指标 (KPIs)
    deliverables: Mapped[str] = mapped_column(Text, default="")
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id", ondelete="RESTRICT"))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    organizer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元
    reward: Mapped[str] = mapped_column(Text, default="")
    duration_months: Mapped[int | None] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16), default=ChallengeMode.SINGLE.value)
    horse_race_teams: Mapped[int | None] = mapped_column(Integer)  # N parallel winners
    # eligibility (揭榜条件)
    rank_min: Mapped[str | None] = mapped_column(String(24))
    rank_max: Mapped[str | None] = mapped_column(String(24))
    age_limit: Mapped[int | None] = mapped_column(Integer)  # at most this age (周岁) when the window closes
    require_frontline: Mapped[bool] = mapped_column(default=False)  # 仅限基层一线干部 (Cadre.frontline)
    # window, by the server's clock, stored in UTC
    bid_opens_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    bid_closes_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # scoring (DESIGN §4)
    max_score: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("100"))
    pass_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    aggregation: Mapped[str] = mapped_column(String(16), default=Aggregation.TRIMMED_MEAN.value)
    deviation_share: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("0.20"))
    blind_review: Mapped[bool] = mapped_column(default=True)
    panel_size: Mapped[int] = mapped_column(Integer, default=5)
    panel_reserves: Mapped[int] = mapped_column(Integer, default=2)
    # acceptance grades (验收): 优秀 ≥ excellent, 良好 ≥ good, 合格 ≥ qualified, else 不合格
    grade_excellent: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("90"))
    grade_good: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("80"))
    grade_qualified: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("60"))
    # lifecycle
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    round_no: Mapped[int] = mapped_column(Integer, default=1)
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id"), index=True)

    field: Mapped[Field | None] = relationship(lazy="raise")
    owner_unit: Mapped[Unit | None] = relationship(lazy="raise")
    eligible_units: Mapped[list[Unit]] = relationship(secondary=challenge_eligible_unit, lazy="raise")
    eligible_fields: Mapped[list[Field]] = relationship(secondary=challenge_eligible_field, lazy="raise")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="challenge", cascade="all, delete-orphan", lazy="raise", order_by="Criterion.position"
    )
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="Checkpoint.position"
    )
    milestone_templates: Mapped[list[MilestoneTemplate]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="MilestoneTemplate.position"
    )
    tolerance_cases: Mapped[list[ToleranceCase]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="ToleranceCase.position"
    )
    amendments: Mapped[list[Amendment]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="Amendment.seq"
    )
    attachments: Mapped[list[ChallengeAttachment]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="ChallengeAttachment.id"
    )


class Criterion(Base):
    """One scoring item (评分项) with its points (分值) and guidance; frozen at publishing."""

    __tablename__ = "criterion"
    __table_args__ = (Index("ix_criterion_challenge_id_kind_position", "challenge_id", "kind", "position"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=CriterionKind.BID.value)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    guidance: Mapped[str] = mapped_column(Text, default="")

    challenge: Mapped[Challenge] = relationship(back_populates="criteria", lazy="raise")


class Checkpoint(Base):
    """A horse-race checkpoint (赛马节点): planned for `due_on`, decided by the organizer on the
    ranking of the active teams' assessment scores (execution.horse_race)."""

    __tablename__ = "challenge_checkpoint"
    __table_args__ = (UniqueConstraint("challenge_id", "position"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=CheckpointStatus.PENDING.value,
                                        server_default=CheckpointStatus.PENDING.value)
    ranking: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the ranking decided on
    eliminated_project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"))
    keep_reason: Mapped[str | None] = mapped_column(Text)  # why nobody was eliminated
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class MilestoneTemplate(Base):
    """A milestone every bid's plan must cover (节点任务模板)."""

    __tablename__ = "milestone_template"
    __table_args__ = (UniqueConstraint("challenge_id", "position"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    due_month: Mapped[int] = mapped_column(Integer)  # months after award
    deliverable: Mapped[str] = mapped_column(Text, default="")


class ToleranceCase(Base):
    """A declared fault-tolerance case (容错情形) a failed milestone may be excused under."""

    __tablename__ = "tolerance_case"
    __table_args__ = (UniqueConstraint("challenge_id", "position"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)


class Amendment(Base):
    """A published change (更正公告): reason plus before/after of each changed item."""

    __tablename__ = "challenge_amendment"
    __table_args__ = (UniqueConstraint("challenge_id", "seq"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # canonical JSON list of {"item", "before", "after"}
    published_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class ChallengeAttachment(Base):
    __tablename__ = "challenge_attachment"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))

    file: Mapped[StoredFile] = relationship(lazy="raise")


class ChallengeQuestion(Base):
    """A question asked during the bid window (答疑) and the organizer's answer. The asker is
    kept for the organizer and the audit trail only: nothing public ever names them."""

    __tablename__ = "challenge_question"
    __table_args__ = (
        Index("ix_challenge_question_challenge_id_status", "challenge_id", "status"),
        Index("ix_challenge_question_asked_by_id_challenge_id", "asked_by_id", "challenge_id"),
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.ASKED.value)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    close_reason: Mapped[str | None] = mapped_column(Text, default=None)
