"""The 组织部门's statistics (三个优先): the page and its workbook. Thin: the statements are in
reports.orgdept_queries, the sections and the workbook in reports.orgdept."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromQuery

from arena.actor import Role
from arena.errors import NotFound
from arena.files.store import disposition
from arena.i18n import gettext as _
from arena.reports import orgdept, workbooks
from arena.reports.queries import parse_year
from arena.reports.routes import young_age
from arena.web.deps import ActorDep, DbSession
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number
from arena.web.templating import render

ORG_DEPT = {"roles": {Role.ORG_DEPT}}


@get("/orgdept/stats", opt={**ORG_DEPT, **KEPT})
async def stats_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                     department: FromQuery[str | None] = None, year: FromQuery[str | None] = None,
                     page: FromQuery[str | None] = None) -> Response[str]:
    """The chosen department's figures (the first one it acts for unless another is chosen); a
    department it does not act for, or a year that is not one, is ignored rather than refused."""
    found = await orgdept.load(db_session, actor, department, parse_year(year), page_number(page),
                               young_age(request))
    return render(request, "reports/orgdept_stats.html", {
        "stats": found, "rank_label": orgdept.rank_label, "role_label": orgdept.role_label,
        "grade_label": orgdept.grade_label, "candidates_note": orgdept.candidates_note})


@get("/orgdept/stats.xlsx", opt=ORG_DEPT)
async def stats_export(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       department: FromQuery[str | None] = None, year: FromQuery[str | None] = None) -> Response[bytes]:
    found = await orgdept.workbook(db_session, actor, department, parse_year(year), young_age(request))
    if found is None:
        raise NotFound(_("你的账号尚未加入任何组织部门"))
    data, name, fallback = found
    return Response(data, media_type=workbooks.XLSX,
                    headers={"content-disposition": disposition(fallback, name, inline=False)})


ROUTES = [stats_page, stats_export]
