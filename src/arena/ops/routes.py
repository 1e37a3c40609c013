"""/metrics (Prometheus, behind ARENA_METRICS_TOKEN) and /readyz (can this process serve?)."""

from __future__ import annotations

import hmac
import os
from typing import Any

from litestar import Request, Response, get
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from arena.notify.outbox import mail_queue
from arena.observe.availability import schema_head
from arena.observe.heartbeat import heartbeat_families, last_pass
from arena.observe.metrics import exposition, queue_families
from arena.web.deps import ClockDep, DbSession


def _token_matches(request: Request[Any, Any, Any], token: str) -> bool:
    offered = request.headers.get("authorization", "")
    scheme, _sep, value = offered.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


@get("/metrics", opt={"exclude_from_csrf": True}, include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Response[bytes]:
    token = request.app.state.settings.metrics_token
    if not token:  # switched off: do not even admit the page exists
        return Response(b"not found\n", status_code=404, media_type="text/plain")
    if not _token_matches(request, token):
        return Response(b"unauthorized\n", status_code=401, media_type="text/plain",
                        headers={"www-authenticate": 'Bearer realm="metrics"'})
    waiting, given_up = await mail_queue(db_session, clock.now())
    families = queue_families(waiting, given_up)
    settings = request.app.state.settings
    if settings.redis_url:
        families += heartbeat_families(await last_pass(request.app.state.limiter.redis, settings.redis_prefix))
    return Response(exposition(families), media_type=CONTENT_TYPE_LATEST,
                    headers={"cache-control": "no-store"})


async def _check_database(db_session: DbSession) -> tuple[str, str]:
    try:
        revision = (await db_session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception:
        return "unreachable", "unknown"
    head = schema_head()
    return "ok", "ok" if revision == head else f"at {revision}, code expects {head}: run arena db upgrade"


async def _check_redis(request: Request[Any, Any, Any]) -> str:
    url = request.app.state.settings.redis_url
    if not url:
        return "not configured"
    try:
        await request.app.state.limiter.redis.ping()
    except Exception:
        return "unreachable"
    return "ok"


def _check_files(request: Request[Any, Any, Any]) -> str:
    directory = request.app.state.settings.files_dir
    if directory.exists():
        return "ok" if os.access(directory, os.W_OK) else "not writable"
    return "ok" if os.access(directory.parent, os.W_OK) else "missing"  # made on first upload


@get("/readyz", opt={"exclude_from_csrf": True}, include_in_schema=False)
async def readyz(request: Request[Any, Any, Any], db_session: DbSession) -> Response[dict[str, Any]]:
    """For the proxy or orchestrator: 200 only when the database answers at the expected schema,
    Redis (when configured) answers and the file store can be written; else 503 naming what."""
    database, schema = await _check_database(db_session)
    checks = {"database": database, "schema": schema, "redis": await _check_redis(request),
              "files": _check_files(request)}
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return Response({"status": "ok" if ready else "error", "checks": checks}, status_code=200 if ready else 503,
                    headers={"cache-control": "no-store"})


ROUTES = [metrics, readyz]
