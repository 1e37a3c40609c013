"""`arena restore DIR`: a backup back into an empty installation, checked before and after.

Nothing is written until the manifest's every hash verifies and the target is known to be
empty; so a damaged backup, a wrong target, a backend mismatch or a backup from a newer Arena
changes nothing. Restore never
migrates: an older backup is restored as it was, and the operator runs `arena db upgrade` after
checking the result (the message says so).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from arena.audit.chain import GENESIS_HASH
from arena.audit.service import ChainReport, verify_chain
from arena.db import create_engine, create_session_maker, transaction
from arena.ops import OpsError, database, manifest
from arena.ops.database import SchemaStatus
from arena.ops.manifest import Manifest
from arena.settings import Settings

BACKEND_NAMES = {database.SQLITE: "SQLite", database.POSTGRESQL: "PostgreSQL"}


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    chain: ChainReport
    schema: SchemaStatus

    @property
    def chain_matches_backup(self) -> bool:
        """The restored chain is the one the backup recorded: same length, same last hash."""
        expected = self.manifest.audit_last_hash or GENESIS_HASH
        return self.chain.ok and (self.chain.count, self.chain.last_hash) == (self.manifest.audit_count, expected)


def restore(settings: Settings, source: Path) -> RestoreResult:
    backup = manifest.read_manifest(source)
    backend = database.backend_of(settings.database_url)
    _require_same_backend(backup.backend, backend)
    schema = database.schema_status(backup.alembic_revision)
    if schema is SchemaStatus.UNKNOWN:
        raise OpsError(f"备份的数据库结构版本 {backup.alembic_revision} 不在本程序的迁移记录中"
                       "（来自更新版本的 Arena？）：请用相同或更新版本的程序恢复 / "
                       "the backup's schema is unknown to this Arena: restore with the same or a newer version")
    if backend == database.POSTGRESQL:
        database.pg_tool("pg_restore")
    _require_empty(settings)
    manifest.check_all(source, backup)
    dump = source / backup.database_file
    if backend == database.SQLITE:
        _restore_sqlite(dump, database.sqlite_path(settings.database_url))
    else:
        asyncio.run(database.run_pg_tool(
            "pg_restore", settings.database_url,
            ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"], (str(dump),)))
    _restore_files(source, backup, settings.files_dir)
    chain = asyncio.run(_verify(settings.database_url))
    return RestoreResult(backup, chain, schema)


def _require_same_backend(backup: str, target: str) -> None:
    if backup != target:
        raise OpsError(
            f"备份来自 {BACKEND_NAMES[backup]}，当前配置的是 {BACKEND_NAMES[target]}："
            f"请先恢复到 {BACKEND_NAMES[backup]}，再用 arena db copy --to 迁移 / "
            f"backup is {BACKEND_NAMES[backup]} but the target is {BACKEND_NAMES[target]}: "
            f"restore into {BACKEND_NAMES[backup]}, then use arena db copy")


def _require_empty(settings: Settings) -> None:
    """A restore never merges: the database must have no tables and the store no files."""
    if database.has_tables(settings.database_url):
        raise OpsError("目标数据库不是空的（已有数据表），恢复未执行 / "
                       "the target database is not empty: nothing restored")
    files_dir = settings.files_dir
    if files_dir.exists() and (not files_dir.is_dir() or any(files_dir.iterdir())):
        raise OpsError(f"文件目录不是空的：{files_dir}，恢复未执行 / "
                       "the files directory is not empty: nothing restored")


def _restore_sqlite(dump: Path, target: Path) -> None:
    # A -wal file left beside an empty database would be replayed into the restored one.
    for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    manifest.copy_file(dump, target)


def _restore_files(source: Path, backup: Manifest, files_dir: Path) -> None:
    """Copy the store back and read every file again: what is on disk must hash as listed."""
    prefix = f"{manifest.FILES}/"
    for entry in backup.store_files:
        target = manifest.safe_join(files_dir, entry.path.removeprefix(prefix))
        manifest.copy_file(manifest.safe_join(source, entry.path), target)
        manifest.check(target, entry)


async def _verify(database_url: str) -> ChainReport:
    engine = create_engine(database_url)
    try:
        async with transaction(create_session_maker(engine), write=False) as session:
            return await verify_chain(session)
    finally:
        await engine.dispose()
