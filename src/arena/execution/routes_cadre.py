"""The project pages (挂帅人 and team, and read-only for the organizer and inspectors): the
commitment letter and its signing, progress reports, fault-tolerance and plan-change requests,
evidence downloads, and the commitment PDF. Thin: rules in award/reports/tolerance/plan.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import Actor
from arena.auth.models import Role
from arena.auth.service import ReentryRefused
from arena.challenges.models import ToleranceCase
from arena.execution import award, evidence, plan, policy, reports, tolerance
from arena.execution.models import PlanChange
from arena.execution.transitions import labels
from arena.execution.views import ProjectView
from arena.files import store
from arena.observe.metrics import LOGIN_FAILURES
from arena.pdf import render_pdf
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.forms import Form
from arena.web.helpers import client_address, read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render
from arena.web.uploads import download, receive_files

LOGIN = {"login": True}


def today(clock: Any) -> Any:
    return clock.today()


async def _project_context(db: AsyncSession, view: ProjectView, actor: Actor) -> dict[str, Any]:
    changes = (await db.scalars(select(PlanChange).where(PlanChange.project_id == view.project.id)
                                .order_by(PlanChange.id.desc()))).all()
    cases = (await db.scalars(select(ToleranceCase).where(ToleranceCase.challenge_id == view.challenge.id)
                              .order_by(ToleranceCase.position))).all()
    return {"view": view, "project": view.project, "challenge": view.challenge, "letter":
            json.loads(view.project.commitment_content), "is_lead": policy.is_lead(actor, view),
            "changes": [(c, plan.proposal_rows(c)) for c in changes],
            "pending_change": next((c for c in changes if c.status == "pending"), None),
            "cases": list(cases), "labels": labels()}


async def _page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, project_id: int,
                errors: dict[str, str] | None = None, refusal: str | None = None,
                values: dict[str, Any] | None = None) -> Response[str]:
    view = await award.readable_project(db, actor, project_id, today(clock))
    context = await _project_context(db, view, actor) | {
        "errors": errors or {}, "refusal": refusal, "values": values or {}, "done": request.query_params.get("done")}
    return render(request, "execution/project.html", context, status_code=400 if (errors or refusal) else 200)


@get("/projects", opt={"roles": {Role.CADRE}, **KEPT})
async def my_projects(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    return render(request, "execution/projects.html", {"rows": await award.my_projects(db_session, actor),
                                                        "labels": labels()})


@get("/projects/{project_id:int}", opt={**LOGIN, **KEPT})
async def project_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       project_id: FromPath[int]) -> Response[str]:
    return await _page(request, db_session, clock, actor, project_id)


@post("/projects/{project_id:int}/sign", opt=LOGIN)
async def sign(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
               project_id: FromPath[int]) -> Response[str]:
    view = await award.readable_project(db_session, actor, project_id, today(clock))
    form = await read_form(request)
    async with attempt(db_session) as refused:  # a wrong password is kept: it counts (nothing signed)
        await award.sign(db_session, clock, actor, view, form.raw("password"), address=client_address(request))
    if refused:
        if isinstance(refused.error, ReentryRefused):
            LOGIN_FAILURES.labels("reentry").inc()
        return await _page(request, db_session, clock, actor, project_id, refused.errors, refused.message)
    return redirect(request, f"/projects/{project_id}?done=signed")


@get("/projects/{project_id:int}/commitment.pdf", opt=LOGIN)
async def commitment_pdf(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         project_id: FromPath[int]) -> Response[bytes]:
    """The commitment letter (军令状): signed, with time and content hash; or marked unsigned."""
    view = await award.readable_project(db_session, actor, project_id, today(clock))
    html = request.app.state.jinja.get_template("documents/commitment.html").render(
        view=view, project=view.project, letter=json.loads(view.project.commitment_content))
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    number = json.loads(view.project.commitment_content)["bid"]["number"] or str(project_id)
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": store.content_disposition(
        f"军令状-{number}.pdf", f"commitment-{number}.pdf", inline=True)})


@post("/projects/{project_id:int}/milestones/{milestone_id:int}/reports", opt=LOGIN)
async def report(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 project_id: FromPath[int], milestone_id: FromPath[int]) -> Response[str]:
    view = await award.readable_project(db_session, actor, project_id, today(clock))
    form = await read_form(request)
    draft = reports.ReportDraft(form.raw("text"), form.raw("percent"), form.raw("kpi_values"))
    prefix = f"m{milestone_id}-"
    values = {f"{prefix}text": draft.text, f"{prefix}percent": draft.percent, f"{prefix}kpi_values": draft.kpi_values}
    async with attempt(db_session, upload_field="evidence") as refused:
        award.require_lead(actor, view)
        files = await receive_files(request, db_session, actor, "evidence", reports.MAX_EVIDENCE)
        await reports.submit_report(db_session, clock, actor, view, milestone_id, draft, files)
    if refused:
        return await _page(request, db_session, clock, actor, project_id,
                           {f"{prefix}{k}": v for k, v in refused.errors.items()}, refused.message, values)
    return redirect(request, f"/projects/{project_id}?done=reported#milestone-{milestone_id}")


@post("/projects/{project_id:int}/tolerance", opt=LOGIN)
async def request_tolerance(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, project_id: FromPath[int]) -> Response[str]:
    view = await award.readable_project(db_session, actor, project_id, today(clock))
    form = await read_form(request)
    milestone_id, case_id = _int(form, "milestone"), _int(form, "case")
    prefix = f"t{milestone_id}-"
    values = {f"{prefix}explanation": form.raw("explanation"), f"{prefix}case": form.raw("case")}
    async with attempt(db_session, upload_field="evidence") as refused:
        award.require_lead(actor, view)
        files = await receive_files(request, db_session, actor, "evidence", tolerance.MAX_EVIDENCE)
        await tolerance.request_tolerance(db_session, clock, actor, view, milestone_id, case_id,
                                          form.raw("explanation"), files)
    if refused:
        return await _page(request, db_session, clock, actor, project_id,
                           {f"{prefix}{k}": v for k, v in refused.errors.items()}, refused.message, values)
    return redirect(request, f"/projects/{project_id}?done=tolerance#milestone-{milestone_id}")


def _int(form: Form, name: str) -> int:
    raw = form.raw(name)
    return int(raw) if raw.isdigit() and len(raw) < 16 else 0


@post("/projects/{project_id:int}/plan-changes", opt=LOGIN)
async def request_change(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         project_id: FromPath[int]) -> Response[str]:
    view = await award.readable_project(db_session, actor, project_id, today(clock))
    form = await read_form(request)
    rows = [plan.Row(_int(form, f"row-{n}-id") or None, form.raw(f"row-{n}-title"), form.raw(f"row-{n}-due_on"),
                     form.raw(f"row-{n}-deliverable"), form.raw(f"row-{n}-kpi"))
            for n in range(1, 60) if f"row-{n}-title" in form.data]
    values: dict[str, Any] = {k: form.raw(k) for k in form.data if k.startswith("row-")} | {
        "change_reason": form.raw("reason")}
    async with attempt(db_session) as refused:
        await plan.request_change(db_session, clock, actor, view, form.raw("reason"), rows)
    if refused:  # the page has two reasons: this form's is change_reason
        errors = {"change_reason" if k == "reason" else k: v for k, v in refused.errors.items()}
        return await _page(request, db_session, clock, actor, project_id, errors, refused.message,
                           values | {"change_open": True})
    return redirect(request, f"/projects/{project_id}?done=change#changes")


@get("/projects/{project_id:int}/reports/{report_id:int}/evidence/{evidence_id:int}", opt=LOGIN)
async def report_evidence(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                          project_id: FromPath[int], report_id: FromPath[int],
                          evidence_id: FromPath[int]) -> Response[bytes]:
    found = await evidence.report_evidence(db_session, actor, report_id, evidence_id, today(clock))
    return download(request, found, f"report-evidence-{evidence_id}")


@get("/projects/{project_id:int}/tolerance/{request_id:int}/evidence/{evidence_id:int}", opt=LOGIN)
async def tolerance_evidence(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                             actor: ActorDep, project_id: FromPath[int], request_id: FromPath[int],
                             evidence_id: FromPath[int]) -> Response[bytes]:
    found = await evidence.tolerance_evidence(db_session, actor, request_id, evidence_id, today(clock))
    return download(request, found, f"tolerance-evidence-{evidence_id}")


ROUTES = [my_projects, project_page, sign, commitment_pdf, report, request_tolerance, request_change,
          report_evidence, tolerance_evidence]
