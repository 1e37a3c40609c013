"""Writing and verifying the audit chain.

`record` is called by every service that changes state, inside the caller's transaction, so
the change and its event commit together. The chain position is taken under a lock: an
advisory transaction lock on PostgreSQL, taken in the very statement that appends the event
(its link from arena_audit_link, migration 20261204_02); on SQLite the writer's BEGIN IMMEDIATE
already holds the database's single write lock (see arena.db).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Integer, String, Table, Text, bindparam, column, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit.chain import (
    GENESIS_HASH,
    LINK_JOINT,
    BrokenLink,
    ChainEntry,
    around_link,
    event_hash,
    first_broken_link,
)
from arena.audit.models import AuditEvent
from arena.canonical import canonical_json
from arena.clock import Clock

AUDIT_LOCK_KEY = 0x41524E41  # "ARNA": the advisory lock that serialises chain appends on PostgreSQL
VERIFY_BATCH = 2000
_EVENTS = cast(Table, AuditEvent.__table__)
_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
"""SQLite: the chain's last event (built once: it runs inside the writer's turn)."""
_APPEND = insert(_EVENTS)
"""SQLite: the event's INSERT, a plain statement rather than the ORM's unit of work."""
_FIELDS = ("occurred_at", "actor_id", "actor_name", "actor_role", "action", "object_type", "object_id", "summary")
_LINK = func.arena_audit_link(
    bindparam("key", AUDIT_LOCK_KEY, type_=BigInteger), bindparam("before", type_=Text),
    bindparam("joint", LINK_JOINT, type_=Text), bindparam("after", type_=Text),
    bindparam("genesis", GENESIS_HASH, type_=String)).table_valued(
        column("link_seq", Integer), column("link_prev", String), column("link_hash", String))
_APPEND_LINKED = insert(_EVENTS).from_select(
    ["seq", "prev_hash", "hash", *_FIELDS, "created_at", "updated_at"],
    select(_LINK.c.link_seq, _LINK.c.link_prev, _LINK.c.link_hash,
           *(bindparam(name, type_=_EVENTS.c[name].type) for name in _FIELDS),
           bindparam("created_at", type_=_EVENTS.c.created_at.type),
           bindparam("updated_at", type_=_EVENTS.c.updated_at.type)))
"""PostgreSQL: the whole append in one statement, its link (lock, head, hash) from arena_audit_link
(migration 20261204_02 explains it). Every writer waits while the holder's statements go back
and forth between the database and a busy event loop: fewer statements, a shorter wait."""


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
    entry = ChainEntry(seq=0, occurred_at=clock.now(), actor_id=actor.user_id, actor_name=actor.username,
                       actor_role=role, action=action, object_type=object_type, object_id=str(object_id),
                       summary=canonical_json(dict(summary or {})), prev_hash="")
    fields = {name: getattr(entry, name) for name in _FIELDS}
    if session.get_bind().dialect.name == "postgresql":
        before, after = around_link(entry)
        now = datetime.now(UTC)  # the row's own times, as the ORM's defaults would set them
        await session.execute(_APPEND_LINKED, {**fields, "before": before, "after": after, "created_at": now,
                                               "updated_at": now})
    else:  # the writer holds SQLite's one write lock: the head cannot move until it commits
        last = (await session.execute(_HEAD)).first()
        linked = replace(entry, seq=last.seq + 1, prev_hash=last.hash) if last else replace(
            entry, seq=1, prev_hash=GENESIS_HASH)
        await session.execute(_APPEND, {**asdict(linked), "hash": event_hash(linked)})
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
