"""`arena backup` and `arena restore`: the restore drill on both backends, and every refusal."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from arena.actor import SYSTEM
from arena.audit import service as audit
from arena.cli import main, upgrade_database
from arena.clock import Clock
from arena.db import create_engine, create_session_maker, transaction
from arena.ops.backup import backup
from tests.conftest import BACKENDS, PG_AVAILABLE, in_thread
from tests.ops.conftest import Installation, arena, chain_of, log_in, row_counts, store_contents


@pytest.mark.parametrize("backend", BACKENDS)
async def test_restore_drill_brings_back_every_row_file_and_login(backend, demo_installation, new_installation,
                                                                   tmp_path):
    source = demo_installation(backend)
    made = arena(source, "backup", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    assert "备份完成" in made.output and "backup written" in made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["backend"] == backend
    assert {entry["path"].split("/")[0] for entry in manifest["files"]} == {
        "database.sqlite3" if backend == "sqlite" else "database.pgdump", "files"}

    target = new_installation(backend, "restored")
    restored = arena(target, "restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert "哈希链完整" in restored.output and "arena db upgrade" not in restored.output

    verified = arena(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert manifest["audit"]["last_hash"] in verified.output
    assert await row_counts(target.database_url) == await row_counts(source.database_url)
    assert store_contents(target.files_dir) == store_contents(source.files_dir) != {}
    home = await log_in(target)
    assert "赵立新" in home.text


def test_backup_refuses_a_directory_that_is_not_empty(small_installation, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("keep me")
    result = arena(small_installation, "backup", str(occupied))
    assert result.exit_code == 1
    assert "备份目录不为空" in result.output and "Traceback" not in result.output
    assert [p.name for p in occupied.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("tampered", ["database.sqlite3", "files"])
def test_a_tampered_backup_is_refused_naming_the_file_and_nothing_is_written(small_installation, new_installation,
                                                                             tmp_path, tampered):
    assert arena(small_installation, "backup", str(tmp_path / "backup")).exit_code == 0
    entries = json.loads((tmp_path / "backup" / "manifest.json").read_text())["files"]
    victim = next(entry["path"] for entry in entries if entry["path"].startswith(tampered))
    path = tmp_path / "backup" / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte
    path.write_bytes(bytes(data))

    target = new_installation("sqlite", "restored")
    result = arena(target, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert victim in result.output and "Traceback" not in result.output
    assert not (tmp_path / "restored").exists()  # neither the database nor the files dir


def test_restore_refuses_a_target_that_is_not_empty_and_changes_nothing(small_installation, new_installation,
                                                                        sqlite_template, tmp_path):
    assert arena(small_installation, "backup", str(tmp_path / "backup")).exit_code == 0
    with_tables = new_installation("sqlite", "with-tables")
    database = Path(with_tables.database_url.split("///", 1)[1])
    database.parent.mkdir(parents=True)
    shutil.copy(sqlite_template, database)
    before = database.read_bytes()
    result = arena(with_tables, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1 and "目标数据库不是空的" in result.output
    assert database.read_bytes() == before and not with_tables.files_dir.exists()

    with_files = new_installation("sqlite", "with-files")
    with_files.files_dir.mkdir(parents=True)
    (with_files.files_dir / "stray").write_bytes(b"x")
    result = arena(with_files, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1 and "文件目录不是空的" in result.output
    assert not Path(with_files.database_url.split("///", 1)[1]).exists()


@pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")
def test_restore_refuses_a_backup_of_the_other_kind_and_points_to_db_copy(small_installation, new_installation,
                                                                          tmp_path):
    assert arena(small_installation, "backup", str(tmp_path / "backup")).exit_code == 0
    result = arena(new_installation("postgresql", "pg"), "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert "arena db copy" in result.output and "Traceback" not in result.output


def test_an_older_backup_is_restored_and_the_operator_is_told_to_upgrade(new_installation, tmp_path):
    older = new_installation("sqlite", "older")
    in_thread(upgrade_database, older.database_url, "20261201_01")
    assert arena(older, "backup", str(tmp_path / "backup")).exit_code == 0
    result = arena(new_installation("sqlite", "restored"), "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert "请运行 arena db upgrade" in result.output


def test_a_backup_from_a_newer_arena_is_refused(small_installation, new_installation, tmp_path):
    with sqlite3.connect(Path(small_installation.database_url.split("///", 1)[1])) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '29991231_01'")
    assert arena(small_installation, "backup", str(tmp_path / "backup")).exit_code == 0
    target = new_installation("sqlite", "restored")
    result = arena(target, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1 and "更新版本" in result.output
    assert not (tmp_path / "restored").exists()


def test_sqlite_online_backup_while_another_connection_writes_has_a_verifying_chain(small_installation, tmp_path):
    stop = threading.Event()
    written: list[int] = []

    async def keep_writing() -> None:
        engine = create_engine(small_installation.database_url)
        try:
            while not stop.is_set():
                async with transaction(create_session_maker(engine)) as session:
                    # Large summaries make the database grow, so the backups take long enough to overlap.
                    await audit.record(session, Clock(), SYSTEM, "admin", "test.writer", "thing", len(written),
                                       {"pad": "写" * 5000})
                written.append(1)
        finally:
            await engine.dispose()

    writer = threading.Thread(target=asyncio.run, args=(keep_writing(),))
    writer.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        manifests, overlapped = [], []
        for n in range(3):
            before = len(written)
            manifests.append(in_thread(backup, small_installation.settings, tmp_path / f"backup-{n}"))
            overlapped.append(len(written) > before)  # events committed while the backup ran
            while len(written) < before + 5:
                threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()

    counts = []
    for n, manifest in enumerate(manifests):
        copy = tmp_path / f"check-{n}.db"
        shutil.copy(tmp_path / f"backup-{n}" / "database.sqlite3", copy)
        report = in_thread(asyncio.run, chain_of(f"sqlite+aiosqlite:///{copy}"))
        assert report.ok, report.broken
        assert (report.count, report.last_hash) == (manifest.audit_count, manifest.audit_last_hash)
        counts.append(report.count)
    assert any(overlapped)
    assert counts == sorted(counts) and counts[-1] < 3 + len(written)


def test_backup_without_pg_dump_says_so_in_one_line_and_leaves_no_directory(tmp_path):
    installation = Installation("postgresql+asyncpg://arena:secret@127.0.0.1:5432/arena", tmp_path / "files",
                                tmp_path / "var")
    result = in_thread(CliRunner().invoke, main, ["backup", str(tmp_path / "backup")], None,
                       {**installation.env, "PATH": str(tmp_path / "no-tools-here")})
    assert result.exit_code == 1
    assert "找不到 pg_dump" in result.output and "pg_dump not found" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "secret" not in result.output
    assert not (tmp_path / "backup").exists()
