"""Per-process caches of derived pages that are never stale, across processes and machines.

A named counter in the database (`DataVersion`: "catalogue", "reports") is bumped in the same
transaction as any change to what it covers, just before it commits, by the ORM listeners of
the module that owns the name (`watch`). A cached entry remembers the version it was computed
at and, when the result also depends on the clock, the first moment it could change by itself;
it is used only while both hold. So any process sees another's change at its next request, for
the price of one indexed lookup, and a hit costs the same whatever the amount of data behind it.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, String, TextClause, bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from arena.db import Base, dialect_insert

T = TypeVar("T")


class DataVersion(Base):
    """A counter bumped in the same transaction as any change to what it covers ("catalogue":
    challenges, their rubric, amendments and attachments, units and fields). Caches compare it,
    so every process sees a change at its next request. (Kept here, in the core, so that this
    module imports no area.)"""

    __tablename__ = "data_version"

    name: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)

Relevant = Callable[[Any], bool]
"""Whether a new, changed or deleted object matters to a version (default: always)."""


PENDING = "arena.data_versions.pending"
"""Session.info key: the names this transaction's writes will bump when it commits."""

BUMPED = "arena.data_versions.bumped"
"""Session.info key: every name this session's committed transactions bumped (a request's
session lives for one request, so a kept page can tell that its request wrote)."""


_BUMPS: dict[str, Any] = {}
"""The upsert of `bump` per dialect, built once: every committed write runs it, inside SQLite's
single writer's turn, and a statement built anew costs more than running it."""


def bump(session: Session, name: str) -> None:
    """version + 1, creating the row the first time (an upsert, so two first writers agree)."""
    dialect = session.get_bind().dialect.name
    statement = _BUMPS.get(dialect)
    if statement is None:
        statement = _BUMPS[dialect] = dialect_insert(session, DataVersion).values(
            name=bindparam("bumped"), version=1).on_conflict_do_update(
            index_elements=[DataVersion.name], set_={"version": DataVersion.version + 1})
    session.connection().execute(statement, {"bumped": name})


def _mark(session: Session, name: str) -> None:
    session.info.setdefault(PENDING, set()).add(name)


@event.listens_for(Session, "before_commit")
def _bump_pending(session: Session) -> None:
    """Bump at the very end of the transaction, in name order. A version row is then the last
    lock a transaction takes, held only while it commits, so two writers can never wait on each
    other through it (bumping at each flush, a transaction holding "catalogue" could wait on a
    bid row that another holds while it waits on "catalogue")."""
    session.flush()  # the last writes first: they may mark more names
    names = sorted(session.info.pop(PENDING, ()))
    for name in names:
        bump(session, name)
    session.info.setdefault(BUMPED, set()).update(names)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction is over: committed or rolled back
        session.info.pop(PENDING, None)


def watch(name: str, classes: Iterable[type], tables: Iterable[str] = (),
          relevant: dict[type, Relevant] | None = None) -> None:
    """Bump `name` when the transaction commits if a flush wrote an instance of `classes` (that
    `relevant` keeps, per class) or an ORM bulk INSERT/UPDATE/DELETE targeted one of their
    tables or `tables` (those skip the flush)."""
    watched = tuple(classes)
    keep = relevant or {}
    table_names = frozenset(getattr(c, "__tablename__", "") for c in watched) | frozenset(tables)

    def matters(obj: Any) -> bool:
        check = keep.get(type(obj))
        return check is None or check(obj)

    @event.listens_for(Session, "after_flush")
    def _after_flush(session: Session, _context: UOWTransaction) -> None:
        changed = chain(session.new, session.dirty, session.deleted)
        if any(isinstance(obj, watched) and matters(obj) for obj in changed):
            _mark(session, name)

    @event.listens_for(Session, "do_orm_execute")
    def _on_execute(state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        table = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None) in table_names:
            _mark(state.session, name)


def watch_everything(name: str, except_tables: Iterable[str]) -> None:
    """Bump `name` when the transaction commits if it wrote a row of any table but
    `except_tables`: a flush's new, changed or deleted objects, or any INSERT, UPDATE or
    DELETE sent through a session (a textual one counts whatever its table). For a cache of
    pages that read many tables: a table added later is covered without anyone remembering."""
    ignored = frozenset(except_tables)

    def counts(obj: Any) -> bool:
        table = getattr(type(obj), "__tablename__", None)
        return table is None or table not in ignored

    @event.listens_for(Session, "after_flush")
    def _after_flush(session: Session, _context: UOWTransaction) -> None:
        if any(counts(obj) for obj in chain(session.new, session.dirty, session.deleted)):
            _mark(session, name)

    @event.listens_for(Session, "do_orm_execute")
    def _on_execute(state: ORMExecuteState) -> None:
        statement = state.statement
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(getattr(statement, "table", None), "name", None)
            if table is None or table not in ignored:
                _mark(state.session, name)
        elif isinstance(statement, TextClause) and _WRITES.match(statement.text):
            _mark(state.session, name)


_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)


Moment = Callable[[datetime], Any]
"""A scalar subquery: the next moment after `now` when a derived page could change with no
write (a bid window opening or closing, say), or NULL."""
_MOMENTS: list[Moment] = []


def moment(provider: Moment) -> Moment:
    """Register `provider` (a Moment). Areas register theirs when imported (arena.caches
    imports them all)."""
    _MOMENTS.append(provider)
    return provider


async def current_and_next_moment(db: AsyncSession, name: str, now: datetime) -> tuple[int, datetime | None]:
    """The version of `name` and the earliest registered moment after `now`, in one statement
    (the moments are indexed lookups)."""
    row = (await db.execute(select(
        select(DataVersion.version).where(DataVersion.name == name).scalar_subquery(),
        *(provider(now) for provider in _MOMENTS)))).one()
    moments = [m for m in row[1:] if m is not None]
    return int(row[0] or 0), min(moments, default=None)


async def current(db: AsyncSession, name: str) -> int:
    version = await db.scalar(select(DataVersion.version).where(DataVersion.name == name))
    return int(version or 0)


@dataclass
class Entry(Generic[T]):
    version: int
    value: T
    valid_until: datetime | None = None  # None: only a write changes it


class _BuildFailed(Exception):
    """The build others were waiting for failed, or its request went away."""


Build = Callable[[], Awaitable[tuple[T, datetime | None]]]
"""Makes a cached value: the value, and when it ends by itself (None: only a write ends it)."""


class VersionedCache(Generic[T]):
    """Least recently used entries, per process, each valid for one data version."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Entry[T]] = OrderedDict()
        self._building: dict[tuple[Hashable, int], asyncio.Future[Entry[T]]] = {}

    async def get_or_build(self, key: Hashable, version: int, now: datetime | None, build: Build[T]) -> Entry[T]:
        """The entry for `key`, or the one `build` makes, kept. One build per key and version at
        a time: when a page everybody reads ends (a write, its moment, its minute), the visitors
        asking at that moment wait for the first one's build instead of each rendering the same
        page, a burst that stalled a process for 100–250 ms with 16 visitors at once."""
        entry = self.get(key, version, now)
        if entry is not None:
            return entry
        flight = (key, version)
        pending = self._building.get(flight)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except _BuildFailed:  # build again: one of the waiters leads this time
                return await self.get_or_build(key, version, now, build)
        future: asyncio.Future[Entry[T]] = asyncio.get_running_loop().create_future()
        self._building[flight] = future
        try:
            value, until = await build()
            entry = self.put(key, Entry(version, value, until))
            future.set_result(entry)
            return entry
        except BaseException:
            future.set_exception(_BuildFailed())
            future.exception()  # marked as retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            if self._building.get(flight) is future:
                del self._building[flight]

    def get(self, key: Hashable, version: int, now: datetime | None = None) -> Entry[T] | None:
        entry = self.entries.get(key)
        if entry is None or entry.version != version:
            return None
        if entry.valid_until is not None and (now is None or now >= entry.valid_until):
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: Entry[T]) -> Entry[T]:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return entry
