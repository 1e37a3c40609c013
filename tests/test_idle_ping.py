"""PostgreSQL connections are tested before use only after resting in the pool (arena.db):
asyncpg's ping is three round trips, which every request paid under pool_pre_ping (issue 24),
while a connection that died as it rested (a restart, a dropped socket) is still replaced
before any request sees it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from arena import db as arena_db
from arena.db import create_engine
from tests.conftest import PG_AVAILABLE, in_thread, pg_admin

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")


def _count_pings(engine: Any) -> list[int]:
    pings: list[int] = []
    dialect = engine.sync_engine.dialect
    real = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_connection))

    dialect.do_ping = counted
    return pings


async def _backend_pid(engine: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def test_a_connection_given_back_a_moment_ago_is_used_without_a_ping(pg_database: str) -> None:
    async def scenario() -> tuple[int, int, list[int]]:
        engine = create_engine(pg_database)
        pings = _count_pings(engine)
        try:
            first, second = await _backend_pid(engine), await _backend_pid(engine)
        finally:
            await engine.dispose()
        return first, second, pings

    first, second, pings = in_thread(asyncio.run, scenario())
    assert first == second and pings == []  # the same connection twice, no ping for either


def test_a_connection_that_died_while_it_rested_is_replaced_before_use(pg_database: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> tuple[int, int, list[int]]:
        engine = create_engine(pg_database)
        pings = _count_pings(engine)
        try:
            rested = await _backend_pid(engine)
            await pg_admin(f"SELECT pg_terminate_backend({rested})")  # as a restart would
            monkeypatch.setattr(arena_db, "IDLE_BEFORE_PING", 0.0)  # it has rested long enough
            replaced = await _backend_pid(engine)  # no error: the dead connection never reaches us
        finally:
            await engine.dispose()
        return rested, replaced, pings

    rested, replaced, pings = in_thread(asyncio.run, scenario())
    assert replaced != rested and len(pings) >= 1
