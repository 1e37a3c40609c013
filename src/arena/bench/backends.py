"""The databases scripts/bench runs Arena on: a SQLite file, or a throwaway PostgreSQL database.

SQLite is the single-box default: a file in the run's temporary directory, sessions in the
database. PostgreSQL is production: the bench creates `arena_bench_<hex>` next to the admin
database it is given (ARENA_BENCH_PG), and drops it afterwards whatever happens — an error, Ctrl-C
or SIGTERM — with `DROP DATABASE … WITH (FORCE)`, so servers still connected cannot keep it
alive. With PostgreSQL, sessions and rate-limit counters live in Redis when it answers, as they
do in production, under the database's name as ARENA_REDIS_PREFIX (so a shared Redis keeps them
apart from anyone else's); those keys are deleted afterwards too.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from redis import RedisError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

SQLITE, POSTGRESQL = "sqlite", "postgresql"
BACKENDS = (SQLITE, POSTGRESQL)  # the table's column order
LABELS = {SQLITE: "SQLite", POSTGRESQL: "PG"}
ALIASES = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "postgres": POSTGRESQL, "pg": POSTGRESQL}
DEFAULT_PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
NO_REDIS = "none"


@dataclass(frozen=True)
class Setup:
    """What the run found before measuring: the backends it measures and where they live."""

    backends: list[str]
    pg_version: str | None = None  # e.g. "15.20", when PostgreSQL is measured
    redis_url: str | None = None  # PostgreSQL's sessions in Redis; None: in the database
    notes: list[str] = field(default_factory=list)  # printed before the table

    def describe(self, backend: str) -> str:
        if backend == SQLITE:
            return "SQLite: a file per scale, sessions in the database"
        sessions = f"sessions in Redis ({self.redis_url})" if self.redis_url else "sessions in the database"
        return f"PG: PostgreSQL {self.pg_version}, a database per scale (dropped afterwards), {sessions}"


def parse_backends(value: str) -> list[str]:
    """`sqlite,postgresql` (or pg) → the backends in table order; ValueError names an unknown one."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALIASES]
    if unknown or not names:
        raise ValueError(f"unknown backend(s): {', '.join(unknown) or '(none given)'}; known: {', '.join(BACKENDS)}")
    chosen = {ALIASES[name] for name in names}
    return [backend for backend in BACKENDS if backend in chosen]


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url` (same user, host and options)."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def _admin(admin_url: str, statement: str) -> str | None:
    """One statement outside a transaction (CREATE/DROP DATABASE need that); the first value."""
    engine = create_async_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement))
            return str(result.scalar()) if result.returns_rows else None
    finally:
        await engine.dispose()


def _check_admin_url(admin_url: str) -> None:
    try:
        url = make_url(admin_url)
    except ArgumentError as exc:
        raise RuntimeError(f"ARENA_BENCH_PG is not a database URL: {admin_url!r}") from exc
    if url.drivername != "postgresql+asyncpg":
        raise RuntimeError(f"ARENA_BENCH_PG must be a postgresql+asyncpg:// URL (Arena's driver), not {admin_url!r}")


def postgres_version(admin_url: str) -> str | None:
    """The server's version when PostgreSQL answers at `admin_url`, else None."""
    _check_admin_url(admin_url)
    try:
        version = asyncio.run(asyncio.wait_for(_admin(admin_url, "SHOW server_version"), timeout=5))
    except (OSError, TimeoutError, SQLAlchemyError):
        return None
    return (version or "?").split()[0]


def redis_answers(url: str) -> bool:
    from redis import Redis

    try:
        with Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
            return bool(client.ping())
    except (RedisError, OSError, ValueError):
        return False


def delete_redis_keys(url: str, prefix: str) -> int:
    """Delete every key `prefix:*` (what Arena wrote with ARENA_REDIS_PREFIX=prefix); how many."""
    from redis import Redis

    deleted = 0
    with Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) as client:
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            batch.append(key)
            if len(batch) == 1000:
                deleted += int(client.delete(*batch))
                batch = []
        if batch:
            deleted += int(client.delete(*batch))
    return deleted


def discover(backends: list[str] | None, admin_url: str, redis: str | None) -> Setup:
    """Probe PostgreSQL and Redis. Asked for explicitly, a missing one is an error (RuntimeError);
    left to the defaults (backends None, redis None), the run goes on without it and says so."""
    notes = []
    wanted = backends or list(BACKENDS)
    version = postgres_version(admin_url) if POSTGRESQL in wanted else None
    if POSTGRESQL in wanted and version is None:
        shown = make_url(admin_url).render_as_string(hide_password=True)
        if backends is not None:
            raise RuntimeError(f"PostgreSQL does not answer at {shown} (set ARENA_BENCH_PG or --pg)")
        notes.append(f"注意 / note: PostgreSQL does not answer at {shown}: SQLite only "
                     "(set ARENA_BENCH_PG or --pg to measure PostgreSQL too)")
        wanted = [SQLITE]
    redis_url = None
    if POSTGRESQL in wanted and (redis or "").lower() != NO_REDIS:
        redis_url = redis or DEFAULT_REDIS_URL
        if not redis_answers(redis_url):
            if redis is not None:
                raise RuntimeError(f"Redis does not answer at {redis_url} (set ARENA_BENCH_REDIS, or none)")
            notes.append(f"注意 / note: Redis does not answer at {redis_url}: PG sessions in the database")
            redis_url = None
    return Setup(backends=wanted, pg_version=version, redis_url=redis_url, notes=notes)


@contextlib.contextmanager
def postgres_database(admin_url: str, report: Callable[[str], None], redis_url: str | None = None) -> Iterator[str]:
    """A new, empty database `arena_bench_<hex>` beside `admin_url`'s; its URL. Dropped on exit,
    and the keys under its name in `redis_url` deleted (the run's ARENA_REDIS_PREFIX is the name)."""
    name = f"arena_bench_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    except (OSError, SQLAlchemyError) as exc:
        raise RuntimeError(f"could not create PostgreSQL database {name}: {exc}") from exc
    report(f"… created PostgreSQL database {name}")
    try:
        yield database_url(admin_url, name)
    finally:
        if redis_url:
            try:
                delete_redis_keys(redis_url, name)
            except (RedisError, OSError) as exc:
                report(f"could not delete the Redis keys {name}:* ({exc}); they expire within a day")
        try:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            report(f"… dropped PostgreSQL database {name}")
        except (OSError, SQLAlchemyError) as exc:  # do not hide the error that brought us here
            report(f"could not drop PostgreSQL database {name} ({exc}); drop it by hand: "
                   f'DROP DATABASE "{name}" WITH (FORCE);')
