"""`arena db copy --to URL`: a SQLite pilot moved to PostgreSQL (and back), and every refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from arena.actor import SYSTEM
from arena.audit.models import AuditEvent
from arena.auth import service as auth_service
from arena.auth.models import Role, User, UserRole
from arena.cli import upgrade_database
from arena.clock import Clock
from arena.db import create_engine, create_session_maker, transaction
from arena.ops import OpsError
from arena.ops import copy as ops_copy
from arena.ops.copy import copy_database
from tests.conftest import BACKENDS, PG_AVAILABLE, in_thread, pg_admin
from tests.ops.conftest import arena, chain_of, log_in, row_counts

needs_pg = pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")


async def create_account(database_url: str) -> tuple[int, int, int]:
    """A new account on the copied database: the ids its user, role and audit event got."""
    engine = create_engine(database_url)
    try:
        async with transaction(create_session_maker(engine)) as session:
            account = auth_service.NewAccount("newcomer", "新同事", frozenset({Role.CADRE}), "a-long-secret")
            user = await auth_service.create_user(session, Clock(), SYSTEM, account)
            role_id = await session.scalar(select(func.max(UserRole.id)))
            event_id = await session.scalar(select(func.max(AuditEvent.id)))
            return user.id, int(role_id or 0), int(event_id or 0)
    finally:
        await engine.dispose()


async def max_ids(database_url: str) -> tuple[int, int, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            users, roles, events = [int(await conn.scalar(select(func.max(model.id))) or 0)
                                    for model in (User, UserRole, AuditEvent)]
            return users, roles, events
    finally:
        await engine.dispose()


@needs_pg
async def test_a_sqlite_pilot_moves_to_postgresql_with_its_ids_chain_and_logins(demo_installation, new_installation):
    pilot = demo_installation("sqlite")
    target = new_installation("postgresql", "pg")
    # Not UTC on purpose: the chain hashes occurred_at in UTC, whatever the session's time zone.
    await pg_admin(f"ALTER DATABASE \"{target.database_url.rsplit('/', 1)[1]}\" SET timezone = 'Asia/Shanghai'")

    result = arena(pilot, "db", "copy", "--to", target.database_url)
    assert result.exit_code == 0, result.output
    source_chain = await chain_of(pilot.database_url)
    assert f"末条哈希 {source_chain.last_hash}" in result.output
    assert await row_counts(target.database_url) == await row_counts(pilot.database_url)
    verified = arena(target, "audit", "verify")
    assert verified.exit_code == 0 and source_chain.last_hash in verified.output, verified.output
    assert arena(target, "results", "verify", "11").exit_code == 0  # Numeric scores survive the trip too

    before = await max_ids(target.database_url)
    assert await create_account(target.database_url) == tuple(n + 1 for n in before)  # identities restarted
    home = await log_in(target)
    assert "赵立新" in home.text

    # And back: PostgreSQL → SQLite runs the same code.
    back = new_installation("sqlite", "back")
    result = arena(target, "db", "copy", "--to", back.database_url)
    assert result.exit_code == 0, result.output
    assert await row_counts(back.database_url) == await row_counts(target.database_url)
    assert (await chain_of(back.database_url)).last_hash == (await chain_of(target.database_url)).last_hash


@needs_pg
async def test_copy_into_a_target_with_data_is_refused_and_changes_nothing(small_installation, new_installation):
    target = new_installation("postgresql", "pg")
    assert arena(small_installation, "db", "copy", "--to", target.database_url).exit_code == 0
    counts, chain = await row_counts(target.database_url), await chain_of(target.database_url)

    again = arena(small_installation, "db", "copy", "--to", target.database_url)
    assert again.exit_code == 1
    assert "目标数据库已有数据" in again.output and "Traceback" not in again.output
    assert await row_counts(target.database_url) == counts
    assert (await chain_of(target.database_url)).last_hash == chain.last_hash


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_failed_copy_leaves_no_rows_behind_and_can_be_rerun(backend, small_installation, new_installation,
                                                                    monkeypatch):
    target = new_installation(backend, "target")

    async def refuse(reader, writer):
        raise OpsError("injected failure after every row was written")

    with monkeypatch.context() as patched:
        patched.setattr(ops_copy, "_require_equal_counts", refuse)
        with pytest.raises(OpsError, match="injected"):
            in_thread(copy_database, small_installation.database_url, target.database_url)
    assert set((await row_counts(target.database_url)).values()) == {0}

    in_thread(copy_database, small_installation.database_url, target.database_url)
    copied = await row_counts(target.database_url)
    assert copied == await row_counts(small_installation.database_url) and copied["unit"] == 2


def test_copy_refuses_a_source_that_is_not_at_the_latest_schema(new_installation):
    old = new_installation("sqlite", "old")
    in_thread(upgrade_older, old.database_url)
    result = arena(old, "db", "copy", "--to", new_installation("sqlite", "new").database_url)
    assert result.exit_code == 1
    assert "arena db upgrade" in result.output and "Traceback" not in result.output


def upgrade_older(database_url: str) -> None:
    upgrade_database(database_url, "20261201_01")
    path = Path(database_url.split("///", 1)[1])
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("20261201_01",)


def test_copy_to_the_same_database_is_refused(small_installation):
    result = arena(small_installation, "db", "copy", "--to", small_installation.database_url)
    assert result.exit_code == 1 and "相同" in result.output
