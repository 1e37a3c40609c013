"""Writing and verifying the audit chain.

`record` is called by every service that changes state, inside the caller's transaction, so
the change and its event commit together. The chain position is taken under a lock: an
advisory transaction lock on PostgreSQL, taken with the head's read in one statement
(arena_audit_head, migration 20261204_02); on SQLite the writer's BEGIN IMMEDIATE already holds
the database's single write lock (see arena.db).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit.chain import (
    GENESIS_HASH,
    BrokenLink,
    ChainEntry,
    event_hash,
    first_broken_link,
)
from arena.audit.models import AuditEvent
from arena.canonical import canonical_json
from arena.clock import Clock

AUDIT_LOCK_KEY = 0x41524E41  # "ARNA": the advisory lock that serialises chain appends on PostgreSQL
VERIFY_BATCH = 2000
_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
"""The chain's last event, read by every `record` (built once: it runs inside the writer's turn)."""
_APPEND = insert(cast(Table, AuditEvent.__table__))
"""The event's INSERT: a plain statement, not the ORM's unit of work, inside the writer's turn."""
_LOCKED_HEAD = text("SELECT seq, hash FROM arena_audit_head(:key)").bindparams(key=AUDIT_LOCK_KEY)
"""PostgreSQL: the lock, then the head read after it was granted, in one round trip (migration
20261204_02 explains the function): every other writer waits while the holder's statements go
back and forth."""


async def record(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    role: str,
    action: str,
    object_type: str,
    object_id: object,
    summary: Mapping[str, Any] | None = None,
) -> None:
    """Append one event for a state change; `summary` holds what changed (before/after)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    last = (await session.execute(_LOCKED_HEAD if postgresql else _HEAD)).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    entry = ChainEntry(
        seq=seq,
        occurred_at=clock.now(),
        actor_id=actor.user_id,
        actor_name=actor.username,
        actor_role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=canonical_json(dict(summary or {})),
        prev_hash=prev_hash,
    )
    await session.execute(_APPEND, {**asdict(entry), "hash": event_hash(entry)})
    await session.flush()  # what the caller changed before is written before the event, as ever


@dataclass(frozen=True)
class ChainReport:
    count: int
    last_hash: str
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _entry(event: AuditEvent) -> ChainEntry:
    return ChainEntry(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        actor_role=event.actor_role,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        summary=event.summary,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


async def _entries(session: AsyncSession, after: int = 0) -> AsyncIterator[ChainEntry]:
    while True:
        batch = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(VERIFY_BATCH)
            )
        ).all()
        if not batch:
            return
        for event in batch:
            yield _entry(event)
        after = batch[-1].seq
        session.expunge_all()


async def verify_chain(session: AsyncSession, after: tuple[int, str] = (0, GENESIS_HASH)) -> ChainReport:
    """Check every link from the first event; name the first broken one.

    `after` = (seq, hash) starts the walk behind an event already vouched for (a checkpoint,
    arena.audit.checkpoints); `count` then counts only the events walked.
    """
    count = 0
    expected_prev, expected_seq = after[1], after[0] + 1
    async for entry in _entries(session, after[0]):
        broken = first_broken_link([entry], expected_prev, expected_seq)
        if broken:
            return ChainReport(count=count, last_hash=expected_prev, broken=broken)
        count += 1
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return ChainReport(count=count, last_hash=expected_prev, broken=None)


async def event_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
