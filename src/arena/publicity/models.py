"""Publicity (公示) of frozen review results, and the objections (异议) filed during it.

A challenge may be publicized more than once: an upheld objection withdraws the running
publicity (after disqualifying a bid or reopening review), and the organizer publishes again.
Each publicity names the results it announces by their SHA-256 and the winners it proposes, so
the public page and the notice PDF always print what was actually published.
"""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base
from arena.files.models import StoredFile
from arena.publicity.enums import ObjectionAction as ObjectionAction  # the enums are plain Python (pure rules use them)
from arena.publicity.enums import ObjectionStatus as ObjectionStatus
from arena.publicity.enums import PublicityStatus as PublicityStatus


class Publicity(Base):
    __tablename__ = "publicity"
    __table_args__ = (
        UniqueConstraint("challenge_id", "seq"),
        Index("ix_publicity_status_ends_at", "status", "ends_at"),
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)  # 1 for the first publicity of a challenge, then 2…
    result_id: Mapped[int] = mapped_column(ForeignKey("review_result.id", ondelete="RESTRICT"))
    results_sha256: Mapped[str] = mapped_column(String(64))  # the frozen snapshot this publicity announces
    # canonical JSON list of the proposed winners: {"bid": code, "number": 揭榜编号, "lead": name, "unit": …}
    winners: Mapped[str] = mapped_column(Text)
    excluded: Mapped[str] = mapped_column(Text, default="[]")  # review codes removed by upheld objections
    status: Mapped[str] = mapped_column(String(16), default=PublicityStatus.PUBLISHED.value)
    working_days: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date] = mapped_column(Date)  # the first working day of the period (Beijing)
    last_day: Mapped[date] = mapped_column(Date)  # the N-th working day
    published_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))  # midnight after last_day, in UTC
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # concluded or withdrawn
    withdraw_reason: Mapped[str | None] = mapped_column(Text)


class Objection(Base):
    """A complaint about published results. Who filed it is for the organizer and inspectors:
    the public sees only how many there are and whether they were answered."""

    __tablename__ = "objection"
    __table_args__ = (
        UniqueConstraint("challenge_id", "seq"),
        Index("ix_objection_publicity_id_status", "publicity_id", "status"),
        Index("ix_objection_challenge_id_status", "challenge_id", "status"),
        Index("ix_objection_objector_id", "objector_id"),
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicity.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)  # 异议 1, 2… per challenge
    objector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ObjectionStatus.OPEN.value)
    filed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    reply: Mapped[str | None] = mapped_column(Text)  # the organizer's answer, read by the objector
    action: Mapped[str | None] = mapped_column(String(16))  # ObjectionAction, when upheld
    target_bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id", ondelete="RESTRICT"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    evidence: Mapped[list[ObjectionEvidence]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="ObjectionEvidence.id")


class ObjectionEvidence(Base):
    __tablename__ = "objection_evidence"

    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))

    file: Mapped[StoredFile] = relationship(lazy="raise")
