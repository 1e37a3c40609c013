"""`arena db upgrade` brings a database of any released schema, with data in it, to the head.

Every revision before the head was the head of a released version, so some production database
may sit at it. For each one, on SQLite and PostgreSQL, the test builds a database at that
revision, fills it with data, runs the real upgrade (`upgrade_database`, the code behind
`arena db upgrade`) and proves that the schema then matches the models, that every row is still
there with the same values, that the audit chain verifies, and that the app logs a demo user in
and serves its pages from the upgraded data.

The data is the head demo copied down, not a demo run by an older version: the demo steps are
written against today's models, and checking out old code is not something a test should do.
The head demo is built once per session; for each old schema we copy every table that exists
at that revision, only the columns that exist there, in foreign-key order. That is what a
database of that era held, minus whatever a later release added. The columns an older schema
has and the head lost would need a value here (`DROPPED_COLUMNS`); so far no migration drops
or renames one. Rows an older schema's constraints refuse are counted, and a table may lose
them only where a later release relaxed a rule (`LATER_RULES`); today's demo loses none.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, Table, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from arena import PROJECT_ROOT
from arena.app import create_app
from arena.audit.service import verify_chain
from arena.cli import upgrade_database
from arena.db import create_engine, create_session_maker
from arena.models import metadata
from arena.settings import Settings
from tests.conftest import BACKENDS, Browser, in_thread, make_client, pg_admin, pg_url
from tests.test_migrations import _diff as schema_diff

SECRET = "test-secret-" + "x" * 40
DEMO_PASSWORD = "arena-demo"

DROPPED_COLUMNS: dict[tuple[str, str], Any] = {}
"""(table, column) → value, for a NOT NULL column of an older schema that the head no longer has.

None so far: the migrations only add. A migration that drops or renames a NOT NULL column
without a server default makes the copy fail until its value for old rows is given here.
"""

LATER_RULES: dict[str, str] = {
    "review_result": "until 20261201_01 a panel had one result (unique panel_id); since then a review "
                     "reopened after an upheld objection supersedes it, so a panel may hold several",
}
"""Tables whose head rows an older schema may refuse, and the later rule that allows them."""

MUST_ARRIVE_COMPLETE = ("user_account", "user_role", "unit", "cadre", "expert", "audit_event",
                        "challenge", "criterion", "bid", "bid_version", "panel", "score_sheet", "score",
                        "project", "milestone", "record")
"""The tables a real database of that era is about; whichever exist at a revision lose nothing."""


def _released_revisions() -> list[str]:
    """Every revision but the head, oldest first: each was the head of a released version."""
    scripts = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini")))
    head = scripts.get_current_head()
    return [script.revision for script in reversed(list(scripts.walk_revisions())) if script.revision != head]


RELEASED = _released_revisions()


# --- the head demo, read once ------------------------------------------------------------------

@dataclass(frozen=True)
class DemoRows:
    """Every row of the head demo, per table, in primary-key order, with the models' types."""

    tables: dict[str, list[dict[str, Any]]]

    def first(self, table: str, **match: Any) -> dict[str, Any]:
        return next(row for row in self.tables[table] if all(row[k] == v for k, v in match.items()))


async def _read_demo(url: str) -> DemoRows:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tables: dict[str, list[dict[str, Any]]] = {}
            for table in metadata.sorted_tables:
                result = await conn.execute(select(table).order_by(*table.primary_key.columns))
                tables[table.name] = [dict(row) for row in result.mappings()]
            return DemoRows(tables)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def head_demo(demo_template: Path) -> DemoRows:
    """The head demo's rows (tests/conftest.py builds the demo once per test process)."""
    demo: DemoRows = in_thread(asyncio.run, _read_demo(f"sqlite+aiosqlite:///{demo_template}"))
    return demo


# --- copying the demo down to an older schema --------------------------------------------------

@dataclass
class Copied:
    """What reached the old database: the tables (old columns, head types) and refused rows."""

    tables: list[Table]
    refused: dict[str, list[str]]  # table → the database's reason, per refused row


def _old_schema(sync: Connection) -> list[Table]:
    """The older revision's tables, in foreign-key order, with the columns the copy writes.

    Reflected types would read and write some values differently from the models (timestamps on
    SQLite), so the columns the head still has take the models' types. A column the head lost is
    written only if old rows need a value for it (DROPPED_COLUMNS; marked `dropped`), otherwise
    the old schema's default or NULL fills it.
    """
    reflected = MetaData()
    reflected.reflect(sync)
    typed = MetaData()
    tables = []
    for old in reflected.sorted_tables:
        if old.name == "alembic_version":
            continue
        head = metadata.tables.get(old.name)
        if head is None:
            continue  # dropped since: the head demo has no rows for it, the upgrade none to keep
        columns = []
        for column in old.columns:
            if column.name in head.c:
                columns.append(Column(column.name, head.c[column.name].type, primary_key=column.primary_key))
                continue
            if (old.name, column.name) in DROPPED_COLUMNS:
                columns.append(Column(column.name, column.type, info={"dropped": True}))
                continue
            assert column.nullable or column.server_default is not None, (
                f"{old.name}.{column.name} is NOT NULL in an older schema and gone at head: "
                "give old rows a value in DROPPED_COLUMNS")
        tables.append(Table(old.name, typed, *columns))
    return tables


def _old_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The head row cut to the old columns; a column the head lost gets its DROPPED_COLUMNS value."""
    return {column.name: DROPPED_COLUMNS[(table.name, column.name)] if column.info.get("dropped")
            else row[column.name] for column in table.columns}


async def _insert(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> list[str]:
    """Insert all rows in one statement; if the schema refuses some, row by row. Returns refusals."""
    if not rows:
        return []
    try:
        async with conn.begin_nested():
            await conn.execute(insert(table), rows)
        return []
    except IntegrityError:
        pass
    refused = []
    for row in rows:
        try:
            async with conn.begin_nested():
                await conn.execute(insert(table), [row])
        except IntegrityError as error:
            refused.append(str(error.orig))
    return refused


async def _copy_down(demo: DemoRows, url: str) -> Copied:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            tables = await conn.run_sync(_old_schema)
            refused: dict[str, list[str]] = {}
            for table in tables:
                rows = [_old_row(table, row) for row in demo.tables.get(table.name, [])]
                if reasons := await _insert(conn, table, rows):
                    refused[table.name] = reasons
            if conn.dialect.name == "postgresql":
                # Explicit ids leave the identity sequences behind; a real database's are in step.
                for table in tables:
                    if "id" in table.c:
                        next_id = func.coalesce(func.max(table.c.id), 0) + 1
                        await conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"),
                                                              next_id, False)))
            return Copied(tables, refused)
    finally:
        await engine.dispose()


async def _snapshot(url: str, tables: list[Table]) -> dict[str, list[tuple[Any, ...]]]:
    """Every old table's columns that the head kept, row by row in primary-key order."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {table.name: [tuple(row) for row in await conn.execute(
                        select(*[c for c in table.columns if not c.info.get("dropped")])
                        .order_by(*table.primary_key.columns))]
                    for table in tables}
    finally:
        await engine.dispose()


# --- the databases -----------------------------------------------------------------------------

@asynccontextmanager
async def _empty_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    name = f"arena_upg_{uuid.uuid4().hex[:10]}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _chain(url: str) -> tuple[int, Any]:
    engine = create_engine(url)
    try:
        async with create_session_maker(engine)() as session:
            report = await verify_chain(session)
            return report.count, report.broken
    finally:
        await engine.dispose()


# --- the test ----------------------------------------------------------------------------------

# Every release on SQLite; on PostgreSQL the oldest (its upgrade runs every migration since, on
# real rows) and the latest (the newest migrations from their own starting point). The middle
# starting points differ in which tables exist, which the SQLite runs cover; each costs ~15 s.
STARTS = [pytest.param(revision, backend.values[0], id=f"{revision}-{backend.id}", marks=backend.marks)
          for revision in RELEASED for backend in BACKENDS
          if backend.id == "sqlite" or revision in (RELEASED[0], RELEASED[-1])]


@pytest.mark.parametrize(("revision", "kind"), STARTS)
async def test_upgrade_from_a_released_schema_keeps_every_row_and_the_app_serves_them(
        revision: str, kind: str, head_demo: DemoRows, tmp_path: Path) -> None:
    async with _empty_database(kind, tmp_path) as url:
        in_thread(upgrade_database, url, revision)
        copied = await _copy_down(head_demo, url)
        names = {table.name for table in copied.tables}
        assert "audit_event" in names, "the audit chain exists from the first revision on"
        assert not set(copied.refused) - set(LATER_RULES), copied.refused
        before = await _snapshot(url, copied.tables)
        for name in names & set(MUST_ARRIVE_COMPLETE):
            assert len(before[name]) == len(head_demo.tables[name]), name

        in_thread(upgrade_database, url)

        assert in_thread(schema_diff, url) == []
        after = await _snapshot(url, copied.tables)
        assert {n: len(rows) for n, rows in after.items()} == {n: len(rows) for n, rows in before.items()}
        for name, rows in before.items():
            assert after[name] == rows, f"{name}: values changed in the upgrade"

        settings = Settings(env="development", database_url=url, secret_key=SECRET, var_dir=tmp_path / "var",
                            files_dir=tmp_path / "files", demo_password=DEMO_PASSWORD)
        app = create_app(settings)
        try:
            async with make_client(app) as client:
                browser = Browser(client)
                await browser.login("organizer")
                home = await browser.get("/")
                assert home.status_code == 200
                assert head_demo.first("user_account", username="organizer")["display_name"] in home.text
                catalogue = await browser.get("/challenges")
                assert catalogue.status_code == 200
                if "challenge" in names:
                    assert head_demo.first("challenge", status="published")["title"] in catalogue.text
        finally:
            await app.state.engine.dispose()
        # The chain verifies from the first copied event through the ones the login appended.
        count, broken = await _chain(url)
        assert broken is None
        assert count > len(head_demo.tables["audit_event"])
