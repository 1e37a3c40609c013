"""`arena backup DIR`: a consistent copy of the database and the file store, with a manifest.

The database goes first, the files second. Every file a committed row refers to was written to
the store before that row committed (arena.files.store.save runs before the flush), and stored
files are never deleted, so a file copy taken after the database snapshot holds every file the
snapshot refers to. The copy may hold a few newer files too; they are harmless.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from arena.clock import Clock
from arena.db import create_engine
from arena.ops import OpsError, database, manifest
from arena.ops.manifest import FileEntry, Manifest
from arena.settings import Settings


@dataclass(frozen=True)
class ChainTip:
    """What the manifest records of the database it was taken from."""

    revision: str
    audit_count: int
    audit_last_hash: str | None


OWNER_ONLY_UMASK = 0o077
"""A backup holds the whole database (password hashes, confidential veto reasons, every file):
everything in it is written owner-only, 0600 files in 0700 directories, whatever the umask of
the shell or cron job that runs it."""


def backup(settings: Settings, target: Path, clock: Clock | None = None) -> Manifest:
    """Write the backup into `target` (new or empty); on failure, leave it as it was."""
    previous_umask = os.umask(OWNER_ONLY_UMASK)
    try:
        return _backup(settings, target, clock)
    finally:
        os.umask(previous_umask)


def _backup(settings: Settings, target: Path, clock: Clock | None) -> Manifest:
    backend = database.backend_of(settings.database_url)
    database_file = target / manifest.database_file_for(backend)
    created = _prepare(target)
    target.chmod(0o700)
    try:
        if backend == database.SQLITE:
            tip = _backup_sqlite(database.sqlite_path(settings.database_url), database_file)
        else:
            tip = asyncio.run(_backup_postgresql(settings.database_url, database_file))
        entries = [manifest.describe(database_file, database_file.name), *_copy_store(settings.files_dir, target)]
        result = Manifest(created_at=(clock or Clock()).now().isoformat(timespec="seconds"), backend=backend,
                          alembic_revision=tip.revision, audit_count=tip.audit_count,
                          audit_last_hash=tip.audit_last_hash, files=tuple(entries))
        manifest.write_manifest(target, result)
        return result
    except BaseException:
        _empty(target, remove=created)
        raise


def _prepare(target: Path) -> bool:
    """Refuse a target that holds anything; return whether we had to create it."""
    if target.exists() and not target.is_dir():
        raise OpsError(f"备份位置不是目录：{target} / backup target is not a directory")
    if target.exists() and any(target.iterdir()):
        raise OpsError(f"备份目录不为空：{target}（请指定新的或空的目录）/ backup directory is not empty")
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    return created


def _empty(target: Path, *, remove: bool) -> None:
    """Undo a failed backup: `target` was empty when we started, so all it holds is ours."""
    for child in target.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if remove:
        target.rmdir()


def _backup_sqlite(source: Path, target: Path) -> ChainTip:
    """SQLite's online backup: one step over one read snapshot, so writers (WAL) never wait."""
    if not source.is_file():
        raise OpsError(f"数据库文件不存在：{source} / database file not found")
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)  # pages=-1: the whole database in one step, from one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        # Read from the backup itself, so the manifest describes exactly what was saved.
        return _chain_tip(copy)


def _chain_tip(conn: sqlite3.Connection) -> ChainTip:
    try:
        revision = conn.execute(database.SCHEMA_REVISION_SQL).fetchone()
        count, last_hash = conn.execute(database.CHAIN_TIP_SQL).fetchone()
    except sqlite3.OperationalError as exc:
        raise _not_migrated() from exc
    if revision is None:
        raise _not_migrated()
    return ChainTip(str(revision[0]), int(count), last_hash)


def _not_migrated() -> OpsError:
    return OpsError("数据库尚未建立结构，没有可备份的数据（请先运行 arena db upgrade）/ database has no schema")


async def _backup_postgresql(database_url: str, target: Path) -> ChainTip:
    """pg_dump inside a snapshot we exported: the manifest's chain tip is read from the same
    snapshot the dump is taken from, not from a moment before or after it."""
    database.pg_tool("pg_dump")  # a missing tool is named before anything else happens
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with conn.begin():
                snapshot = str(await conn.scalar(text("SELECT pg_export_snapshot()")))
                revision = await database.schema_revision(conn)
                if revision is None or "audit_event" not in await database.table_names(conn):
                    raise _not_migrated()
                count, last_hash = (await conn.execute(text(database.CHAIN_TIP_SQL))).one()
                # The exporting transaction stays open until pg_dump is done with the snapshot.
                await database.run_pg_tool("pg_dump", database_url, [
                    "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={target}"])
    finally:
        await engine.dispose()
    return ChainTip(revision, int(count), last_hash)


def _copy_store(files_dir: Path, target: Path) -> list[FileEntry]:
    """The file store under target/files/, same layout; half-written `.part` files are skipped."""
    if not files_dir.is_dir():
        return []
    entries = []
    for path in sorted(files_dir.rglob("*")):
        if not path.is_file() or path.name.endswith(".part"):
            continue
        relative = f"{manifest.FILES}/{path.relative_to(files_dir).as_posix()}"
        size, sha256 = manifest.copy_file(path, target / relative)
        entries.append(FileEntry(relative, size, sha256))
    return entries
