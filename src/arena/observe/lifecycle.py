"""One log line when a process starts serving and one when it stops, with the release and the
database's schema revision: the first thing an operator looks for after a restart or upgrade."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import metadata

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("arena.lifecycle")


def release() -> str:
    try:
        return metadata.version("arena")
    except metadata.PackageNotFoundError:  # pragma: no cover - a bare checkout without install
        return "unknown"


async def database_revision(engine: AsyncEngine) -> str | None:
    try:
        async with engine.connect() as conn:
            value = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception:
        return None
    return str(value) if value is not None else None


@asynccontextmanager
async def announced(engine: AsyncEngine, role: str) -> AsyncIterator[None]:
    """Log `started` (version, schema, pid) on entry and `stopped` on exit, as structured fields."""
    fields = {"event": "started", "role": role, "version": release(), "pid": os.getpid(),
              "schema_revision": await database_revision(engine)}
    logger.info("arena %s started: version %s, schema %s", role, fields["version"], fields["schema_revision"],
                extra=fields)
    try:
        yield
    finally:
        logger.info("arena %s stopped", role, extra=fields | {"event": "stopped"})
