"""Due dates on the review pages: the organizer sets or changes a panel's due date, chases (催评)
a late expert and replaces one after the due date; the chair chases from the panel page. Thin:
the rules are in review.deadlines (pure) and review.due_dates (service).

The organizer's and chair's pages are re-rendered by their own modules on a refusal; they are
imported inside the handlers because routes_organizer lists these routes (no import cycle).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.i18n import gettext as _
from arena.review import due_dates, service
from arena.review.models import PanelPurpose
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect

ORGANIZER = {"roles": {Role.ORGANIZER}}
EXPERT = {"roles": {Role.EXPERT}}
BASE = "/organizer/challenges/{challenge_id:int}"


def _paths(suffix: str) -> list[str]:
    return [f"{BASE}/review{suffix}", f"{BASE}/acceptance{suffix}"]


def _purpose(request: Request[Any, Any, Any]) -> PanelPurpose:
    return PanelPurpose.ACCEPTANCE if "/acceptance" in request.url.path else PanelPurpose.BID


async def _organizer_act(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor,
                         challenge_id: int, action: str, seat_id: int = 0) -> Response[str]:
    from arena.review.routes_organizer import _page

    challenge = await service.organizer_challenge(db, actor, challenge_id)
    purpose = _purpose(request)
    form = await read_form(request)
    values: dict[str, str] = {}
    done = action
    try:
        panel = await service.panel_of(db, challenge.id, purpose)
        if panel is None:
            raise DomainError(_("还没有公布抽取承诺"))
        if action == "due":
            values = {"due_on": form.raw("due_on"), "due_reason": form.raw("due_reason")}
            due_on = due_dates.parse_due(values["due_on"], clock, required=True)
            assert due_on is not None
            await due_dates.set_due(db, clock, actor, challenge, purpose, due_on, values["due_reason"][:2000])
        elif action == "chase":
            await due_dates.chase(db, clock, actor, panel, challenge, seat_id, "organizer")
        else:
            values = {f"replace-{seat_id}": form.raw("reason")}
            if not await due_dates.replace(db, clock, actor, challenge, panel, seat_id, form.raw("reason")[:2000]):
                done = "replaced_no_reserve"
    except (FormErrors, DomainError) as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        await db.rollback()
        errors = exc.errors if isinstance(exc, FormErrors) else None
        return await _page(request, db, clock, actor, challenge_id, errors, None if errors else exc.message, values)
    anchor = "#due" if action == "due" else "#seats-title"
    return redirect(request, f"/organizer/challenges/{challenge_id}/{service.page_of(purpose)}?done={done}{anchor}")


@post(_paths("/due"), opt=ORGANIZER)
async def set_due(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _organizer_act(request, db_session, clock, actor, challenge_id, "due")


@post(_paths("/chase/{seat_id:int}"), opt=ORGANIZER)
async def organizer_chase(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                          actor: ActorDep, challenge_id: FromPath[int], seat_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _organizer_act(request, db_session, clock, actor, challenge_id, "chase", seat_id)


@post(_paths("/replace/{seat_id:int}"), opt=ORGANIZER)
async def replace(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int], seat_id: FromPath[int]) -> Response[str]:
    assert actor is not None
    return await _organizer_act(request, db_session, clock, actor, challenge_id, "replace", seat_id)


@post("/review/panels/{panel_id:int}/chase/{seat_id:int}", opt=EXPERT)
async def chair_chase(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      panel_id: FromPath[int], seat_id: FromPath[int]) -> Response[str]:
    """The chair (评审组组长) chases a member of their own panel; the same throttle as the organizer's."""
    from arena.review.routes_expert import _panel_page

    assert actor is not None
    panel, challenge = await due_dates.chair_panel(db_session, actor, panel_id)
    await read_form(request)
    try:
        await due_dates.chase(db_session, clock, actor, panel, challenge, seat_id, "expert")
    except DomainError as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        await db_session.rollback()
        return await _panel_page(request, db_session, actor, panel_id, None, exc.message)
    return redirect(request, f"/review/panels/{panel_id}?done=chased#chase")


ROUTES = [set_due, organizer_chase, replace, chair_chase]
