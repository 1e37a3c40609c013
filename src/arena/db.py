"""Database engine, sessions and the base model.

SQLite (the default) runs in WAL mode with foreign keys on. Requests that change data start
their transaction with BEGIN IMMEDIATE on SQLite, so concurrent writers queue on the database
lock instead of failing half-way with SQLITE_BUSY; reads stay concurrent. Within a process
and among processes they queue before that (`begin_write`, `_WriterQueue`): SQLite's own wait
for its lock is a poll that sleeps up to 100 ms between tries, which gave 16 experts autosaving
at once a p99 of seconds (issue 24). Once a writer holds SQLite's lock its statements run in
the event loop's own thread (`_Connection`): the writer's turn is then the writes alone, not the
writes plus whatever the loop runs between them. PostgreSQL needs nothing special here: it is
selected by a postgresql+asyncpg:// URL.
"""

from __future__ import annotations

import asyncio
import fcntl
import importlib
import os
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import aiosqlite
from advanced_alchemy.base import IdentityAuditBase, orm_registry
from sqlalchemy import event, make_url, select
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

WRITE_INTENT = "arena_write"
"""Execution option that makes SQLite take the write lock at BEGIN (see module docstring)."""


class Base(IdentityAuditBase):
    """Every table: an IDENTITY integer id plus created_at/updated_at in UTC."""

    __abstract__ = True


metadata = orm_registry.metadata

Row = TypeVar("Row", bound=Base)

MAX_ID = 2**53 - 1
"""The largest id a loader looks up. IDENTITY ids stay far below it; a larger number (typed into
a URL, a form or a CLI argument) names nothing, and must not reach the driver, whose integers
overflow at 2**63 (a 500 instead of a 404). 2**53 also keeps every id exact in JavaScript."""


def valid_id(value: int) -> bool:
    """The one id guard: a positive id a table can hold. Loaders that build their own SELECT
    (joins, extra conditions) ask this; the others call `get_or_none`."""
    return 0 < value <= MAX_ID


async def get_or_none(db: AsyncSession, model: type[Row], row_id: int, *options: ExecutableOption,
                      for_update: bool = False) -> Row | None:
    """The row with this id, or None — also for an id out of range. Without `options` it is
    `Session.get` (no query when the row is already in the session); with them (eager loads) a
    SELECT, so that a row already in the session gets its relationships loaded too."""
    if not valid_id(row_id):
        return None
    if not options:
        return await db.get(model, row_id, with_for_update=True if for_update else None)
    stmt = select(model).where(model.id == row_id).options(*options)
    if for_update:
        stmt = stmt.with_for_update()
    return (await db.execute(stmt)).unique().scalar_one_or_none()

VERSIONED_VIEWS = ("arena.challenges.catalogue_cache", "arena.reports.cache")
"""Modules whose ORM listeners keep a cached view's data version (arena.data_versions)."""


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        return _create_sqlite_engine(database_url, echo=echo)
    engine = create_async_engine(database_url, echo=echo, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


IDLE_BEFORE_PING = 10.0
"""Seconds a pooled PostgreSQL connection may rest before it is tested on its way out."""
_RESTED_FROM = "arena.rested_from"  # the connection record's info: time.monotonic() of its return


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Test a connection before use only when it has rested in the pool for IDLE_BEFORE_PING.

    SQLAlchemy's pool_pre_ping tests every checkout, and asyncpg's ping is three round trips
    (BEGIN, an empty statement, ROLLBACK): on every request, more than some pages' own queries,
    and a third of an autosave's (issue 24). What a ping is for is a connection that died while
    it rested: PostgreSQL restarted, a firewall dropped it. One given back a moment ago under
    load was alive then; if it died since, its request fails like those running at that moment,
    and SQLAlchemy then discards every connection of the pool made before (a disconnect error
    invalidates the pool). A rested connection that fails its ping is replaced before use
    (DisconnectionError makes the pool connect again), so the first request after a quiet night
    or a restart does not fail."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    @event.listens_for(sync_engine, "checkin")
    def _rested_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RESTED_FROM] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_RESTED_FROM, 0.0) < IDLE_BEFORE_PING:
            return
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever the driver raises for a dead connection
            raise DisconnectionError(f"a pooled connection did not answer: {exc}") from exc


class _Connection(aiosqlite.Connection):
    """aiosqlite's connection, which runs every call (a cursor, a statement, its rows, closing
    the cursor: three or four per statement) on the connection's own thread and wakes the event
    loop for each result. Between two of them the loop runs other requests' work, so a write
    transaction of six statements lasted as long as some twenty turns of a busy loop, and every
    other writer of the database waited all that time (issue 24). While it holds SQLite's write
    lock (`writing`: its transaction began IMMEDIATE, see `_on_begin`) it runs each call at once
    in the caller's thread instead: nothing else of this process runs until the transaction ends,
    and nothing inside it waits for another connection (the lock is held; WAL commits and
    PASSIVE checkpoints wait for nobody). For INLINE_BUDGET at most: a long write (an import of
    thousands of people) goes back to the thread after it, so that the process's other requests
    are not held up longer than that. Reads keep the thread: a long one never stalls the loop."""

    writing = False
    inline_until = 0.0  # time.monotonic() past which the writer's calls go back to the thread

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.writing:
            connection = self._connection
            if connection is None or not connection.in_transaction:
                self.writing = False  # the transaction ended: back to the thread
            elif time.monotonic() < self.inline_until:
                return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)

    def begin_writing(self) -> None:
        self.writing, self.inline_until = True, time.monotonic() + INLINE_BUDGET

    def begin_immediate_at_once(self) -> bool:
        """BEGIN IMMEDIATE in the caller's thread if SQLite's lock is free now, else False (the
        caller then waits for it on the connection's thread). A writer that joined the queue
        finds it free, unless something outside the queue writes (the sqlite3 shell, say):
        SQLite's wait for the lock must never hold up the event loop."""
        connection = self._conn
        timeout = connection.execute("PRAGMA busy_timeout").fetchone()[0]
        connection.execute("PRAGMA busy_timeout=0")
        try:
            connection.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError:  # SQLITE_BUSY at once
            return False
        finally:
            connection.execute(f"PRAGMA busy_timeout={int(timeout)}")


INLINE_BUDGET = 0.02
"""Seconds a write transaction on SQLite may keep the event loop (`_Connection`): a save takes
1–2 ms of it; an import of thousands of rows goes on in the connection's thread after it."""


def _connector(database: str) -> Any:
    """What SQLAlchemy's aiosqlite dialect would open, as a `_Connection` (check_same_thread off:
    the calls of a write transaction run in the loop's thread, the others in the connection's)."""

    async def connect() -> _Connection:
        connection = _Connection(partial(sqlite3.connect, database, timeout=30, check_same_thread=False), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: an unclosed connection never holds up exit
        await connection
        return connection

    return connect


def _create_sqlite_engine(database_url: str, *, echo: bool) -> AsyncEngine:
    database = make_url(database_url).database or ":memory:"
    engine = create_async_engine(database_url, echo=echo, async_creator=_connector(database))

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(WRITE_INTENT):
            connection.exec_driver_sql("BEGIN")
            return
        driver = connection.connection.driver_connection
        if not isinstance(driver, _Connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        # The writer's turn begins here (it holds the queue): three turns of a busy loop for
        # BEGIN on the connection's thread were most of it.
        if not driver.begin_immediate_at_once():
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits for SQLite's lock, off the loop
        driver.begin_writing()  # the lock is ours until COMMIT or ROLLBACK: the rest in this thread

    return engine


def create_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Every process that writes comes through here: make sure the listeners that bump cached
    # views' data versions are registered (imported late: they need the models, which need us).
    for module in VERSIONED_VIEWS:
        importlib.import_module(module)
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def dialect_insert(session: AsyncSession | Session, table: Any) -> Any:
    """INSERT in the session's own dialect, for `.on_conflict_do_nothing()` or
    `.on_conflict_do_update()` (both SQLite and PostgreSQL have them; the generic insert does
    not). An ORM listener passes the sync session it is given."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table)


WRITER_WAIT = 30.0
"""Seconds a writer waits in the queue, as long as SQLite's busy_timeout; past it, it goes on
to SQLite's own wait: a session that queued behind its own request could never hang."""
_HOLDS_WRITER = "arena_writer_lock"
_WRITING = "arena_writing"  # session.info: its transaction was opened by begin_write
TURNS = 4
"""Writers of one process in a row before the other processes' turn (see _WriterQueue.leave)."""


class _WriterQueue:
    """The writers of one SQLite file: an asyncio lock among this process's writers, then an
    exclusive flock on `<database>-writer` among processes (the kernel wakes the next waiter
    the moment it is released, and releases it when a process dies)."""

    def __init__(self, database: str | None) -> None:
        self.lock = asyncio.Lock()
        self.path = f"{database}-writer" if database and database != ":memory:" else None
        self._fd: int | None = None
        self.waiting = 0  # this process's writers waiting for the lock
        self.holding = False  # this process holds the flock
        self.turns = 0  # writers of this process in a row since it took the flock

    async def join(self) -> bool:
        """True once this session may write; False when it waited WRITER_WAIT in vain."""
        self.waiting += 1
        try:
            if self.lock.locked():
                await asyncio.wait_for(self.lock.acquire(), WRITER_WAIT)
            else:
                await self.lock.acquire()
        except TimeoutError:
            self._drop_flock_if_idle()
            return False
        except BaseException:  # cancelled: the request went away
            self._drop_flock_if_idle()
            raise
        finally:
            self.waiting -= 1
        if self.path is None or self.holding:
            self.turns += 1
            return True
        try:
            if await self._flock():
                self.holding, self.turns = True, 1
                return True
        except BaseException:
            self.lock.release()
            raise
        self.lock.release()
        return False

    async def _flock(self) -> bool:
        if self._fd is None:
            self._fd = os.open(self.path or "", os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, os.close, self._fd)
        fd = self._fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.wait_for(asyncio.shield(waiting), WRITER_WAIT)
            return True
        except (TimeoutError, asyncio.CancelledError) as stopped:
            # Given up (SQLite's own wait decides) or cancelled: the flock, once it comes, is
            # handed back at once, never kept by nobody.
            def hand_back(done: asyncio.Future[None]) -> None:
                if not done.cancelled() and done.exception() is None:
                    fcntl.flock(fd, fcntl.LOCK_UN)

            waiting.add_done_callback(hand_back)
            if isinstance(stopped, asyncio.CancelledError):
                raise
            return False

    def _drop_flock_if_idle(self) -> None:
        """The flock kept for a writer of this process who then gave up would hold the other
        processes back until this process wrote again."""
        if self.holding and not self.lock.locked() and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self.holding = False

    def leave(self) -> None:
        # Handing the flock to another process costs a few milliseconds in which nobody writes,
        # so a process keeps it for up to TURNS writers of its own in a row when they are waiting.
        if self.holding and (self.waiting == 0 or self.turns >= TURNS) and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self.holding = False
        self.lock.release()


_writer_queues: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, _WriterQueue]] = WeakKeyDictionary()


async def _join_writer_queue(session: AsyncSession) -> None:
    """On SQLite, wait for the other writers to finish (see module docstring); the queue is left
    when the session's transaction ends (`_leave_writer_queue`)."""
    bind = session.bind
    if not isinstance(bind, AsyncEngine) or not _single_writer(session) or _HOLDS_WRITER in session.info:
        return
    queues = _writer_queues.setdefault(asyncio.get_running_loop(), {})
    queue = queues.get(bind.sync_engine)
    if queue is None:
        queue = queues[bind.sync_engine] = _WriterQueue(bind.url.database)
    if await queue.join():
        session.info[_HOLDS_WRITER] = queue


@event.listens_for(Session, "after_commit")
def _leave_writer_queue_on_commit(session: Session) -> None:
    """The next writer may begin once the COMMIT is done: not after the connection has gone back
    to its pool (a rollback on aiosqlite's thread, a turn of the loop or more)."""
    if not session.in_nested_transaction():
        _leave(session)


@event.listens_for(Session, "after_transaction_end")
def _leave_writer_queue(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # a rollback, a close; a commit has left already
        session.info.pop(_WRITING, None)
        _leave(session)


def _leave(session: Session) -> None:
    queue = session.info.pop(_HOLDS_WRITER, None)
    if queue is not None:
        queue.leave()


def holds_writer(session: AsyncSession) -> bool:
    """Whether the session's transaction was opened as a writer (begin_write)."""
    return _WRITING in session.info


async def begin_write(session: AsyncSession) -> None:
    """Open the session's transaction as a writer (BEGIN IMMEDIATE on SQLite), after this
    process's other writers."""
    await _join_writer_queue(session)
    try:
        await session.connection(execution_options={WRITE_INTENT: True})
        session.info[_WRITING] = True
    except BaseException:
        if not session.in_transaction():  # no transaction whose end would leave the queue
            queue = session.info.pop(_HOLDS_WRITER, None)
            if queue is not None:
                queue.leave()
        raise


async def write_from_here(session: AsyncSession) -> None:
    """For a route that reads before it writes (`READS_FIRST`): end the reading transaction and
    begin writing, so that the single writer's turn on SQLite covers the writes only. What was
    read may have changed in between: the caller's writes must check it themselves (a
    compare-and-set on a revision, as review.sheets._claim does)."""
    if holds_writer(session):
        return
    if session.in_transaction():
        if not _single_writer(session):  # PostgreSQL: readers and writers alike, nothing to end
            session.info[_WRITING] = True
            return
        await session.commit()
    await begin_write(session)


def _single_writer(session: AsyncSession) -> bool:
    bind = session.bind
    return isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite"


READS_FIRST = {"reads_first": True}
"""A route's `opt`: its request's session starts reading and becomes a writer only when the
route calls `write_from_here` (web.context.provide_db_session)."""


@asynccontextmanager
async def transaction(
    session_maker: async_sessionmaker[AsyncSession], *, write: bool = True
) -> AsyncIterator[AsyncSession]:
    """One unit of work outside a request (CLI, worker): commit on success, roll back on error."""
    async with session_maker() as session:
        if write:
            await begin_write(session)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
