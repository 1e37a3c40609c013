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
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.execution import acceptance
from arena.execution.grades import GRADE_LABELS
from arena.i18n import gettext as _
from arena.review import documents, service
from arena.review.models import PanelPurpose, PanelStatus
from arena.review.routes_expert import _labels
from arena.units.models import Cadre
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
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
    if panel is not None and panel.status == PanelStatus.COMMITTED.value:
        context["candidate_count"] = len(await service.candidates(db, challenge, clock.now(), purpose))
    if panel is not None and panel.status != PanelStatus.COMMITTED.value:
        context["progress"] = await service.seats_with_progress(db, panel)
        context["missing"] = service.missing_work(context["progress"])
    if panel is not None and panel.status == PanelStatus.CLOSED.value:
        summary = await documents.load_summary(db, challenge, panel)
        # The organizer knows who bid: the page names them beside the codes even when review was blind.
        rows = (await db.execute(select(Bid.review_code, Bid.number, Cadre.name).join(Cadre, Cadre.id == Bid.lead_id)
                                 .where(Bid.challenge_id == challenge.id, Bid.review_code.is_not(None)))).all()
        context |= {"summary": summary, "names": {code or "": (number, name) for code, number, name in rows}}
        context["chart"] = documents.chart_rows(summary)
    return render(request, "review/organizer.html", context, status_code=400 if (errors or refusal) else 200)


@get(paths(), opt=ORGANIZER)
async def review_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _page(request, db_session, clock, actor, challenge_id)


@post(paths("/commit"), opt=ORGANIZER)
async def commit(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    purpose = purpose_of(request)
    form = await read_form(request)
    raw = {name: form.raw(name) for name in ("size", "reserves", "trim_k")}
    try:
        settings = service.parse_settings(raw)
        if purpose is PanelPurpose.ACCEPTANCE:
            await acceptance.commit(db_session, clock, actor, challenge, settings)
        else:
            await service.commit(db_session, clock, actor, challenge, settings)
    except (FormErrors, DomainError) as exc:
        await db_session.rollback()
        errors = exc.errors if isinstance(exc, FormErrors) else None
        return await _page(request, db_session, clock, actor, challenge_id, errors,
                           None if errors else exc.message, raw)
    return redirect(request, f"/organizer/challenges/{challenge_id}/{service.page_of(purpose)}?done=committed")


async def _act(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, challenge_id: int,
               action: str) -> Response[str]:
    challenge = await service.organizer_challenge(db, actor, challenge_id)
    purpose = purpose_of(request)
    form = await read_form(request)
    try:
        if action == "draw":
            await service.draw_panel(db, clock, actor, challenge, purpose)
        elif action == "chair":
            seat = form.raw("seat")
            await service.set_chair(db, clock, actor, challenge, int(seat) if seat.isdigit() else 0, purpose)
        elif action == "rubric":
            rows = [CriterionRow(form.raw(f"acceptance-{n}-name"), form.raw(f"acceptance-{n}-points"),
                                 form.raw(f"acceptance-{n}-guidance")) for n in range(1, 11)]
            await acceptance.set_rubric(db, clock, actor, challenge, rows)
        else:
            reason = form.text("reason", _("理由"), required=False, max_length=2000)
            if purpose is PanelPurpose.ACCEPTANCE:
                await acceptance.close(db, clock, actor, challenge, reason)
            else:
                await service.close(db, clock, actor, challenge, reason)
    except (FormErrors, DomainError) as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        await db.rollback()
        errors = exc.errors if isinstance(exc, FormErrors) else None
        return await _page(request, db, clock, actor, challenge_id, errors, None if errors else exc.message,
                           {k: form.raw(k) for k in form.data if k == "reason" or k.startswith("acceptance-")})
    return redirect(request, f"/organizer/challenges/{challenge_id}/{service.page_of(purpose)}?done={action}")


@post(paths("/draw"), opt=ORGANIZER)
async def draw(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
               challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "draw")


@post(paths("/chair"), opt=ORGANIZER)
async def chair(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "chair")


@post(paths("/close"), opt=ORGANIZER)
async def close(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "close")


@post(f"{BASE}/acceptance/rubric", opt=ORGANIZER)
async def acceptance_rubric(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "rubric")


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
    assert actor is not None
    challenge, panel = await _closed_panel(db_session, actor, challenge_id, purpose_of(request))
    return await documents.summary_pdf_response(request, db_session, challenge, panel, for_expert=False)


@get(paths("/summary.xlsx"), opt=ORGANIZER)
async def summary_xlsx(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       challenge_id: FromPath[int]) -> Response[bytes]:
    assert actor is not None
    challenge, panel = await _closed_panel(db_session, actor, challenge_id, purpose_of(request))
    return await documents.summary_xlsx_response(db_session, challenge, panel, for_expert=False)


@get(["/challenges/{challenge_id:int}/draw", "/challenges/{challenge_id:int}/acceptance-draw"])
async def draw_verification(request: Request[Any, Any, Any], db_session: DbSession,
                            challenge_id: FromPath[int]) -> Response[str]:
    """Public: the commitment, and once drawn the seed, candidate list and result, recomputed here."""
    challenge = await service.public_challenge(db_session, challenge_id)
    purpose = PanelPurpose.ACCEPTANCE if request.url.path.endswith("acceptance-draw") else PanelPurpose.BID
    panel = await service.panel_of(db_session, challenge.id, purpose)
    if panel is None:
        raise NotFound(_("该榜单还没有公布评审专家抽取承诺值"))
    context: dict[str, Any] = {"challenge": challenge, "panel": panel, "problems": None, "purpose": purpose.value}
    if panel.drawn_at is not None:
        _panel, problems = await service.verify_draw(db_session, challenge.id, purpose)
        context |= {"problems": problems, "candidates": json.loads(panel.candidates or "[]"),
                    "drawn": json.loads(panel.drawn or "[]")}
    return render(request, "review/draw.html", context)


ROUTES = [review_page, commit, draw, chair, close, acceptance_rubric, summary_pdf, summary_xlsx, draw_verification]
