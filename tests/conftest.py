"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

Each xdist worker migrates one SQLite template file and one PostgreSQL database once (so the
migrations are exercised on both); each test then gets a fresh copy (SQLite) or freshly
truncated tables (PostgreSQL). Database names carry a random suffix, so parallel runs never
touch each other's data. Without a reachable PostgreSQL the PostgreSQL half is skipped with a
notice — except in CI (CI=true), where it is a failure.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from arena.app import build_app, install
from arena.auth import passwords
from arena.cli import upgrade_database
from arena.clock import FrozenClock
from arena.db import create_engine
from arena.demo import load_demo
from arena.settings import Settings

# Property tests assert behaviour, not speed: no per-example deadline, which a busy CI machine
# (two xdist workers and the browsers) would otherwise turn into random failures.
hypothesis_settings.register_profile("arena", deadline=None)
hypothesis_settings.load_profile("arena")

# Tests hash and verify thousands of passwords: cheap argon2 parameters there (the app keeps
# argon2-cffi's recommended ones; servers the tests start as processes use those too).
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("arena-no-such-user")

PG_ADMIN_URL = os.environ.get("ARENA_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:8]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_reachable() -> bool:
    async def probe() -> bool:
        engine = create_engine(PG_ADMIN_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False
        finally:
            await engine.dispose()

    return asyncio.run(probe())


PG_AVAILABLE = _pg_reachable()
if not PG_AVAILABLE and os.environ.get("CI") == "true":
    raise RuntimeError("CI=true but PostgreSQL is not reachable at " + PG_ADMIN_URL)

REDIS_URL = os.environ.get("ARENA_TEST_REDIS", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    address = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 6379), timeout=1):
            return True
    except OSError:
        return False


REDIS_AVAILABLE = _redis_reachable()
if not REDIS_AVAILABLE and os.environ.get("CI") == "true":
    raise RuntimeError("CI=true but Redis is not reachable at " + REDIS_URL)
needs_redis = pytest.mark.skipif(not REDIS_AVAILABLE, reason="Redis not reachable at " + REDIS_URL)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="pg",
                 marks=pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")),
]


def in_thread(fn: Any, *args: Any) -> Any:
    """Run blocking or asyncio.run-based setup from inside the test's running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


async def pg_admin(*statements: str) -> None:
    engine = create_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    in_thread(upgrade_database, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database holding the demo (scale 1), made once per test process and
    shared by every test that needs the demo's data (copy it, or copy_database it to PostgreSQL;
    never write to it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite+aiosqlite:///{path}"
    settings = Settings(env="development", database_url=url, secret_key="test-secret-" + "x" * 40,
                        demo_password="arena-demo", var_dir=path.parent / "var", files_dir=path.parent / "files")
    real_hasher = passwords._hasher
    # The demo hashes 35 passwords; cheap argon2 parameters save ~20 s and still verify at login.
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        in_thread(upgrade_database, url)
        in_thread(asyncio.run, load_demo(settings, scale=1))
    finally:
        passwords._hasher = real_hasher
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    name = f"arena_test_{WORKER}_{RUN_ID}"
    in_thread(asyncio.run, pg_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    url = pg_url(name)
    in_thread(upgrade_database, url)
    yield url
    in_thread(asyncio.run, pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_all(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            tables = (await conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ))).scalars().all()
            if tables:
                await conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                        + " RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "arena.db"
        shutil.copy(template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("pg_database")
    await truncate_all(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(env="development", database_url=database_url, secret_key="test-secret-" + "x" * 40,
                    var_dir=tmp_path / "var", files_dir=tmp_path / "files", demo_password="arena-demo")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))


_BUILT_APPS: dict[Settings, Litestar] = {}


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> Litestar:
    """The application as create_app makes it, built once per worker and shape of settings.

    Building parses every route handler's signature (about half a second); create_app is
    build_app + install, so a test gets the same application with its own database, stores
    and caches (install clears what the previous test left in app.state)."""
    shape = dataclasses.replace(settings, database_url="", var_dir=Path(), files_dir=Path())
    built = _BUILT_APPS.get(shape)
    if built is None:
        built = _BUILT_APPS[shape] = build_app(settings)
    install(built, settings, clock)
    return built


@pytest.fixture
async def db(app: Litestar) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data; commit what a test arranges."""
    async with app.state.session_maker() as session:
        yield session


def make_client(app: Litestar) -> httpx.AsyncClient:
    """An HTTP client that calls the app in the test's own event loop (asyncpg needs that)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local", follow_redirects=False)


class Browser:
    """A test client that logs in and sends the CSRF token like the pages do."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def csrf(self) -> str:
        token = self.client.cookies.get("csrftoken")
        if not token:
            await self.client.get("/login")
            token = self.client.cookies.get("csrftoken")
        return str(token)

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, data: dict[str, Any] | None = None, *, htmx: bool = False,
                   csrf: bool = True, **kwargs: Any) -> Any:
        payload = dict(data or {})
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf:
            payload.setdefault("_csrf_token", await self.csrf())
        if htmx:
            headers["HX-Request"] = "true"
            headers["x-csrftoken"] = await self.csrf()
        return await self.client.post(url, data=payload, headers=headers, **kwargs)

    async def login(self, username: str, password: str = "arena-demo") -> Any:
        response = await self.post("/login", {"username": username, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        return response

    async def logout(self) -> None:
        await self.post("/logout")


@pytest.fixture
async def browser(app: Litestar) -> AsyncIterator[Browser]:
    async with make_client(app) as client:
        yield Browser(client)


@pytest.fixture
async def other_browser(app: Litestar) -> AsyncIterator[Browser]:
    async with make_client(app) as client:
        yield Browser(client)


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[QueryCounter]:
    """Count SQL statements sent while the block runs (BEGIN/COMMIT excluded)."""
    counter = QueryCounter()

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            return
        if "alembic_version" in statement:  # the schema gate's one check per process, not the page's
            return
        counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


@pytest.fixture
def query_counter(app: Litestar) -> Any:
    return lambda: count_queries(app.state.engine)


async def as_user(app: Litestar, username: str) -> Browser:
    """A browser of its own, logged in as `username` (demo password)."""
    browser = Browser(make_client(app))
    await browser.login(username)
    return browser


async def fresh(db: AsyncSession) -> None:
    """Forget what the test session holds: the next reads see what the requests committed."""
    await db.rollback()
    db.expunge_all()


# The files that take a minute or more, longest first (seconds on 2 busy cores). Run first, so
# that with `--dist loadfile` the other worker goes through everything else meanwhile: the suite
# is not left waiting at the end on one file running alone. scripts/test passes
# --no-loadscope-reorder, or xdist would put the files with most tests first and these last.
LONGEST_FIRST = (
    "tests/production/test_crash_trials.py",  # ~220 s
    "tests/test_migrations_upgrade.py",  # ~200 s
    "tests/test_bench.py",  # ~170 s
    "tests/test_confidential_crawl.py",  # ~130 s
    "tests/test_cli.py",  # ~110 s
    "tests/test_hostile_urls.py",  # ~65 s
    "tests/production/test_readme_production.py",  # ~40 s
    "tests/bids/test_crash_safety.py",  # ~40 s
    "tests/audit/test_checkpoint_cli.py",  # ~30 s
    "tests/production/test_resilience.py",  # ~30 s
    "tests/production/test_cluster.py",  # ~30 s
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order
