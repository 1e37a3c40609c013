"""The organizer's review page: panel settings and commitment, the draw, seats and progress,
the chair, closing, and the frozen results with their documents. Thin: rules in service.py.

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
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.i18n import gettext as _
from arena.review import documents, service
from arena.review.models import PanelStatus
from arena.review.routes_expert import _labels
from arena.units.models import Cadre
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.templating import render

ORGANIZER = {"roles": {Role.ORGANIZER}}


async def _page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, challenge_id: int,
                errors: dict[str, str] | None = None, refusal: str | None = None,
                values: dict[str, str] | None = None) -> Response[str]:
    challenge = await service.organizer_challenge(db, actor, challenge_id)
    panel = await service.panel_of(db, challenge.id)
    context: dict[str, Any] = {
        "challenge": challenge, "panel": panel, "errors": errors or {}, "refusal": refusal, "labels": _labels(),
        "values": values or {}, "done": request.query_params.get("done"), "progress": [], "summary": None}
    if panel is not None and panel.status == PanelStatus.COMMITTED.value:
        context["candidate_count"] = len(await service.candidates(db, challenge, clock.now()))
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


@get("/organizer/challenges/{challenge_id:int}/review", opt=ORGANIZER)
async def review_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _page(request, db_session, clock, actor, challenge_id)


@post("/organizer/challenges/{challenge_id:int}/review/commit", opt=ORGANIZER)
async def commit(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    raw = {name: form.raw(name) for name in ("size", "reserves", "trim_k")}
    try:
        await service.commit(db_session, clock, actor, challenge, service.parse_settings(raw))
    except (FormErrors, DomainError) as exc:
        await db_session.rollback()
        errors = exc.errors if isinstance(exc, FormErrors) else None
        return await _page(request, db_session, clock, actor, challenge_id, errors,
                           None if errors else exc.message, raw)
    return redirect(request, f"/organizer/challenges/{challenge_id}/review?done=committed")


async def _act(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, challenge_id: int,
               action: str) -> Response[str]:
    challenge = await service.organizer_challenge(db, actor, challenge_id)
    form = await read_form(request)
    try:
        if action == "draw":
            await service.draw_panel(db, clock, actor, challenge)
        elif action == "chair":
            seat = form.raw("seat")
            await service.set_chair(db, clock, actor, challenge, int(seat) if seat.isdigit() else 0)
        else:
            await service.close(db, clock, actor, challenge, form.text("reason", _("理由"), required=False,
                                                                      max_length=2000))
    except (FormErrors, DomainError) as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        await db.rollback()
        errors = exc.errors if isinstance(exc, FormErrors) else None
        return await _page(request, db, clock, actor, challenge_id, errors, None if errors else exc.message,
                           {"reason": form.raw("reason")})
    return redirect(request, f"/organizer/challenges/{challenge_id}/review?done={action}")


@post("/organizer/challenges/{challenge_id:int}/review/draw", opt=ORGANIZER)
async def draw(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
               challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "draw")


@post("/organizer/challenges/{challenge_id:int}/review/chair", opt=ORGANIZER)
async def chair(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "chair")


@post("/organizer/challenges/{challenge_id:int}/review/close", opt=ORGANIZER)
async def close(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _act(request, db_session, clock, actor, challenge_id, "close")


async def _closed_panel(db: AsyncSession, actor: Actor, challenge_id: int) -> tuple[Any, Any]:
    challenge = await service.organizer_challenge(db, actor, challenge_id)
    panel = await service.panel_of(db, challenge.id)
    if panel is None or panel.status != PanelStatus.CLOSED.value:
        raise NotFound(_("评审结束后才能下载评分汇总表"))
    return challenge, panel


@get("/organizer/challenges/{challenge_id:int}/review/summary.pdf", opt=ORGANIZER)
async def summary_pdf(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[bytes]:
    assert actor is not None
    challenge, panel = await _closed_panel(db_session, actor, challenge_id)
    return await documents.summary_pdf_response(request, db_session, challenge, panel, for_expert=False)


@get("/organizer/challenges/{challenge_id:int}/review/summary.xlsx", opt=ORGANIZER)
async def summary_xlsx(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       challenge_id: FromPath[int]) -> Response[bytes]:
    assert actor is not None
    challenge, panel = await _closed_panel(db_session, actor, challenge_id)
    return await documents.summary_xlsx_response(db_session, challenge, panel, for_expert=False)


@get("/challenges/{challenge_id:int}/draw")
async def draw_verification(request: Request[Any, Any, Any], db_session: DbSession,
                            challenge_id: FromPath[int]) -> Response[str]:
    """Public: the commitment, and once drawn the seed, candidate list and result, recomputed here."""
    challenge = await service.public_challenge(db_session, challenge_id)
    panel = await service.panel_of(db_session, challenge.id)
    if panel is None:
        raise NotFound(_("该榜单还没有公布评审专家抽取承诺值"))
    context: dict[str, Any] = {"challenge": challenge, "panel": panel, "problems": None}
    if panel.drawn_at is not None:
        _panel, problems = await service.verify_draw(db_session, challenge.id)
        context |= {"problems": problems, "candidates": json.loads(panel.candidates or "[]"),
                    "drawn": json.loads(panel.drawn or "[]")}
    return render(request, "review/draw.html", context)


ROUTES = [review_page, commit, draw, chair, close, summary_pdf, summary_xlsx, draw_verification]
