"""Database engine, sessions and the base model.

SQLite (the default) runs in WAL mode with foreign keys on. Requests that change data start
their transaction with BEGIN IMMEDIATE on SQLite, so concurrent writers queue on the database
lock instead of failing half-way with SQLITE_BUSY; reads stay concurrent. PostgreSQL needs
nothing special here: it is selected by a postgresql+asyncpg:// URL.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from advanced_alchemy.base import IdentityAuditBase, orm_registry
from sqlalchemy import event, select
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
    return create_async_engine(database_url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _create_sqlite_engine(database_url: str, *, echo: bool) -> AsyncEngine:
    engine = create_async_engine(database_url, echo=echo, connect_args={"timeout": 30})

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
        immediate = connection.get_execution_options().get(WRITE_INTENT)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

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


async def begin_write(session: AsyncSession) -> None:
    """Open the session's transaction as a writer (BEGIN IMMEDIATE on SQLite)."""
    await session.connection(execution_options={WRITE_INTENT: True})


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
