"""The organizer's execution pages: a challenge's projects (board, reports to assess, plan
changes, fault-tolerance decisions, assessors, horse-race checkpoints) and the board of all
their projects. Thin: the rules are in the execution modules.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import offload
from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import ChallengeMode
from arena.errors import DomainError, FormErrors
from arena.execution import acceptance, horse_race, plan, reports, tolerance
from arena.execution import board as execution_board
from arena.execution.models import (
    PlanChange,
    PlanChangeStatus,
    Project,
    ProjectStatus,
    ToleranceRequest,
    ToleranceStatus,
)
from arena.execution.routes_cadre import today
from arena.execution.transitions import labels
from arena.execution.views import load_project_views
from arena.files.store import disposition
from arena.i18n import gettext as _
from arena.review import service as review
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ORGANIZER = {"roles": {Role.ORGANIZER}}


async def _page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, challenge_id: int,
                errors: dict[str, str] | None = None, refusal: str | None = None,
                values: dict[str, str] | None = None) -> Response[str]:
    challenge = await review.organizer_challenge(db, actor, challenge_id)
    projects = list((await db.scalars(select(Project).where(Project.challenge_id == challenge.id)
                                      .order_by(Project.id))).all())
    views = await load_project_views(db, projects, today(clock))
    project_ids = [p.id for p in projects]
    changes = (await db.scalars(select(PlanChange).where(PlanChange.project_id.in_(project_ids),
                                                         PlanChange.status == PlanChangeStatus.PENDING.value)
                                .order_by(PlanChange.id))).all() if project_ids else []
    requests = (await db.scalars(select(ToleranceRequest).where(
        ToleranceRequest.project_id.in_(project_ids),
        ToleranceRequest.status.in_([ToleranceStatus.AWAITING_OPINION.value, ToleranceStatus.AWAITING_DECISION.value]))
        .order_by(ToleranceRequest.id))).all() if project_ids else []
    horse = challenge.mode == ChallengeMode.HORSE_RACE.value
    context: dict[str, Any] = {
        "challenge": challenge, "views": views, "by_project": {v.project.id: v for v in views},
        "changes": [(c, plan.proposal_rows(c)) for c in changes], "requests": list(requests),
        "assessors": await reports.assessors_of(db, challenge), "horse": horse,
        "ranking": await horse_race.ranking(db, challenge) if horse else [],
        "next_checkpoint": horse_race.next_checkpoint(challenge) if horse else None,
        "frozen": {c.id: horse_race.frozen_ranking(c) for c in challenge.checkpoints},
        "acceptance_blockers": await acceptance.blockers(db, challenge),
        "labels": labels(), "errors": errors or {}, "refusal": refusal, "values": values or {},
        "done": request.query_params.get("done")}
    return render(request, "execution/organizer.html", context, status_code=400 if (errors or refusal) else 200)


@get("/organizer/challenges/{challenge_id:int}/execution", opt={**ORGANIZER, **KEPT})
async def execution_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         challenge_id: FromPath[int]) -> Response[str]:
    return await _page(request, db_session, clock, actor, challenge_id)


def _id(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 16 else 0


def _done(challenge_id: int, done: str) -> str:
    return f"/organizer/challenges/{challenge_id}/execution?done={done}"


@post("/organizer/challenges/{challenge_id:int}/execution/assessors", opt=ORGANIZER)
async def add_assessor(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       challenge_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    async with attempt(db_session) as refused:
        await reports.assign_assessor(db_session, clock, actor, challenge, form.raw("expert"))
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message,
                           {"expert": form.raw("expert")})
    return redirect(request, _done(challenge_id, "assessor"))


@post("/organizer/challenges/{challenge_id:int}/execution/changes/{change_id:int}", opt=ORGANIZER)
async def decide_change(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                        challenge_id: FromPath[int], change_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    async with attempt(db_session) as refused:
        await plan.decide_change(db_session, clock, actor, challenge, change_id, form.raw("decision") == "approve",
                                 form.raw("reason"))
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message,
                           {f"decision-{change_id}": form.raw(f"decision-{change_id}")})
    return redirect(request, _done(challenge_id, "change"))


@post("/organizer/challenges/{challenge_id:int}/execution/tolerance/{request_id:int}", opt=ORGANIZER)
async def decide_tolerance(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                           challenge_id: FromPath[int], request_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    async with attempt(db_session) as refused:
        await tolerance.decide(db_session, clock, actor, challenge, request_id, form.raw("decision") == "grant",
                               form.raw("reason"))
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message)
    return redirect(request, _done(challenge_id, "tolerance"))


@post("/organizer/challenges/{challenge_id:int}/execution/checkpoints/{checkpoint_id:int}", opt=ORGANIZER)
async def decide_checkpoint(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, challenge_id: FromPath[int],
                            checkpoint_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    keep = form.raw("choice") == "keep"
    async with attempt(db_session) as refused:
        if not form.raw("choice"):  # nothing on the form is chosen for the organizer (issue 20 §2)
            raise FormErrors({"eliminate": _("请选择比选结论：淘汰排名末位的团队，或本节点不淘汰")})
        await horse_race.decide(db_session, clock, actor, challenge, checkpoint_id,
                                None if keep else _id(form.raw("choice")), form.raw("keep_reason") if keep else "")
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message,
                           {"keep_reason": form.raw("keep_reason"), "choice": form.raw("choice")})
    return redirect(request, _done(challenge_id, "checkpoint"))


@get("/organizer/board", opt={**ORGANIZER, **KEPT})
async def board(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                page: FromQuery[str | None] = None) -> Response[str]:
    """Every project of the organizer's challenges with its milestones in green / amber / red,
    filtered by challenge and status (`?challenge=&status=`, kept in the pages' links)."""
    filters = execution_board.BoardFilters.parse(request.query_params)
    found = await paginate(db_session, execution_board.statement(actor, filters, today(clock)), page_number(page))
    views = await load_project_views(db_session, found.items, today(clock), detail=False)
    return render(request, "execution/board.html", {
        "page": found, "views": views, "labels": labels(), "params": filters.as_params(), "filters": filters,
        "challenges": await execution_board.challenge_options(db_session, actor),
        "statuses": [(s.value, labels()["project"][s.value]) for s in ProjectStatus]
        + [(execution_board.OVERDUE, _("有逾期节点任务"))]})


@get("/organizer/board.xlsx", opt=ORGANIZER)
async def board_export(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                       actor: ActorDep) -> Response[bytes]:
    """The filtered board as a workbook, one row per milestone (built in the workbook child)."""
    filters = execution_board.BoardFilters.parse(request.query_params)
    projects = list((await db_session.scalars(execution_board.statement(actor, filters, today(clock))
                                              .limit(execution_board.EXPORT_LIMIT))).all())
    views = await load_project_views(db_session, projects, today(clock), detail=False)
    names = labels()
    header = [_("榜单编号"), _("榜单名称"), _("牵头人"), _("单位"), _("项目状态"), _("序号"), _("节点任务"),
              _("完成日期"), _("考核状态"), _("逾期天数"), _("完成进度（%）")]
    body = execution_board.rows(views, names["project"], names["milestone"])
    try:
        data = await offload.run_in_process(offload.WORKBOOKS, execution_board.build_workbook, _("实施看板"),
                                            header, body)
    except offload.ChildFailed as exc:
        raise DomainError(_("导出失败，请稍后重试。")) from exc
    day = today(clock).isoformat()
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": disposition(f"board-{day}.xlsx",
                                                                        f"{_('实施看板')}-{day}.xlsx", inline=False),
                             "cache-control": "no-store"})


ROUTES = [execution_page, add_assessor, decide_change, decide_tolerance, decide_checkpoint, board, board_export]
