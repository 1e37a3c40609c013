"""`arena db copy --to URL`: the configured database, copied whole into an empty one.

Made for moving a running SQLite pilot to PostgreSQL, and works between any two of SQLite and
PostgreSQL. The source is read in ONE read transaction, so the copy is one consistent moment
even while the pilot keeps writing (SQLite in WAL mode gives a read transaction one snapshot;
PostgreSQL needs REPEATABLE READ for that). The target is written in ONE transaction that also
checks the result — row counts and the audit chain — before it commits, so any failure leaves
no data behind. Rows keep their primary keys; PostgreSQL's identity sequences are then moved
past the copied ids so the next insert gets a fresh one.

Values go through the models' column types both ways (DateTimeUTC, Numeric, Boolean …), never
as raw driver values, which is what keeps the audit chain's hashes valid on the target: each
hash covers `occurred_at` as format_moment prints it, and the summary as stored text.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, exists, func, insert, make_url, select, text
from sqlalchemy import table as table_clause
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from arena.audit.service import ChainReport, verify_chain
from arena.db import WRITE_INTENT, create_engine
from arena.models import metadata
from arena.ops import OpsError, database

BATCH = 1000


@dataclass(frozen=True)
class CopyResult:
    rows: dict[str, int]  # table name → rows copied (equal on both sides)
    chain: ChainReport  # verified on the target before commit

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_database(source_url: str, target_url: str, batch_size: int = BATCH) -> CopyResult:
    """Copy everything; refuse a target with data or a source that is not at the latest schema."""
    if _same_database(source_url, target_url):
        raise OpsError("源数据库与目标数据库相同 / source and target are the same database")
    asyncio.run(_preflight(source_url, target_url))
    # Its own committed step (Alembic runs its own event loop). Should the copy fail, the target
    # keeps the empty schema: it still counts as empty, so the same command can simply be rerun.
    database.upgrade(target_url)
    return asyncio.run(_copy(source_url, target_url, batch_size))


def _same_database(source_url: str, target_url: str) -> bool:
    if database.backend_of(source_url) == database.backend_of(target_url) == database.SQLITE:
        return database.sqlite_path(source_url).resolve() == database.sqlite_path(target_url).resolve()
    source, target = make_url(source_url), make_url(target_url)
    return (source.host, source.port, source.database) == (target.host, target.port, target.database)


def tables() -> list[Table]:
    """Every table of the models, parents before children (foreign keys are checked per row)."""
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


@asynccontextmanager
async def _engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _preflight(source_url: str, target_url: str) -> None:
    """Refuse before migrating anything: the checks are made again inside the copy."""
    if database.backend_of(source_url) == database.SQLITE and not database.sqlite_path(source_url).is_file():
        raise OpsError(f"源数据库文件不存在：{database.sqlite_path(source_url)} / source database file not found")
    async with _engine(source_url) as source, source.connect() as conn:
        await _require_head(conn)
    if database.backend_of(target_url) == database.SQLITE and not database.sqlite_path(target_url).exists():
        return  # a new SQLite file: nothing to look at (and connecting would create it)
    async with _engine(target_url) as target, target.connect() as conn:
        await _require_no_data(conn)


async def _require_head(conn: AsyncConnection) -> None:
    revision = await database.schema_revision(conn)
    if database.schema_status(revision) is not database.SchemaStatus.CURRENT:
        raise OpsError(f"源数据库结构版本为 {revision or '（无）'}，不是最新版本 {database.head_revision()}："
                       "请先运行 arena db upgrade / the source is not at the latest schema: run arena db upgrade first")


async def _require_no_data(conn: AsyncConnection) -> None:
    """Any row in any table (ours or not, alembic_version aside) makes the target not empty."""
    for name in sorted(await database.table_names(conn) - {"alembic_version"}):
        if await conn.scalar(select(exists().select_from(table_clause(name)))):
            raise OpsError(f"目标数据库已有数据（表 {name}），未复制任何内容 / the target database is not empty "
                           f"(table {name}): nothing copied")


@asynccontextmanager
async def _snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with conn.begin():
            yield conn


@asynccontextmanager
async def _write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_INTENT: True})
        async with conn.begin():  # commits when the block ends, rolls back on any error
            yield conn


async def _copy(source_url: str, target_url: str, batch_size: int) -> CopyResult:
    async with (_engine(source_url) as source, _engine(target_url) as target,
                _snapshot(source) as reader, _write_transaction(target) as writer):
        await _require_head(reader)
        await _require_no_data(writer)
        rows = {}
        for table in tables():
            rows[table.name] = await _copy_table(reader, writer, table, batch_size)
        if writer.dialect.name == "postgresql":
            await _restart_identities(writer)
        await _require_equal_counts(reader, writer)
        chain = await _verify(writer)
    return CopyResult(rows, chain)


async def _copy_table(reader: AsyncConnection, writer: AsyncConnection, table: Table, batch_size: int) -> int:
    query = select(table).order_by(*table.primary_key.columns)
    if any(key.column.table is table for key in table.foreign_keys):
        ordered = _parents_first(table, [dict(row._mapping) for row in await reader.execute(query)])
        for start in range(0, len(ordered), batch_size):
            await writer.execute(insert(table), ordered[start:start + batch_size])
        return len(ordered)
    copied = 0
    result = await reader.stream(query)
    async for batch in result.partitions(batch_size):
        await writer.execute(insert(table), [dict(row._mapping) for row in batch])
        copied += len(batch)
    return copied


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order the rows of a table that refers to itself (unit.parent_id) so each comes after the
    row it refers to: a unit moved under a newer one has a parent with a higher id."""
    links = [(key.parent.key, key.column.key) for key in table.foreign_keys if key.column.table is table]
    placed: dict[str, set[Any]] = {target: set() for _, target in links}
    ordered: list[dict[str, Any]] = []
    pending = rows
    while pending:
        ready = [row for row in pending
                 if all(row[source] is None or row[source] == row[target] or row[source] in placed[target]
                        for source, target in links)]
        if not ready:  # a cycle: insert as is, the foreign key refuses it and everything rolls back
            return ordered + pending
        for row in ready:
            ordered.append(row)
            for _, target in links:
                placed[target].add(row[target])
        taken = {id(row) for row in ready}
        pending = [row for row in pending if id(row) not in taken]
    return ordered


async def _restart_identities(writer: AsyncConnection) -> None:
    """Move each IDENTITY column past the copied ids (explicit ids do not advance it).

    ALTER TABLE … RESTART rather than setval(): setval is never rolled back, the ALTER is part
    of the copy's transaction like everything else.
    """
    preparer = writer.dialect.identifier_preparer
    for table in tables():
        column = table.c.get("id")
        if column is None or column.identity is None:
            continue
        top = await writer.scalar(select(func.max(column)))
        await writer.execute(text(f"ALTER TABLE {preparer.format_table(table)} ALTER COLUMN "
                                  f"{preparer.quote(column.name)} RESTART WITH {int(top or 0) + 1}"))


async def _require_equal_counts(reader: AsyncConnection, writer: AsyncConnection) -> None:
    for table in tables():
        count = select(func.count()).select_from(table)
        source, target = await reader.scalar(count), await writer.scalar(count)
        if source != target:
            raise OpsError(f"表 {table.name} 行数不一致（源 {source}，目标 {target}），目标数据库已回滚 / "
                           f"row counts differ in {table.name}: target rolled back")


async def _verify(writer: AsyncConnection) -> ChainReport:
    session = AsyncSession(bind=writer)  # joins the copy's transaction: sees the rows before commit
    try:
        report = await verify_chain(session)
    finally:
        await session.close()
    if report.broken is not None:
        raise OpsError(f"复制后的审计哈希链在第 {report.broken.seq} 号事件处断开（{report.broken.reason}），"
                       "目标数据库已回滚；请在源数据库运行 arena audit verify / "
                       "the audit chain does not verify on the target: rolled back")
    return report
