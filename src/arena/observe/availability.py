"""Clear 503 pages instead of 500s when a node cannot serve correctly, recovering by itself.

Two causes (README, production, failure modes):
- Redis, which holds the login sessions, does not answer: every logged-in page would fail. The
  person gets a 503 page saying the service is briefly unavailable; the next request tries Redis
  again, so the node recovers as soon as Redis is back, with no restart.
- The database's schema is behind this code (a node started on a new release before
  `arena db upgrade`): pages would fail in odd ways or write rows the old schema cannot hold. The
  node refuses page requests with a 503 until the database reaches the schema the code expects;
  /healthz, /readyz and /metrics still answer, so the proxy and Prometheus see why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import cache
from typing import Any

from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from arena.i18n import gettext as _

logger = logging.getLogger("arena.availability")
RETRY_AFTER_SECONDS = 5
UNGATED_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static/")
SCHEMA_RECHECK_SECONDS = 2.0  # while behind, ask the database again at most this often


def unavailable_page(request: Request[Any, Any, Any], message: str) -> Response[str]:
    """The 503 page (or fragment for htmx), with Retry-After; never a traceback."""
    from arena.web.templating import render

    title = _("服务暂时不可用")
    headers = {"retry-after": str(RETRY_AFTER_SECONDS), "cache-control": "no-store"}
    try:
        if request.headers.get("hx-request") == "true":
            return render(request, "errors/_message.html", {"title": title, "message": message},
                          status_code=503, headers=headers)
        return render(request, "errors/error.html", {"status": 503, "title": title, "message": message},
                      status_code=503, headers=headers)
    except Exception:  # the page itself must never turn the 503 into a 500
        logger.exception("503 page failed")
        return Response(f"503 {title}\n", status_code=503, media_type="text/plain", headers=headers)


def sessions_message() -> str:
    return _("登录会话存储（Redis）暂时无法连接，请稍后刷新页面；恢复后无需重新操作。")


def redis_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    """Exception handler for redis.exceptions.RedisError raised inside a route (rate limits,
    logout): logged once as a warning with the request id, answered with the 503 page."""
    logger.warning("redis unavailable on %s %s: %s", request.method, request.url.path, exc)
    return unavailable_page(request, sessions_message())


async def send_unavailable(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    request: Request[Any, Any, Any] = Request(scope)
    response = unavailable_page(request, message)
    await response.to_asgi_response(app=None, request=request)(scope, receive, send)


class SchemaGate:
    """Refuses page requests with a 503 while the database is not at this code's schema.

    Once the schema has been seen current, the process never asks again (a database does not
    go back under a running node: `arena db upgrade` refuses to downgrade)."""

    def __init__(self, app: ASGIApp, engine: AsyncEngine) -> None:
        self.app = app
        self.engine = engine
        self.current = False
        self._checked_at = 0.0
        self._problem: str | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.current or scope["type"] != "http" or scope["path"].startswith(UNGATED_PREFIXES):
            await self.app(scope, receive, send)
            return
        problem = await self._schema_problem()
        if problem is None:
            await self.app(scope, receive, send)
            return
        await send_unavailable(scope, receive, send, _("系统正在升级，请稍后再试。"))

    async def _schema_problem(self) -> str | None:
        async with self._lock:
            if self.current:
                return None
            if time.monotonic() - self._checked_at < SCHEMA_RECHECK_SECONDS:
                return self._problem
            self._checked_at = time.monotonic()
            try:
                async with self.engine.connect() as conn:
                    revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            except Exception:  # the database itself is down: the routes answer that on their own
                return None
            expected = schema_head()
            if revision == expected:
                self.current, self._problem = True, None
                return None
            if self._problem is None:
                logger.error("schema at %s, code expects %s: pages answer 503 until arena db upgrade",
                             revision, expected)
            self._problem = f"at {revision}, code expects {expected}"
            return self._problem


@cache
def schema_head() -> str:
    """The newest migration this code knows (read once per process; alembic loaded only here)."""
    from arena.ops.database import head_revision

    return head_revision()
