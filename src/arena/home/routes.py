"""Home page, health check."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from sqlalchemy import text

from arena.home.attention import attention_for
from arena.web.deps import ClockDep, DbSession, MaybeActor
from arena.web.templating import render


@get("/", name="home")
async def home(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
               actor: MaybeActor) -> Response[str]:
    items = await attention_for(db_session, actor, clock) if actor else []
    return render(request, "home/home.html", {"items": items})


@get("/healthz", opt={"exclude_from_csrf": True})
async def healthz(db_session: DbSession) -> Response[dict[str, str]]:
    """Liveness with a database round trip; 503 when the database does not answer."""
    try:
        await db_session.execute(text("SELECT 1"))
    except Exception:
        return Response({"status": "error", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


ROUTES = [home, healthz]
