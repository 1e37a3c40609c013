"""`arena audit checkpoint` and `arena audit verify --checkpoint` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from arena.actor import SYSTEM
from arena.audit import service
from arena.clock import Clock
from arena.db import create_engine, create_session_maker, transaction
from tests.conftest import in_thread
from tests.test_cli import arena


@pytest.fixture
def with_events(tmp_path: Path, sqlite_template: Path) -> Path:
    """A migrated database (the CLI tests' cli.db) holding four audit events."""
    shutil.copy(sqlite_template, tmp_path / "cli.db")

    async def record() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        try:
            async with transaction(create_session_maker(engine)) as session:
                for i in range(4):
                    await service.record(session, Clock(), SYSTEM, "admin", "test.event", "thing", i)
        finally:
            await engine.dispose()

    in_thread(asyncio.run, record())
    return tmp_path


def test_a_checkpoint_is_printed_as_json_and_a_kept_one_verifies_by_file_or_hash(with_events):
    made = arena(with_events, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr
    checkpoint = json.loads(made.stdout)
    assert checkpoint["seq"] == 4 and checkpoint["algorithm"] == "Ed25519" and "已签发新锚点" in made.stderr
    key_file = with_events / "var" / "audit_signing_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # generated once in development
    again = arena(with_events, "audit", "checkpoint")
    assert json.loads(again.stdout) == checkpoint and "沿用最近的锚点" in again.stderr
    kept = with_events / "kept.json"
    kept.write_text(made.stdout)
    by_file = arena(with_events, "audit", "verify", "--checkpoint", str(kept))
    assert by_file.returncode == 0 and "签名有效" in by_file.stdout and "延续锚点" in by_file.stdout, by_file.stderr
    by_hash = arena(with_events, "audit", "verify", "--checkpoint", checkpoint["head_hash"])
    assert by_hash.returncode == 0 and "延续锚点" in by_hash.stdout, by_hash.stderr


def test_verify_fails_on_a_changed_checkpoint_and_on_a_cut_chain(with_events):
    checkpoint = json.loads(arena(with_events, "audit", "checkpoint").stdout)
    forged = with_events / "forged.json"
    forged.write_text(json.dumps({**checkpoint, "seq": 3}))
    refused = arena(with_events, "audit", "verify", "--checkpoint", str(forged))
    assert refused.returncode != 0 and "签名无效" in refused.stderr and "Traceback" not in refused.stderr
    kept = with_events / "kept.json"
    kept.write_text(json.dumps(checkpoint))
    with sqlite3.connect(with_events / "cli.db") as conn:
        conn.execute("DROP TRIGGER audit_event_no_delete")
        conn.execute("DELETE FROM audit_event WHERE seq > 2")
    assert arena(with_events, "audit", "verify").returncode == 0  # the plain check cannot see a cut
    cut = arena(with_events, "audit", "verify", "--checkpoint", str(kept))
    assert cut.returncode != 0 and "截断" in cut.stderr, cut.stderr
    by_hash = arena(with_events, "audit", "verify", "--checkpoint", checkpoint["head_hash"])
    assert by_hash.returncode != 0 and "截断或改写" in by_hash.stderr
    nonsense = arena(with_events, "audit", "verify", "--checkpoint", "no-such-file")
    assert nonsense.returncode != 0 and "既不是文件" in nonsense.stderr


def test_production_refuses_to_start_without_a_checkpoint_key(tmp_path):
    env = {"ARENA_ENV": "production", "ARENA_SECRET_KEY": "k" * 40}
    missing = arena(tmp_path, "db", "upgrade", env=env)
    assert missing.returncode != 0 and "ARENA_AUDIT_SIGNING_KEY" in missing.stderr
    malformed = arena(tmp_path, "db", "upgrade", env=env | {"ARENA_AUDIT_SIGNING_KEY": "abc"})
    assert malformed.returncode != 0 and "32 字节" in malformed.stderr and "Traceback" not in malformed.stderr
