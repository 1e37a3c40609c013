"""Migrations from empty build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from arena.cli import upgrade_database
from arena.db import create_engine
from arena.models import metadata
from tests.conftest import BACKENDS, in_thread, pg_admin, pg_url


def _diff(url: str) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}),
                                                  metadata)
                )
        finally:
            await engine.dispose()

    return _unnamed_inline_keys_left_out(asyncio.run(run()))


def _key(fk: Any) -> tuple[Any, ...]:
    return (fk.parent.name, tuple(c.name for c in fk.columns), fk.referred_table.name,
            tuple(e.column.name for e in fk.elements))


def _unnamed_inline_keys_left_out(diff: list[Any]) -> list[Any]:
    """SQLite does not report the name of a foreign key declared inline in ADD COLUMN (the only
    way to add one without copying a table that others reference: migration 20261203_11), so
    such a key reads as removed (unnamed) and added (named). A pair that agrees on everything but
    the name is the same key; anything else stays in the diff."""
    removed = {_key(op[1]): op for op in diff if op[0] == "remove_fk" and op[1].name is None}
    added = {_key(op[1]): op for op in diff if op[0] == "add_fk"}
    same = removed.keys() & added.keys()
    return [op for op in diff if not (op[0] in ("remove_fk", "add_fk") and _key(op[1]) in same)]


def _downgrade_and_upgrade(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from arena import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.downgrade(config, "base")
    command.upgrade(config, "head")


@pytest.mark.parametrize("kind", BACKENDS)
def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(kind: str, tmp_path: Path) -> None:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        upgrade_database(url)
        assert _diff(url) == []
        _downgrade_and_upgrade(url)
        assert _diff(url) == []
        return
    name = f"arena_migr_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = pg_url(name)
        upgrade_database(url)
        assert _diff(url) == []
        _downgrade_and_upgrade(url)
        assert _diff(url) == []
    finally:
        asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_the_audit_table_refuses_updates_and_deletes_in_the_database(db, backend):
    from arena.actor import SYSTEM
    from arena.audit import service
    from arena.clock import Clock

    await service.record(db, Clock(), SYSTEM, "admin", "test.event", "thing", 1, {"a": 1})
    await db.commit()
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            await db.execute(text(statement))
        await db.rollback()


def test_in_thread_helper_returns_values():
    assert in_thread(lambda: 42) == 42
