"""Home page, health check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get
from markupsafe import Markup
from sqlalchemy import text

from arena import i18n
from arena.attention import attention_for
from arena.data_versions import VersionedCache
from arena.home import public
from arena.web.deps import ClockDep, DbSession, MaybeActor
from arena.web.page_cache import KEPT
from arena.web.templating import render, render_html


@get("/", name="home", opt=KEPT)
async def home(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
               viewer: MaybeActor) -> Response[str]:
    if viewer:
        items = await attention_for(db_session, viewer, clock)
        return render(request, "home/home.html", {"items": items})
    # The same for every visitor: kept like the catalogue's results (arena.home.public).
    now = clock.now()
    cache: VersionedCache[str] = request.app.state.setdefault("public_home_cache", VersionedCache[str](public.ENTRIES))
    key = i18n.current_locale.get()
    version = await public.current_version(db_session)

    async def page() -> tuple[str, datetime | None]:
        html = render_html(request, "home/_public.html", {"home": await public.load(db_session, now)})
        return html, await public.valid_until(db_session, now)

    entry = await cache.get_or_build(key, version, now, page)
    # our own template's output, escaped as it was rendered
    return render(request, "home/home.html", {"items": [], "public_html": Markup(entry.value)})  # noqa: S704


@get("/healthz", opt={"exclude_from_csrf": True})
async def healthz(db_session: DbSession) -> Response[dict[str, str]]:
    """Liveness with a database round trip; 503 when the database does not answer."""
    try:
        await db_session.execute(text("SELECT 1"))
    except Exception:
        return Response({"status": "error", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


ROUTES = [home, healthz]
