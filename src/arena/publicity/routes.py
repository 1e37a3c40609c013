"""Publicity pages: the public results page and notice PDF, filing an objection, one's own
objections, and the organizer's publicity page (publish, answer objections, award). Thin: the
rules are in publicity/service.py and execution/award.py.

Anonymity: the public page and PDF get `PublicResults`, which holds no objector; the objector's
name appears only on the organizer's page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import Actor
from arena.audit import checkpoints
from arena.auth.models import Role
from arena.execution import award as award_service
from arena.execution import public as execution_public
from arena.execution.transitions import labels as execution_labels
from arena.files.store import content_disposition
from arena.pdf import render_pdf
from arena.publicity import service
from arena.publicity.transitions import ACTION_LABELS, OBJECTION, PUBLICITY
from arena.review import service as review
from arena.web import public_cache
from arena.web.deps import ActorDep, ClockDep, DbSession, MaybeActor
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render, render_html
from arena.web.uploads import download, receive_files

ORGANIZER = {"roles": {Role.ORGANIZER}}
LOGIN = {"login": True}


def labels() -> dict[str, dict[str, str]]:
    return {"publicity": {k: PUBLICITY.label(k) for k in PUBLICITY.labels},
            "objection": {k: OBJECTION.label(k) for k in OBJECTION.labels},
            "action": {k: i18n.gettext(v) for k, v in ACTION_LABELS.items()}}


async def _results_context(db: AsyncSession, clock: Any, challenge_id: int) -> dict[str, Any]:
    results = await service.public_results(db, challenge_id, clock.now())
    # after the award: each winner's project as it stands (挂帅人, 已确定挂帅, its status and grade)
    awarded = results.challenge.status in execution_public.AWARDED
    return {"r": results, "labels": labels(), "awarded": awarded, "execution_labels": execution_labels(),
            "projects": await execution_public.project_statuses(db, challenge_id) if awarded else {},
            "title": results.challenge.title, "challenge_id": challenge_id}


async def _results_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor | None,
                        challenge_id: int, errors: dict[str, str] | None = None,
                        values: dict[str, str] | None = None) -> Response[str]:
    context = await _results_context(db, clock, challenge_id)
    return render(request, "publicity/results.html", {
        **context, "errors": errors or {}, "values": values or {}, "done": request.query_params.get("done")},
        status_code=400 if errors else 200)


@get("/results/{challenge_id:int}", opt=KEPT)
async def results_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, viewer: MaybeActor,
                       challenge_id: FromPath[int]) -> Response[str]:
    """Public: ranking by review code, winners by name, the snapshot hash recomputed here."""
    if not public_cache.is_anonymous_plain_get(request, viewer):
        return await _results_page(request, db_session, clock, viewer, challenge_id)

    async def build() -> tuple[public_cache.Body, list[datetime | None]]:
        context = await _results_context(db_session, clock, challenge_id)
        html = render_html(request, "publicity/_results_body.html", {**context, "errors": {}, "values": {}})
        # objections may be filed until the 公示 ends
        return public_cache.Body(html, context["title"]), [context["r"].publicity.ends_at]

    # the same for every visitor: kept per process until a write or the 公示's end changes it
    kept = await public_cache.body(request, db_session, clock.now(), ("results", challenge_id), build)
    return render(request, "publicity/results.html", {
        # our own template's output, escaped as it was rendered
        "title": kept.title, "challenge_id": challenge_id, "body_html": Markup(kept.html)})  # noqa: S704


@get("/results/{challenge_id:int}/notice.pdf")
async def notice_pdf(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                     challenge_id: FromPath[int]) -> Response[bytes]:
    """The results notice (结果公示) as a PDF, with the same hash as the page."""
    results = await service.public_results(db_session, challenge_id, clock.now())
    html = request.app.state.jinja.get_template("documents/results_notice.html").render(
        r=results, audit_checkpoint=await checkpoints.latest_view(db_session),
        public_url=request.app.state.settings.public_url)
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    number = results.challenge.number or str(results.challenge.id)
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": content_disposition(
        f"结果公示-{number}.pdf", f"results-notice-{number}.pdf", inline=True)})


@post("/results/{challenge_id:int}/objections", opt=LOGIN)
async def file_objection(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         challenge_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    reason = form.raw("reason")
    challenge = await review.public_challenge(db_session, challenge_id)
    async with attempt(db_session, field="reason", upload_field="evidence") as refused:
        evidence = await receive_files(request, db_session, actor, "evidence", service.MAX_EVIDENCE)
        await service.file_objection(db_session, clock, actor, challenge, reason, evidence)
    if refused:
        return await _results_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                   {"reason": reason})
    return redirect(request, "/objections?done=filed")


@get("/objections", opt={**LOGIN, **KEPT})
async def my_objections(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    return render(request, "publicity/my_objections.html", {
        "rows": await service.my_objections(db_session, actor), "labels": labels(),
        "done": request.query_params.get("done")})


@get("/objections/{objection_id:int}/evidence/{evidence_id:int}", opt=LOGIN)
async def evidence(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                   objection_id: FromPath[int], evidence_id: FromPath[int]) -> Response[bytes]:
    found = await service.readable_evidence(db_session, actor, objection_id, evidence_id)
    return download(request, found.file, f"evidence-{found.id}")


# --- the organizer -------------------------------------------------------------------------------

async def _organizer_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor,
                          challenge_id: int, errors: dict[str, str] | None = None, refusal: str | None = None,
                          values: dict[str, str] | None = None) -> Response[str]:
    challenge = await review.organizer_challenge(db, actor, challenge_id)
    now = clock.now()
    panel = await review.panel_of(db, challenge.id)
    publicity = await service.current_publicity(db, challenge.id)
    context: dict[str, Any] = {
        "challenge": challenge, "publicity": publicity, "labels": labels(), "errors": errors or {},
        "refusal": refusal, "values": values or {}, "done": request.query_params.get("done"),
        "running": service.is_running(publicity, now), "panel_closed": panel is not None and panel.closed_at,
        "objections": await service.objections_for_organizer(db, challenge),
        "winners": service.winners_of(publicity) if publicity else [],
        "blockers": await service.award_blockers(db, challenge, now),
        "reviewed": await service.disqualifiable_bids(db, challenge)}
    return render(request, "publicity/organizer.html", context,
                  status_code=400 if (errors or refusal) else 200)


@get("/organizer/challenges/{challenge_id:int}/publicity", opt={**ORGANIZER, **KEPT})
async def organizer_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         challenge_id: FromPath[int]) -> Response[str]:
    return await _organizer_page(request, db_session, clock, actor, challenge_id)


@post("/organizer/challenges/{challenge_id:int}/publicity", opt=ORGANIZER)
async def publish(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    raw = form.raw("working_days")
    async with attempt(db_session) as refused:
        await service.publish(db_session, clock, actor, challenge, service.parse_working_days(raw))
    if refused:
        return await _organizer_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                     refused.message, {"working_days": raw})
    return redirect(request, f"/organizer/challenges/{challenge_id}/publicity?done=published")


@post("/organizer/challenges/{challenge_id:int}/objections/{objection_id:int}", opt=ORGANIZER)
async def answer(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int], objection_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    raw = {name: form.raw(name) for name in ("verdict", "reply", "action", "target")}
    async with attempt(db_session) as refused:
        await service.answer_objection(db_session, clock, actor, challenge, objection_id, service.parse_answer(raw))
    if refused:
        return await _organizer_page(request, db_session, clock, actor, challenge_id,
                                     {f"{k}-{objection_id}": v for k, v in refused.errors.items()}, refused.message,
                                     {f"{k}-{objection_id}": v for k, v in raw.items()})
    return redirect(request, f"/organizer/challenges/{challenge_id}/publicity?done=answered#objections")


@post("/organizer/challenges/{challenge_id:int}/award", opt=ORGANIZER)
async def award(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    challenge = await review.organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        await award_service.award(db_session, clock, actor, challenge)
    if refused:
        return await _organizer_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                     refused.message)
    return redirect(request, f"/organizer/challenges/{challenge_id}/execution?done=awarded")


ROUTES = [results_page, notice_pdf, file_objection, my_objections, evidence, organizer_page, publish, answer, award]
