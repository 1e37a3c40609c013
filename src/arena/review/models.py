"""Expert review (专家评审): declared conflicts, the panel and its verifiable draw, the seats,
score sheets, and the frozen results.

A panel belongs to one challenge and one purpose (bid review now; acceptance later draws the
same way). The draw is committed before it happens (`seed_commitment` is public, `seed` stays
secret until `drawn_at`), and the candidate list it drew from is stored with its hash so anyone
can recompute the panel. Sheets are rows from the moment an expert accepts: one per bid they
may score; a conflict found later recuses the sheet instead of deleting it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base
from arena.review.enums import CommitmentKind as CommitmentKind  # the enums are plain Python (pure rules use them)
from arena.review.enums import CommitmentStatus as CommitmentStatus
from arena.review.enums import PanelPurpose as PanelPurpose
from arena.review.enums import PanelStatus as PanelStatus
from arena.review.enums import SeatStatus as SeatStatus
from arena.review.enums import SheetStatus as SheetStatus
from arena.units.models import Expert


class ExpertConflict(Base):
    """A conflict an expert declares (回避申报): with a cadre or with a whole unit."""

    __tablename__ = "expert_conflict"
    __table_args__ = (CheckConstraint("(cadre_id IS NULL) <> (unit_id IS NULL)", name="one_target"),)

    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="RESTRICT"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Panel(Base):
    """The experts drawn for one challenge (评审专家组), with the draw's proof."""

    __tablename__ = "panel"
    __table_args__ = (UniqueConstraint("challenge_id", "purpose"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"))
    purpose: Mapped[str] = mapped_column(String(16), default=PanelPurpose.BID.value)
    status: Mapped[str] = mapped_column(String(16), default=PanelStatus.COMMITTED.value)
    size: Mapped[int] = mapped_column(Integer, default=5)
    reserves: Mapped[int] = mapped_column(Integer, default=2)
    trim_k: Mapped[int | None] = mapped_column(Integer)  # None: 1 when at least 5 sheets, else 0
    seed_commitment: Mapped[str] = mapped_column(String(64))  # SHA-256 of the seed, public at once
    seed: Mapped[str] = mapped_column(String(64))  # secret until drawn_at
    committed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    drawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    candidates: Mapped[str | None] = mapped_column(Text)  # canonical JSON list of expert codes, sorted
    candidates_sha256: Mapped[str | None] = mapped_column(String(64))
    drawn: Mapped[str | None] = mapped_column(Text)  # canonical JSON list of expert codes, in drawn order
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(Text)  # why some sheets were missing
    # The chair's summary opinion (专家组综合意见, review.opinion): a draft the chair may edit once
    # every sheet is in, frozen into the results snapshot at close.
    chair_opinion: Mapped[str | None] = mapped_column(Text)
    chair_opinion_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    due_on: Mapped[date | None] = mapped_column(Date)  # 评审截止日期, a Beijing day (review.deadlines)

    seats: Mapped[list[PanelSeat]] = relationship(lazy="raise", order_by="PanelSeat.drawn_rank")


class DrawCommitment(Base):
    """One published commitment of a panel's draw (抽取承诺), in the order published.

    It freezes what the draw will use — the seed's hash, the candidate list and its hash, the
    number of seats, the outside beacon's source and date — so changing the pool or the settings
    afterwards needs a new commitment, which is public and says why (`reason`). A replaced
    commitment's seed is revealed at once: it can never be used, and anyone can check it was not
    chosen after the fact. `method` "seed" marks draws made before beacons (no beacon, verified
    by the old rule)."""

    __tablename__ = "draw_commitment"
    __table_args__ = (UniqueConstraint("panel_id", "ordinal"),)

    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="RESTRICT"))
    ordinal: Mapped[int] = mapped_column(Integer)  # 1, 2… per panel
    kind: Mapped[str] = mapped_column(String(16), default=CommitmentKind.PANEL.value)
    method: Mapped[str] = mapped_column(String(16), default="beacon")
    status: Mapped[str] = mapped_column(String(16), default=CommitmentStatus.OPEN.value)
    seats: Mapped[int] = mapped_column(Integer)  # experts invited by this draw
    reserves: Mapped[int] = mapped_column(Integer)
    seed_commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))  # secret until drawn or replaced
    candidates: Mapped[str | None] = mapped_column(Text)  # frozen canonical JSON (None: old, never drawn)
    candidates_sha256: Mapped[str | None] = mapped_column(String(64))
    beacon_source: Mapped[str | None] = mapped_column(String(100))  # e.g. 中国福利彩票双色球开奖号码
    beacon_date: Mapped[date | None] = mapped_column(Date)  # the source's draw date, after the commitment day
    beacon: Mapped[str | None] = mapped_column(String(200))  # entered by the inspector at the draw
    beacon_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    committed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # why it replaced the previous commitment
    replaced_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    drawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    drawn: Mapped[str | None] = mapped_column(Text)  # canonical JSON list of codes, in drawn order


class PanelSeat(Base):
    """One drawn expert: a member (the first `size` in drawn order) or a reserve."""

    __tablename__ = "panel_seat"
    __table_args__ = (
        UniqueConstraint("panel_id", "expert_id", name="uq_panel_seat_panel_id_expert_id"),
        UniqueConstraint("panel_id", "drawn_rank", name="uq_panel_seat_panel_id_drawn_rank"),
        Index("ix_panel_seat_expert_id_status", "expert_id", "status"),
    )

    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="RESTRICT"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="RESTRICT"))
    drawn_rank: Mapped[int] = mapped_column(Integer)  # 1-based position in the drawn order
    status: Mapped[str] = mapped_column(String(16))
    is_chair: Mapped[bool] = mapped_column(default=False)  # 评审组组长
    invited_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    chased_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # last 催评, the throttle

    expert: Mapped[Expert] = relationship(lazy="raise")


class ScoreSheet(Base):
    """One expert's scores for one bid (评分表). `revision` is the autosave's optimistic lock."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        UniqueConstraint("panel_id", "expert_id", "bid_id"),
        Index("ix_score_sheet_panel_id_expert_id", "panel_id", "expert_id"),
        Index("ix_score_sheet_bid_id", "bid_id"),
    )

    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="RESTRICT"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="RESTRICT"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default=SheetStatus.DRAFT.value)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    comment: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))  # of the entered scores
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    recusal_reason: Mapped[str | None] = mapped_column(Text)
    # The salt of the last submit's commitment (review.seal), new at each submit; frozen into the
    # results snapshot at close so anyone can check the sheet against the audit chain.
    salt: Mapped[str | None] = mapped_column(String(64))
    # The open page (a random token per page load) that saved the sheet last: that page's
    # submit may supersede its own autosave, never another window's (review.sheets._claim).
    editor: Mapped[str | None] = mapped_column(String(16))

    scores: Mapped[list[Score]] = relationship(cascade="all, delete-orphan", lazy="raise")


class Score(Base):
    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="RESTRICT"))
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class ReviewResult(Base):
    """The frozen results of a panel: a canonical JSON snapshot and its SHA-256. Reopening a
    review (after an upheld objection) supersedes the current result; the next close freezes a
    new one, and the old stays as it was."""

    __tablename__ = "review_result"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="RESTRICT"), index=True)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="RESTRICT"), index=True)
    snapshot: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    frozen_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
