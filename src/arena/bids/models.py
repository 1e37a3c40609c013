"""Bids (揭榜): a cadre's application, its team, its submitted versions, and qualification.

Designed for the rest of the lifecycle: review scores a bid's submitted version; the award
turns a winning bid's milestones into the binding plan (execution copies them); records point
back at the bid. A submitted bid is never deleted: withdrawal and every outcome are states.
"""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.bids.enums import BidStatus as BidStatus  # the enums are plain Python (pure rules use them)
from arena.bids.enums import MemberStatus as MemberStatus
from arena.bids.enums import VettingDecision as VettingDecision
from arena.db import Base
from arena.files.models import StoredFile
from arena.units.models import Cadre


class Bid(Base):
    """One cadre's bid on one challenge. The editable draft lives here; each submission
    freezes a `BidVersion` whose hash is printed on the receipt."""

    __tablename__ = "bid"
    __table_args__ = (
        # A cadre leads at most one bid per challenge (withdrawn ones included: they stay).
        UniqueConstraint("challenge_id", "lead_id"),
        Index("ix_bid_challenge_id_status", "challenge_id", "status"),
        Index("ix_bid_lead_id_status", "lead_id", "status"),
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"))
    number: Mapped[str | None] = mapped_column(String(40), unique=True)  # 揭榜编号, given at first submit
    status: Mapped[str] = mapped_column(String(16), default=BidStatus.DRAFT.value)
    # The draft's optimistic lock: every save must name the revision it started from, so two
    # tabs never silently overwrite each other.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    plan: Mapped[str] = mapped_column(Text, default="")
    commitment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    submitted_version: Mapped[int | None] = mapped_column(Integer)  # the latest BidVersion.version_no
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    # Qualification (资格审查) by the organizer; the reason is shown to the cadre.
    qualification_reason: Mapped[str | None] = mapped_column(Text)
    qualified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    qualified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # 评审编号: how experts see the bid (blind review shows nothing else), given at the draw
    review_code: Mapped[str | None] = mapped_column(String(8))

    lead: Mapped[Cadre] = relationship(lazy="raise")
    members: Mapped[list[BidMember]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="BidMember.id"
    )
    milestones: Mapped[list[BidMilestone]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="BidMilestone.position"
    )
    attachments: Mapped[list[BidAttachment]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="BidAttachment.id"
    )


class BidMember(Base):
    """A team member (团队成员) invited by the lead; must confirm before the bid can be submitted.

    `challenge_id` is copied from the bid so "not on two teams of one challenge" is one indexed
    lookup."""

    __tablename__ = "bid_member"
    __table_args__ = (
        UniqueConstraint("bid_id", "cadre_id"),
        Index("ix_bid_member_cadre_id_challenge_id", "cadre_id", "challenge_id"),
    )

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"))
    duty: Mapped[str] = mapped_column(String(200), default="")  # 分工
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.INVITED.value)
    responded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    cadre: Mapped[Cadre] = relationship(lazy="raise")


class BidMilestone(Base):
    """A proposed milestone (节点任务). Covers a MilestoneTemplate row of the challenge where
    `template_id` is set; the award copies the winning bid's rows into the binding plan."""

    __tablename__ = "bid_milestone"
    __table_args__ = (UniqueConstraint("bid_id", "position"),)

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("milestone_template.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    deliverable: Mapped[str] = mapped_column(Text, default="")
    kpi: Mapped[str] = mapped_column(Text, default="")


class BidAttachment(Base):
    __tablename__ = "bid_attachment"

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))

    file: Mapped[StoredFile] = relationship(lazy="raise")


class BidVersion(Base):
    """What was submitted, frozen: canonical JSON of plan, team, milestones, commitment and
    attachment hashes, with its SHA-256 (printed on the receipt, 回执). Edits before the
    deadline add a version; earlier ones are kept. Review reads the latest."""

    __tablename__ = "bid_version"
    __table_args__ = (UniqueConstraint("bid_id", "version_no"),)

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="RESTRICT"))
    version_no: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class Vetting(Base):
    """The inspector's decision on a bid's bidders (廉政审查). The reason of a veto is
    confidential: inspectors and organizers only, in every output."""

    __tablename__ = "bid_vetting"

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="RESTRICT"), unique=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
