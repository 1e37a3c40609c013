"""Assessing progress reports (考核) — for the challenge's organizer and the experts assigned
to it — and the inspector's fault-tolerance opinions. Thin: rules in reports.py and tolerance.py.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.execution import considerations, reports, tolerance
from arena.execution.routes_cadre import today
from arena.execution.transitions import labels
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ASSESSORS = {"roles": {Role.ORGANIZER, Role.EXPERT}}
INSPECTOR = {"roles": {Role.INSPECTOR}}


@get("/assess", opt={**ASSESSORS, **KEPT})
async def queue(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    return render(request, "execution/assess_queue.html", {
        "rows": await reports.reports_awaiting(db_session, actor), "done": request.query_params.get("done")})


async def _report_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, report_id: int,
                       errors: dict[str, str] | None = None, refusal: str | None = None,
                       values: dict[str, str] | None = None) -> Response[str]:
    target = await reports.report_to_assess(db, actor, report_id, today(clock))
    milestone_view = next(m for m in target.view.milestones if m.milestone.id == target.milestone.id)
    return render(request, "execution/assess.html", {
        "t": target, "mv": milestone_view, "labels": labels(), "errors": errors or {}, "refusal": refusal,
        "values": values or {}}, status_code=400 if (errors or refusal) else 200)


@get("/assess/reports/{report_id:int}", opt=ASSESSORS)
async def report_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      report_id: FromPath[int]) -> Response[str]:
    return await _report_page(request, db_session, clock, actor, report_id)


@post("/assess/reports/{report_id:int}", opt=ASSESSORS)
async def assess(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 report_id: FromPath[int]) -> Response[str]:
    target = await reports.report_to_assess(db_session, actor, report_id, today(clock))
    form = await read_form(request)
    values = {k: form.raw(k) for k in ("verdict", "score", "comment")}
    async with attempt(db_session) as refused:
        await reports.assess(db_session, clock, actor, target, reports.AssessmentDraft(**values))
    if refused:
        return await _report_page(request, db_session, clock, actor, report_id, refused.errors, refused.message,
                                  values)
    return redirect(request, "/assess?done=assessed")


@get("/inspector/tolerance", opt=INSPECTOR)
async def tolerance_queue(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                          status: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Response[str]:
    status = status if status in tolerance.QUEUE_TABS else ""
    found = await paginate(db_session, tolerance.inspector_queue(status, actor.user_id), page_number(page),
                           scalars=False)
    return render(request, "execution/tolerance_queue.html", {
        "page": found, "status": status, "params": {"status": status}, "labels": labels(),
        "done": request.query_params.get("done")})


async def _tolerance_page(request: Request[Any, Any, Any], db: AsyncSession, request_id: int,
                          errors: dict[str, str] | None = None, refusal: str | None = None,
                          values: dict[str, str] | None = None) -> Response[str]:
    found = await tolerance.load_request(db, request_id)
    return render(request, "execution/tolerance.html", {
        "f": found, "labels": labels(), "errors": errors or {}, "refusal": refusal, "values": values or {},
        "considerations": considerations},
        status_code=400 if (errors or refusal) else 200)


@get("/inspector/tolerance/{request_id:int}", opt=INSPECTOR)
async def tolerance_page(request: Request[Any, Any, Any], db_session: DbSession,
                         request_id: FromPath[int]) -> Response[str]:
    return await _tolerance_page(request, db_session, request_id)


@post("/inspector/tolerance/{request_id:int}", opt=INSPECTOR)
async def opine(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                request_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    values = {name: form.raw(name) for name in considerations.FIELDS}
    async with attempt(db_session) as refused:
        await tolerance.give_opinion(db_session, clock, actor, request_id, values)
    if refused:
        return await _tolerance_page(request, db_session, request_id, refused.errors, refused.message, values)
    return redirect(request, "/inspector/tolerance?done=opinion")


ROUTES = [queue, report_page, assess, tolerance_queue, tolerance_page, opine]
