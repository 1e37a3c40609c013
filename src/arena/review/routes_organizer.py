"""The organizer's review and acceptance pages: panel settings and commitment, the draw, seats
and progress, the chair, closing, and the frozen results with their documents. The same
handlers serve `/review` (the bid panel) and `/acceptance` (the acceptance panel, 验收), whose
setup and closing go through execution.acceptance. Thin: rules in service.py.

Sealed scores: until the panel closes this page shows counts only (`seats_with_progress`).
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.bids.models import Bid
from arena.challenges.forms import CriterionRow
from arena.errors import FormErrors, NotFound
from arena.execution import acceptance
from arena.execution.grades import GRADE_LABELS
from arena.i18n import gettext as _
from arena.review import documents, due_dates, panel_draw, results, service
from arena.review import seats as review_seats
from arena.review.models import PanelPurpose, PanelStatus, SeatStatus
from arena.review.routes_draw import ROUTES as DRAW_ROUTES
from arena.review.routes_due import ROUTES as DUE_ROUTES
from arena.review.routes_expert import _labels
from arena.units.models import Cadre
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect, send
from arena.web.refusals import attempt
from arena.web.templating import render

ORGANIZER = {"roles": {Role.ORGANIZER}}
BASE = "/organizer/challenges/{challenge_id:int}"


def paths(suffix: str = "") -> list[str]:
    """The same page or action for the bid panel and for the acceptance panel."""
    return [f"{BASE}/review{suffix}", f"{BASE}/acceptance{suffix}"]


def purpose_of(request: Request[Any, Any, Any]) -> PanelPurpose:
    return PanelPurpose.ACCEPTANCE if "/acceptance" in request.url.path else PanelPurpose.BID


async def _page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, challenge_id: int,
                errors: dict[str, str] | None = None, refusal: str | None = None,
                values: dict[str, str] | None = None) -> Response[str]:
    challenge = await service.organizer_challenge(db, actor, challenge_id)
    purpose = purpose_of(request)
    panel = await service.panel_of(db, challenge.id, purpose)
    context: dict[str, Any] = {
        "challenge": challenge, "panel": panel, "errors": errors or {}, "refusal": refusal, "labels": _labels(),
        "values": values or {}, "done": request.query_params.get("done"), "progress": [], "summary": None,
        "purpose": purpose.value, "base": f"/organizer/challenges/{challenge.id}/{service.page_of(purpose)}",
        "acceptance_criteria": service.criteria_for(challenge, PanelPurpose.ACCEPTANCE),
        "blockers": await acceptance.blockers(db, challenge) if purpose is PanelPurpose.ACCEPTANCE else [],
        "grade_labels": {k: _(v) for k, v in GRADE_LABELS.items()}}
    context |= await _draw_context(db, clock, challenge, panel, purpose)
    if panel is not None and panel.status != PanelStatus.COMMITTED.value:
        context["progress"] = await results.seats_with_progress(db, panel)
        context["missing"] = results.missing_work(context["progress"])
    context |= due_dates.page_context(panel, context["progress"], clock.today())
    if panel is not None and panel.status == PanelStatus.CLOSED.value:
        summary = await documents.load_summary(db, challenge, panel)
        # The organizer knows who bid: the page names them beside the codes even when review was blind.
        rows = (await db.execute(select(Bid.review_code, Bid.number, Cadre.name).join(Cadre, Cadre.id == Bid.lead_id)
                                 .where(Bid.challenge_id == challenge.id, Bid.review_code.is_not(None)))).all()
        context |= {"summary": summary, "names": {code or "": (number, name) for code, number, name in rows}}
        context["chart"] = documents.chart_rows(summary)
    return render(request, "review/organizer.html", context, status_code=400 if (errors or refusal) else 200)


async def _draw_context(db: AsyncSession, clock: Any, challenge: Any, panel: Any,
                        purpose: PanelPurpose) -> dict[str, Any]:
    """The commitments, whether the live pool still matches the frozen list (else the draw will
    be refused and the organizer should re-commit), and whether a supplementary draw is due."""
    plan = panel_draw.default_plan(clock)
    found: dict[str, Any] = {"commitments": [], "open": None, "changed": None, "supplement_missing": 0,
                             "default_plan": plan}
    if panel is None:
        return found
    found["commitments"] = await panel_draw.commitments(db, panel)
    made = found["open"] = await panel_draw.open_commitment(db, panel)
    seats = await results.seats_with_progress(db, panel) if panel.status != PanelStatus.COMMITTED.value else []
    if made is not None and made.candidates is not None:
        taken = {p.seat.expert_id for p in seats}
        live = [e.code for e in await panel_draw.candidates(db, challenge, clock.now(), purpose) if e.id not in taken]
        frozen = json.loads(made.candidates)
        found["candidate_count"] = len(frozen)
        if sorted(live) != sorted(frozen):
            found["changed"] = panel_draw.changed_message(made, frozen, live)
    if panel.status == PanelStatus.DRAWN.value and made is None:
        statuses = [p.seat.status for p in seats]
        if SeatStatus.RESERVE.value not in statuses:
            found["supplement_missing"] = panel.size - sum(
                s in (SeatStatus.INVITED.value, SeatStatus.ACCEPTED.value) for s in statuses)
    return found


@get(paths(), opt=ORGANIZER)
async def review_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[str]:
    return await _page(request, db_session, clock, actor, challenge_id)


@post(paths("/commit"), opt=ORGANIZER)
async def commit(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    purpose = purpose_of(request)
    form = await read_form(request)
    raw = {name: form.raw(name) for name in ("size", "reserves", "trim_k", "beacon_source", "beacon_date", "reason",
                                             "due_on")}
    async with attempt(db_session) as refused:
        settings, plan, due_on = _parse_commitment(raw, clock)
        reason = raw["reason"].strip()[:2000]
        if purpose is PanelPurpose.ACCEPTANCE:
            await acceptance.commit(db_session, clock, actor, challenge, settings, plan=plan, reason=reason)
        else:
            await panel_draw.commit(db_session, clock, actor, challenge, settings, plan=plan, reason=reason)
        if due_on is not None:  # set with the commitment; a re-commitment's reason covers a change
            await due_dates.set_due(db_session, clock, actor, challenge, purpose, due_on, reason)
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message, raw)
    return redirect(request, f"/organizer/challenges/{challenge_id}/{service.page_of(purpose)}?done=committed")


def _parse_commitment(raw: dict[str, str], clock: Any
                      ) -> tuple[panel_draw.PanelSettings, panel_draw.BeaconPlan, Any]:
    """Settings, beacon and due date together, so one submission names every bad field."""
    errors: dict[str, str] = {}
    settings = plan = due_on = None
    try:
        due_on = due_dates.parse_due(raw.get("due_on", ""), clock)
    except FormErrors as exc:
        errors |= exc.errors
    try:
        settings = panel_draw.parse_settings(raw)
    except FormErrors as exc:
        errors |= exc.errors
    try:
        plan = panel_draw.parse_plan(raw, clock)
    except FormErrors as exc:
        errors |= exc.errors
    if errors or settings is None or plan is None:
        raise FormErrors(errors)
    return settings, plan, due_on


@post(paths("/supplement"), opt=ORGANIZER)
async def supplement(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                     challenge_id: FromPath[int]) -> Response[str]:
    """Commit a supplementary draw (补充抽取) for seats the reserves could not fill."""
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    purpose = purpose_of(request)
    form = await read_form(request)
    raw = {name: form.raw(name) for name in ("beacon_source", "beacon_date", "reason")}
    async with attempt(db_session) as refused:
        plan = panel_draw.parse_plan(raw, clock)
        await panel_draw.commit_supplement(db_session, clock, actor, challenge, purpose, plan=plan,
                                           reason=raw["reason"].strip()[:2000])
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message, raw)
    return redirect(request, f"/organizer/challenges/{challenge_id}/{service.page_of(purpose)}?done=supplement")


def _done(request: Request[Any, Any, Any], challenge_id: int, done: str) -> str:
    return f"/organizer/challenges/{challenge_id}/{service.page_of(purpose_of(request))}?done={done}"


@post(paths("/chair"), opt=ORGANIZER)
async def chair(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    seat = form.raw("seat")
    async with attempt(db_session) as refused:
        await review_seats.set_chair(db_session, clock, actor, challenge, int(seat) if seat.isdigit() else 0,
                                purpose_of(request))
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message)
    return redirect(request, _done(request, challenge_id, "chair"))


@post(paths("/close"), opt=ORGANIZER)
async def close(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    async with attempt(db_session) as refused:
        reason = form.text("reason", _("理由"), required=False, max_length=2000)
        if purpose_of(request) is PanelPurpose.ACCEPTANCE:
            await acceptance.close(db_session, clock, actor, challenge, reason)
        else:
            await results.close(db_session, clock, actor, challenge, reason)
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message,
                           {"reason": form.raw("reason")})
    return redirect(request, _done(request, challenge_id, "close"))


@post(f"{BASE}/acceptance/rubric", opt=ORGANIZER)
async def acceptance_rubric(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, challenge_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    async with attempt(db_session) as refused:
        rows = [CriterionRow(form.raw(f"acceptance-{n}-name"), form.raw(f"acceptance-{n}-points"),
                             form.raw(f"acceptance-{n}-guidance")) for n in range(1, 11)]
        await acceptance.set_rubric(db_session, clock, actor, challenge, rows)
    if refused:
        return await _page(request, db_session, clock, actor, challenge_id, refused.errors, refused.message,
                           {k: form.raw(k) for k in form.data if k.startswith("acceptance-")})
    return redirect(request, _done(request, challenge_id, "rubric"))


async def _closed_panel(db: AsyncSession, actor: Actor, challenge_id: int,
                        purpose: PanelPurpose = PanelPurpose.BID) -> tuple[Any, Any]:
    challenge = await service.organizer_challenge(db, actor, challenge_id)
    panel = await service.panel_of(db, challenge.id, purpose)
    if panel is None or panel.status != PanelStatus.CLOSED.value:
        raise NotFound(_("评审结束后才能下载评分汇总表"))
    return challenge, panel


@get(paths("/summary.pdf"), opt=ORGANIZER)
async def summary_pdf(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[bytes]:
    """The score summary (评分汇总表), or for acceptance the acceptance report (验收报告)."""
    challenge, panel = await _closed_panel(db_session, actor, challenge_id, purpose_of(request))
    return send(await documents.summary_pdf(request.app.state.jinja, db_session, challenge, panel, for_expert=False))


@get(paths("/summary.xlsx"), opt=ORGANIZER)
async def summary_xlsx(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       challenge_id: FromPath[int]) -> Response[bytes]:
    challenge, panel = await _closed_panel(db_session, actor, challenge_id, purpose_of(request))
    return send(await documents.summary_xlsx(db_session, challenge, panel, for_expert=False))


ROUTES = [review_page, commit, supplement, chair, close, acceptance_rubric, summary_pdf, summary_xlsx, *DRAW_ROUTES,
          *DUE_ROUTES]
