"""Failing safe (README, production, failure modes): clear 503s that recover by themselves, a
production start that names what is missing, owner-only backups, JSON log lines, one Redis
prefix per installation."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import json
import logging
import os
import re
import stat
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from arena.app import create_app
from arena.auth.models import Role
from arena.cli import upgrade_database
from arena.observe import availability
from arena.observe.logs import ArenaJsonFormatter, RequestIdFilter
from arena.ops import OpsError
from arena.ops.backup import backup
from arena.ops.database import head_revision
from arena.ops.installation import claim_key, claim_prefix
from arena.settings import ConfigurationError, Settings
from tests.conftest import REDIS_URL, Browser, in_thread, make_client, needs_redis
from tests.factories import make_user

OLDER = "20261201_01"


class RedisDoor:
    """A TCP forwarder to the test Redis that can be shut and opened again: Redis "going away"."""

    def __init__(self) -> None:
        target = urlsplit(REDIS_URL)
        self.target = (target.hostname or "127.0.0.1", target.port or 6379)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def shut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, upstream_writer]

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{urlsplit(REDIS_URL).path}"


@contextlib.asynccontextmanager
async def redis_door() -> AsyncIterator[RedisDoor]:
    door = RedisDoor()
    await door.open()
    try:
        yield door
    finally:
        with contextlib.suppress(Exception):
            await door.shut()


@needs_redis
async def test_logged_in_pages_answer_503_while_redis_is_unreachable_and_recover_by_themselves(settings, clock, db):
    await make_user(db, "cadre-r", Role.CADRE)
    await db.commit()
    async with redis_door() as door:
        app = create_app(dataclasses.replace(settings, redis_url=door.url,
                                             redis_prefix=f"arena-test-{uuid.uuid4().hex[:8]}"), clock=clock)
        async with make_client(app) as client:
            browser = Browser(client)
            await browser.login("cadre-r")
            assert (await client.get("/")).status_code == 200
            await door.shut()
            down = await client.get("/")
            assert down.status_code == 503, down.text[:300]
            assert "暂时无法连接" in down.text and down.headers["retry-after"]
            async with make_client(app) as visitor:  # public pages need no session
                assert (await visitor.get("/challenges")).status_code == 200
            await door.open()  # Redis is back: the same session works, no restart, no new login
            assert (await client.get("/")).status_code == 200
        await app.state.engine.dispose()


async def test_a_node_whose_schema_is_behind_refuses_pages_with_503_until_upgraded(settings, clock, db, monkeypatch):
    monkeypatch.setattr(availability, "SCHEMA_RECHECK_SECONDS", 0.0)
    await db.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": OLDER})
    await db.commit()
    app = create_app(settings, clock=clock)
    async with make_client(app) as client:
        behind = await client.get("/")
        assert behind.status_code == 503 and "系统正在升级" in behind.text
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and "run arena db upgrade" in ready.json()["checks"]["schema"]
        await db.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})
        await db.commit()
        assert (await client.get("/")).status_code == 200
    await app.state.engine.dispose()


def test_production_names_every_missing_place_instead_of_falling_back_to_defaults(tmp_path):
    base = {"ARENA_ENV": "production", "ARENA_SECRET_KEY": "k" * 40, "ARENA_AUDIT_SIGNING_KEY": "ab" * 32,
            "ARENA_VAR_DIR": str(tmp_path)}
    with pytest.raises(ConfigurationError) as missing:
        Settings.from_env(base)
    assert all(name in str(missing.value) for name in ("ARENA_DATABASE_URL", "ARENA_PUBLIC_URL", "ARENA_FILES_DIR"))
    with pytest.raises(ConfigurationError, match="ARENA_FILES_DIR") as one:
        Settings.from_env(base | {"ARENA_DATABASE_URL": "postgresql+asyncpg://a@b/c",
                                  "ARENA_PUBLIC_URL": "https://arena.example.gov.cn"})
    assert "ARENA_PUBLIC_URL" not in str(one.value)


def test_db_upgrade_reports_the_revision_reached_and_never_goes_back(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
    assert upgrade_database(url, OLDER) == (None, OLDER)
    assert upgrade_database(url) == (OLDER, head_revision())
    assert upgrade_database(url) == (head_revision(), head_revision())
    with pytest.raises(OpsError, match="不会降级"):
        upgrade_database(url, OLDER)


def test_a_backup_is_owner_only_whatever_the_umask(settings, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("the PostgreSQL backup is covered by tests/production/test_readme_production.py")
    settings.files_dir.mkdir(parents=True)
    (settings.files_dir / "ab").mkdir()
    (settings.files_dir / "ab" / "abcdef").write_bytes(b"evidence")
    previous = os.umask(0o022)
    try:
        in_thread(backup, settings, tmp_path / "backup")
    finally:
        os.umask(previous)
    paths = [tmp_path / "backup", *(tmp_path / "backup").rglob("*")]
    modes = {path.relative_to(tmp_path).as_posix(): stat.S_IMODE(path.stat().st_mode) for path in paths}
    assert modes["backup/files/ab/abcdef"] == 0o600 and modes["backup/database.sqlite3"] == 0o600
    assert all(mode == (0o700 if path.is_dir() else 0o600) for path, mode in zip(paths, modes.values(), strict=True))


def test_a_json_log_line_carries_its_traceback_request_id_and_zoned_time():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ArenaJsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("arena.test.json")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("unhandled error on GET /x")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert "ValueError: boom" in record["traceback"] and record["request_id"] == "-"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", record["time"])


@needs_redis
async def test_a_redis_prefix_belongs_to_one_installations_database():
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    prefix = f"arena-test-{uuid.uuid4().hex[:8]}"
    try:
        await claim_prefix(redis, prefix, "postgresql+asyncpg://arena:one@10.0.0.31:5432/arena")
        await claim_prefix(redis, prefix, "postgresql+asyncpg://arena:changed@10.0.0.31:5432/arena")  # same place
        with pytest.raises(ConfigurationError, match="ARENA_REDIS_PREFIX"):
            await claim_prefix(redis, prefix, "postgresql+asyncpg://arena:one@10.0.0.31:5432/arena_rehearsal")
    finally:
        await redis.delete(claim_key(prefix))
        await redis.aclose()
