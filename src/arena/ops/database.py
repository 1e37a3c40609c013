"""What the operator commands need to know about a database: its kind, its schema revision,
whether it is empty, and how to hand it to the PostgreSQL client tools."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from contextlib import closing
from enum import StrEnum
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection

from arena import RESOURCE_ROOT
from arena.db import create_engine
from arena.ops import OpsError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

SCHEMA_REVISION_SQL = "SELECT version_num FROM alembic_version"
CHAIN_TIP_SQL = "SELECT count(*), (SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1) FROM audit_event"
"""The audit chain's length and last hash, as a backup's manifest records them."""

# Query parameters libpq understands; asyncpg-only ones (prepared_statement_cache_size …) are dropped.
LIBPQ_PARAMETERS = frozenset({"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
                              "application_name", "options", "target_session_attrs"})


def backend_of(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return SQLITE
    if database_url.startswith("postgresql"):
        return POSTGRESQL
    raise OpsError(f"不支持的数据库地址（只支持 SQLite 与 PostgreSQL）/ unsupported database URL: "
                   f"{make_url(database_url).drivername}")


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise OpsError("SQLite 数据库必须是一个文件 / the SQLite database must be a file")
    return Path(database)


def sqlite_has_tables(path: Path) -> bool:
    """Looks without creating: sqlite3.connect would make an empty file where there was none."""
    if not path.exists():
        return False
    with closing(sqlite3.connect(path)) as conn:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])


async def postgresql_has_tables(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"))
            return bool(found)
    finally:
        await engine.dispose()


def has_tables(database_url: str) -> bool:
    if backend_of(database_url) == SQLITE:
        return sqlite_has_tables(sqlite_path(database_url))
    return asyncio.run(postgresql_has_tables(database_url))


async def table_names(conn: AsyncConnection) -> set[str]:
    return set(await conn.run_sync(lambda sync_conn: inspect(sync_conn).get_table_names()))


async def schema_revision(conn: AsyncConnection) -> str | None:
    """The database's Alembic revision, or None when it was never migrated."""
    if "alembic_version" not in await table_names(conn):
        return None
    revision = await conn.scalar(text(SCHEMA_REVISION_SQL))
    return str(revision) if revision is not None else None


# --- schema revisions -------------------------------------------------------------------------

class SchemaStatus(StrEnum):
    CURRENT = "current"  # at head: nothing to do
    BEHIND = "behind"  # an older revision of this code: `arena db upgrade` brings it to head
    UNKNOWN = "unknown"  # not in this code's history: made by a newer (or different) Arena


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(RESOURCE_ROOT / "alembic.ini")))


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the project always has migrations
        raise OpsError("找不到数据库迁移脚本 / no migrations found")
    return head


async def _current_revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return await schema_revision(conn)
    finally:
        await engine.dispose()


def current_revision(database_url: str) -> str | None:
    """The database's revision, read without changing anything (None: never migrated)."""
    if backend_of(database_url) == SQLITE and not sqlite_path(database_url).exists():
        return None
    return asyncio.run(_current_revision(database_url))


def upgrade(database_url: str, target: str = "head") -> tuple[str | None, str]:
    """Migrate forward to `target`; return (revision before, revision reached).

    Alembic's upgrade to an older revision silently does nothing, which read as "up to date" to
    an operator trying to roll back. Going back is refused here with the way that works: a
    restore of the backup taken before the upgrade (README, production, upgrades)."""
    from alembic import command

    if backend_of(database_url) == SQLITE:
        sqlite_path(database_url).parent.mkdir(parents=True, exist_ok=True)
    scripts = _scripts()
    wanted = (scripts.get_current_head() or "") if target == "head" else target
    try:
        wanted_script = scripts.get_revision(wanted)
    except Exception as exc:
        raise OpsError(f"未知的数据库结构版本：{target} / unknown revision") from exc
    if wanted_script is None:
        raise OpsError(f"未知的数据库结构版本：{target} / unknown revision")
    before = current_revision(database_url)
    if before is not None and before != wanted_script.revision:
        older = {script.revision for script in scripts.iterate_revisions(before, "base")}
        if wanted_script.revision in older:
            raise OpsError(f"数据库已在 {before}，比 {wanted_script.revision} 新：upgrade 不会降级，"
                           "回退请恢复升级前的备份"
                           f" / the database is at {before}, newer than {wanted_script.revision}: upgrade never goes"
                           " back; restore the backup taken before the upgrade")
    config = Config(str(RESOURCE_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, wanted_script.revision)
    reached = current_revision(database_url)
    return before, reached or wanted_script.revision


def schema_status(revision: str | None) -> SchemaStatus:
    scripts = _scripts()
    if revision == scripts.get_current_head():
        return SchemaStatus.CURRENT
    known = {script.revision for script in scripts.walk_revisions()}
    return SchemaStatus.BEHIND if revision in known else SchemaStatus.UNKNOWN


# --- PostgreSQL client tools ------------------------------------------------------------------

def libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL pg_dump and pg_restore understand, and an environment carrying the password.

    The password goes in PGPASSWORD, never on the command line, where `ps` shows it to anyone.
    """
    url = make_url(database_url)
    query: dict[str, Any] = {key: value for key, value in url.query.items() if key in LIBPQ_PARAMETERS}
    if "ssl" in url.query and "sslmode" not in query:  # asyncpg spells libpq's sslmode "ssl"
        query["sslmode"] = "require" if url.query["ssl"] in ("true", "1") else url.query["ssl"]
    plain = url.set(drivername="postgresql", password=None, query=query)
    environ = dict(os.environ)
    if url.password is not None:
        environ["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), environ


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OpsError(f"找不到 {name}：请安装 PostgreSQL 客户端工具（版本不低于服务器）/ "
                       f"{name} not found: install the PostgreSQL client tools")
    return found


async def run_pg_tool(name: str, database_url: str, options: list[str], operands: tuple[str, ...] = ()) -> None:
    """Run pg_dump or pg_restore against the database; a failure raises with its first message line."""
    uri, environ = libpq(database_url)
    process = await asyncio.create_subprocess_exec(
        pg_tool(name), *options, f"--dbname={uri}", *operands,
        env=environ, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate()
    if process.returncode != 0:
        lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit status {process.returncode}"
        raise OpsError(f"{name} 失败 / {name} failed: {detail}")
