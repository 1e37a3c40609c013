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
from typing import Any

from advanced_alchemy.base import IdentityAuditBase, orm_registry
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

WRITE_INTENT = "arena_write"
"""Execution option that makes SQLite take the write lock at BEGIN (see module docstring)."""


class Base(IdentityAuditBase):
    """Every table: an IDENTITY integer id plus created_at/updated_at in UTC."""

    __abstract__ = True


metadata = orm_registry.metadata

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
