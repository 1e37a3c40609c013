"""The organizer's statistics (统计报表): the page and its Excel exports. Thin: the statements
are in reports.queries, the sections in reports.service, the workbooks in reports.workbooks."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery

from arena.auth.models import Role
from arena.files.store import disposition
from arena.reports import cache, service, workbooks
from arena.reports.queries import Scope, parse_year
from arena.web.deps import ActorDep, DbSession
from arena.web.page_cache import KEPT
from arena.web.templating import render

ORGANIZER = {"roles": {Role.ORGANIZER}}


def young_age(request: Request[Any, Any, Any]) -> int:
    """GLOSSARY young_cadre: the age threshold from the settings (ARENA_YOUNG_CADRE_AGE)."""
    return int(request.app.state.settings.young_cadre_age)


@get("/organizer/reports", opt={**ORGANIZER, **KEPT})
async def reports_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       year: FromQuery[str | None] = None) -> Response[str]:
    """Every section for the organizer's challenges; a year that is not one just shows every year."""
    assert actor.user_id is not None
    report = await cache.report(db_session, request.app.state.report_cache, actor.user_id, parse_year(year),
                                young_age(request))
    return render(request, "reports/reports.html", {"report": report, "export_link": service.export_link})


@get("/organizer/reports/{filename:str}", opt=ORGANIZER)
async def export(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                 filename: FromPath[str], year: FromQuery[str | None] = None) -> Response[bytes]:
    assert actor.user_id is not None
    scope = Scope(actor.user_id, parse_year(year))
    data, name, fallback = await workbooks.export(db_session, scope, filename, young_age(request))
    # The helper that takes the ASCII name as given: files.store's derives one from the Chinese
    # name, which for these names would come out as just "xlsx".
    return Response(data, media_type=workbooks.XLSX,
                    headers={"content-disposition": disposition(fallback, name, inline=False)})


ROUTES = [reports_page, export]
