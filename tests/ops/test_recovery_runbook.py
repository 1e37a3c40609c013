"""The README's recovery runbook (production, sections 8 and 9), step by step as written there:
an upgrade rolled back by restoring the backup taken before it, key rotation, and a restore
rehearsal that can never log anyone into production."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar import Litestar
from redis import Redis

from arena.app import create_app
from arena.auth.models import Role
from arena.cli import main, upgrade_database
from arena.db import create_engine, create_session_maker, transaction
from arena.files.store import save
from arena.ops.database import current_revision, head_revision
from arena.settings import Settings
from tests.conftest import BACKENDS, REDIS_URL, Browser, in_thread, make_client, needs_redis, pg_admin
from tests.factories import make_user
from tests.ops.conftest import PDF, Installation, arena, record_events, store_contents
from tests.test_migrations_upgrade import RELEASED, _copy_down, _read_demo, _snapshot

PREVIOUS = RELEASED[-1]  # the head of the release before this one: what an upgrade starts from
KEY_A, KEY_B = "a1" * 32, "b2" * 32  # ARENA_AUDIT_SIGNING_KEY before and after a rotation


# --- 8. Upgrades and rollback -------------------------------------------------------------------

def empty_database(installation: Installation) -> None:
    """`dropdb arena && createdb --owner arena arena` (README, section 8), or the SQLite file removed."""
    if installation.database_url.startswith("sqlite"):
        database = Path(installation.database_url.split("///", 1)[1])
        for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
            path.unlink(missing_ok=True)
        return
    name = installation.database_url.rsplit("/", 1)[1]
    in_thread(asyncio.run, pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_upgrade_is_rolled_back_by_restoring_the_backup_taken_before_it(backend, demo_template, new_installation,
                                                                             tmp_path):
    # An installation at the previous release's schema with the demo's data, as tests/test_migrations_upgrade.py
    # makes them (the head demo copied down), and a stored file.
    site = new_installation(backend, "site")
    in_thread(upgrade_database, site.database_url, PREVIOUS)
    demo = in_thread(asyncio.run, _read_demo(f"sqlite+aiosqlite:///{demo_template}"))
    copied = in_thread(asyncio.run, _copy_down(demo, site.database_url))
    save(site.files_dir, PDF)
    old_rows = in_thread(asyncio.run, _snapshot(site.database_url, copied.tables))
    old_files = store_contents(site.files_dir)

    # 1. Back up first.
    backup = tmp_path / "before-upgrade"
    assert arena(site, "backup", str(backup)).exit_code == 0
    assert json.loads((backup / "manifest.json").read_text())["alembic_revision"] == PREVIOUS
    # 3. arena db upgrade prints the revision reached; the new release is used for a while.
    upgraded = arena(site, "db", "upgrade")
    assert upgraded.exit_code == 0 and f"升级到 {head_revision()}" in upgraded.output, upgraded.output
    in_thread(asyncio.run, record_events(site, 2))
    save(site.files_dir, PDF + b"% uploaded after the upgrade\n")

    # Rollback is a restore, never a downgrade.
    downgrade = arena(site, "db", "upgrade", "--to", PREVIOUS)
    assert downgrade.exit_code == 1 and "upgrade 不会降级" in downgrade.output, downgrade.output
    assert in_thread(current_revision, site.database_url) == head_revision()
    empty_database(site)
    subprocess.run(["find", str(site.files_dir), "-mindepth", "1", "-delete"], check=True)
    restored = arena(site, "restore", str(backup))
    assert restored.exit_code == 0 and "哈希链完整" in restored.output, restored.output

    assert in_thread(current_revision, site.database_url) == PREVIOUS
    assert in_thread(asyncio.run, _snapshot(site.database_url, copied.tables)) == old_rows
    assert store_contents(site.files_dir) == old_files
    verified = arena(site, "audit", "verify")
    assert verified.exit_code == 0 and "哈希链完整" in verified.output, verified.output


# --- 8. Key rotation ------------------------------------------------------------------------------

async def add_admin(installation: Installation) -> None:
    engine = create_engine(installation.database_url)
    try:
        async with transaction(create_session_maker(engine)) as session:
            await make_user(session, "adm", Role.ADMIN)
    finally:
        await engine.dispose()


def with_redis(installation: Installation, prefix: str, **changes: Any) -> Settings:
    return dataclasses.replace(installation.settings, redis_url=REDIS_URL, redis_prefix=prefix, **changes)


def forget_prefixes(*prefixes: str) -> None:
    with Redis.from_url(REDIS_URL) as redis:
        for prefix in prefixes:
            for key in redis.scan_iter(match=f"{prefix}:*"):
                redis.delete(key)


def page_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


@needs_redis
async def test_a_new_secret_key_expires_an_open_form_once_keeps_logins_and_deleting_sessions_ends_them(
        small_installation):
    await add_admin(small_installation)
    prefix = f"arena-test-{uuid.uuid4().hex[:8]}"
    before = create_app(with_redis(small_installation, prefix))
    after = create_app(with_redis(small_installation, prefix, secret_key="rotated-secret-" + "y" * 40))
    try:
        async with make_client(before) as old_node, make_client(after) as new_node:
            await Browser(old_node).login("adm")
            open_form = await old_node.get("/inbox")
            token = page_token(open_form.text)

            new_node.cookies.update(old_node.cookies)  # the same browser, after every node restarted
            expired = await new_node.post("/inbox/read-all", data={"_csrf_token": token})
            assert expired.status_code == 403 and "页面已过期" in expired.text
            reloaded = await new_node.get("/inbox")
            assert reloaded.status_code == 200 and "测试用户" in reloaded.text  # still logged in
            again = await new_node.post("/inbox/read-all", data={"_csrf_token": page_token(reloaded.text)})
            assert again.status_code == 303

            # To also end every session: delete them from Redis (the README's redis-cli command).
            with Redis.from_url(REDIS_URL) as redis:
                sessions = list(redis.scan_iter(match=f"{prefix}:session*"))
                assert sessions
                redis.delete(*sessions)
            assert (await new_node.get("/inbox")).status_code == 303  # to the login page
    finally:
        for app in (before, after):
            await app.state.engine.dispose()
        forget_prefixes(prefix)


def test_checkpoints_signed_with_the_old_audit_key_still_verify_and_new_ones_carry_the_new_key(
        small_installation, tmp_path):
    def with_key(key: str, *args: str) -> Any:
        return in_thread(CliRunner().invoke, main, list(args), None,
                         {**small_installation.env, "ARENA_AUDIT_SIGNING_KEY": key})

    signed = with_key(KEY_A, "audit", "checkpoint")
    assert signed.exit_code == 0, signed.output
    kept = tmp_path / "checkpoint-old-key.json"
    kept.write_text(signed.stdout)
    old_key_id = json.loads(signed.stdout)["key_id"]

    in_thread(asyncio.run, record_events(small_installation, 1))
    renewed = with_key(KEY_B, "audit", "checkpoint")
    assert renewed.exit_code == 0, renewed.output
    assert json.loads(renewed.stdout)["key_id"] != old_key_id
    verified = with_key(KEY_B, "audit", "verify", "--checkpoint", str(kept))
    assert verified.exit_code == 0 and "签名有效" in verified.output, verified.output


# --- 9. Restore rehearsal -------------------------------------------------------------------------

@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[Litestar]:
    """An app through its start-up (where the Redis prefix is claimed) and shutdown."""
    app = create_app(settings)
    async with app.lifespan():
        yield app


def messages(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return " ".join(messages(inner) for inner in error.exceptions)
    return str(error)


async def rehearsal_login(app: Litestar) -> dict[str, str]:
    async with make_client(app) as client:
        await Browser(client).login("adm")
        assert (await client.get("/inbox")).status_code == 200
        return dict(client.cookies)


async def logged_in_with(app: Litestar, cookies: dict[str, str]) -> bool:
    async with make_client(app) as client:
        client.cookies.update(cookies)
        return bool((await client.get("/inbox")).status_code == 200)


@needs_redis
async def test_a_restore_rehearsal_cannot_take_productions_prefix_and_its_sessions_are_refused_by_production(
        small_installation, new_installation, tmp_path):
    await add_admin(small_installation)
    assert arena(small_installation, "backup", str(tmp_path / "backup")).exit_code == 0
    rehearsal = new_installation("sqlite", "rehearsal")
    assert arena(rehearsal, "restore", str(tmp_path / "backup")).exit_code == 0
    production_prefix, rehearsal_prefix = f"arena-test-{uuid.uuid4().hex[:8]}", f"arena-test-{uuid.uuid4().hex[:8]}"
    try:
        async with started(with_redis(small_installation, production_prefix)) as production:
            with pytest.raises(BaseException) as refused:
                async with started(with_redis(rehearsal, production_prefix)):
                    pass
            assert "Redis 前缀" in messages(refused.value) and "已被另一个数据库" in messages(refused.value)

            async with started(with_redis(rehearsal, rehearsal_prefix)) as own_prefix:
                assert not await logged_in_with(production, await rehearsal_login(own_prefix))
            # Even on production's prefix (the claim lost with Redis's data, or never checked because
            # Redis was down when the rehearsal started), a rehearsal's session is not production's.
            unchecked = create_app(with_redis(rehearsal, production_prefix))
            try:
                assert not await logged_in_with(production, await rehearsal_login(unchecked))
            finally:
                await unchecked.state.engine.dispose()
            ours = await rehearsal_login(production)
            assert await logged_in_with(production, ours)
    finally:
        forget_prefixes(production_prefix, rehearsal_prefix)
