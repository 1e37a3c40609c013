"""Installations for the operator commands: a database URL, a files directory, and the ARENA_*
environment the `arena` command reads them from.

The demo is loaded once per test session into a SQLite template (it takes the better part of
a minute on a busy machine); each test copies the template. A PostgreSQL demo installation is
made from the template with `arena db copy`'s code, which tests/ops/test_db_copy.py checks on
its own. PostgreSQL databases are named arena_ops_<random> and dropped after the test.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from arena.actor import SYSTEM
from arena.app import create_app
from arena.audit import service as audit
from arena.audit.service import ChainReport, verify_chain
from arena.cli import main
from arena.clock import Clock
from arena.db import create_engine, create_session_maker, transaction
from arena.files.service import accept_upload
from arena.files.store import path_for
from arena.ops.copy import copy_database, tables
from arena.settings import Settings
from arena.units.models import Unit
from tests.conftest import Browser, in_thread, make_client, pg_admin, pg_url

SECRET = "ops-test-secret-" + "x" * 40
PDF = b"%PDF-1.4\n% Arena ops test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@dataclass(frozen=True)
class Installation:
    database_url: str
    files_dir: Path
    var_dir: Path

    @property
    def settings(self) -> Settings:
        return Settings(env="development", database_url=self.database_url, secret_key=SECRET,
                        var_dir=self.var_dir, files_dir=self.files_dir)

    @property
    def env(self) -> dict[str, str]:
        return {"ARENA_ENV": "development", "ARENA_DATABASE_URL": self.database_url,
                "ARENA_FILES_DIR": str(self.files_dir), "ARENA_VAR_DIR": str(self.var_dir),
                "ARENA_SECRET_KEY": SECRET}


def arena(installation: Installation, *args: str) -> Result:
    """`arena …` as an operator runs it, against `installation` (in a thread: it runs its own loop)."""
    return in_thread(CliRunner().invoke, main, list(args), None, installation.env)


@pytest.fixture
def new_installation(tmp_path: Path) -> Iterator[Callable[[str, str], Installation]]:
    """make(backend, name): an empty installation (no database file / an empty PostgreSQL database)."""
    created: list[str] = []

    def make(backend: str, name: str) -> Installation:
        root = tmp_path / name
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{root / 'arena.db'}"
        else:
            dbname = f"arena_ops_{uuid.uuid4().hex[:12]}"
            in_thread(asyncio.run, pg_admin(f'CREATE DATABASE "{dbname}"'))
            created.append(dbname)
            url = pg_url(dbname)
        return Installation(url, root / "files", root / "var")

    yield make
    for dbname in created:
        in_thread(asyncio.run, pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))


@pytest.fixture
def demo_installation(demo_template: Path, new_installation: Callable[[str, str], Installation]
                      ) -> Callable[[str], Installation]:
    """make(backend): the demo plus one uploaded file, in a fresh installation."""

    def make(backend: str) -> Installation:
        installation = new_installation(backend, "source")
        template_url = f"sqlite+aiosqlite:///{demo_template}"
        if backend == "sqlite":
            target = Path(installation.database_url.split("///", 1)[1])
            target.parent.mkdir(parents=True)
            shutil.copy(demo_template, target)
        else:
            in_thread(copy_database, template_url, installation.database_url)
        in_thread(asyncio.run, store_file(installation, "实施方案.pdf", PDF))
        return installation

    return make


@pytest.fixture
def small_installation(sqlite_template: Path, new_installation: Callable[[str, str], Installation]) -> Installation:
    """A migrated SQLite installation with a short audit chain, one stored file, and a unit
    moved under a newer one (its parent has the higher id)."""
    installation = new_installation("sqlite", "small")
    target = Path(installation.database_url.split("///", 1)[1])
    target.parent.mkdir(parents=True)
    shutil.copy(sqlite_template, target)
    in_thread(asyncio.run, record_events(installation, 3))
    in_thread(asyncio.run, store_file(installation, "证明.pdf", PDF))
    in_thread(asyncio.run, reparent_a_unit(installation))
    return installation


async def record_events(installation: Installation, count: int) -> None:
    engine = create_engine(installation.database_url)
    try:
        for n in range(count):
            async with transaction(create_session_maker(engine)) as session:
                await audit.record(session, Clock(), SYSTEM, "admin", "test.ops", "thing", n, {"n": n, "名": "值"})
    finally:
        await engine.dispose()


async def reparent_a_unit(installation: Installation) -> None:
    engine = create_engine(installation.database_url)
    try:
        async with transaction(create_session_maker(engine)) as session:
            older = Unit(code="OPS-A", name="柳塘镇", parent_id=None)
            session.add(older)
            await session.flush()
            newer = Unit(code="OPS-B", name="青山县", parent_id=None)
            session.add(newer)
            await session.flush()
            older.parent_id = newer.id
    finally:
        await engine.dispose()


async def store_file(installation: Installation, name: str, data: bytes) -> Path:
    """Upload `data` as the system would: into the store, with its StoredFile row."""
    engine = create_engine(installation.database_url)
    try:
        async with transaction(create_session_maker(engine)) as session:
            stored = await accept_upload(session, SYSTEM, installation.files_dir, name, data)
            return path_for(installation.files_dir, stored.sha256)
    finally:
        await engine.dispose()


async def row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return {table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
                    for table in tables()}
    finally:
        await engine.dispose()


async def chain_of(database_url: str) -> ChainReport:
    engine = create_engine(database_url)
    try:
        async with transaction(create_session_maker(engine), write=False) as session:
            return await verify_chain(session)
    finally:
        await engine.dispose()


def store_contents(files_dir: Path) -> dict[str, bytes]:
    return {path.relative_to(files_dir).as_posix(): path.read_bytes()
            for path in sorted(files_dir.rglob("*")) if path.is_file()}


async def log_in(installation: Installation, username: str = "admin") -> Any:
    """Log in on an app built on `installation`; return the home page."""
    app = create_app(installation.settings)
    try:
        async with make_client(app) as client:
            browser = Browser(client)
            await browser.login(username)
            return await browser.get("/")
    finally:
        await app.state.engine.dispose()
