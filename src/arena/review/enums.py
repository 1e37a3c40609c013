"""The purposes and states of review panels, seats, score sheets and draw commitments — plain
Python, so the pure rules need no SQLAlchemy. arena.review.models re-exports them, and the
columns store their values as strings."""

from __future__ import annotations

import enum


class PanelPurpose(enum.StrEnum):
    BID = "bid"  # 揭榜评审
    ACCEPTANCE = "acceptance"  # 验收 (execution issue)


class PanelStatus(enum.StrEnum):
    COMMITTED = "committed"  # commitment published, not drawn yet
    DRAWN = "drawn"  # seats filled, experts answering and scoring
    CLOSED = "closed"  # results frozen


class SeatStatus(enum.StrEnum):
    INVITED = "invited"  # drawn onto the panel, not answered yet
    ACCEPTED = "accepted"
    DECLINED = "declined"  # with a reason; the next reserve moves up
    RESERVE = "reserve"  # waiting, in drawn order
    REPLACED = "replaced"  # late after the due date: the organizer gave the seat to the next reserve


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # locked; the chair may reopen with a reason
    RECUSED = "recused"  # a conflict found after the draw: not scored, not counted
    VOID = "void"  # its expert was replaced after the due date: kept, never counted or shown again


class CommitmentKind(enum.StrEnum):
    PANEL = "panel"  # the panel and its reserves
    SUPPLEMENT = "supplement"  # 补充抽取: seats left empty when the reserves ran out


class CommitmentStatus(enum.StrEnum):
    OPEN = "open"  # published, waiting for the beacon
    REPLACED = "replaced"  # superseded by a later commitment (with its reason); its seed is public
    DRAWN = "drawn"  # the beacon was entered and the experts drawn
