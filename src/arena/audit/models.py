"""The audit chain: an append-only, hash-linked log of every state change (DESIGN §5)."""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base


class AuditEvent(Base):
    """One event. `seq` is the chain position, `hash` covers the canonical form and `prev_hash`.

    Rows are only ever inserted: no code path updates or deletes them, and on PostgreSQL and
    SQLite a trigger refuses it too.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)  # the log's date filter
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)  # canonical JSON of the before/after summary
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(Base):
    """A signed (seq, head_hash, signed_at, key_id): see arena.audit.anchor for why and how.

    Rows are only inserted, never updated or deleted (a trigger refuses it, as for events).
    `daily_on` is set on the worker's daily checkpoint only: its unique key lets one of several
    workers write the day's checkpoint (the `sent_reminder` idea); on-demand checkpoints leave
    it empty. The public key is kept on each row so a checkpoint stays checkable after the key
    is rotated.
    """

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    key_id: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(44))  # base64 of the raw 32-byte Ed25519 key
    signature: Mapped[str] = mapped_column(String(88))  # base64 of the 64-byte signature
    daily_on: Mapped[date | None] = mapped_column(unique=True)  # Asia/Shanghai date of a daily checkpoint
