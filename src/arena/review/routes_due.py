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
from arena.challenges.models import Challenge
from arena.errors import DomainError
from arena.i18n import gettext as _
from arena.review import due_dates, service
from arena.review.models import Panel, PanelPurpose
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.refusals import Refusal, attempt

ORGANIZER = {"roles": {Role.ORGANIZER}}
EXPERT = {"roles": {Role.EXPERT}}
BASE = "/organizer/challenges/{challenge_id:int}"


def _paths(suffix: str) -> list[str]:
    return [f"{BASE}/review{suffix}", f"{BASE}/acceptance{suffix}"]


def _purpose(request: Request[Any, Any, Any]) -> PanelPurpose:
    return PanelPurpose.ACCEPTANCE if "/acceptance" in request.url.path else PanelPurpose.BID


async def _drawn_panel(db: AsyncSession, challenge: Challenge, purpose: PanelPurpose) -> Panel:
    panel = await service.panel_of(db, challenge.id, purpose)
    if panel is None:
        raise DomainError(_("还没有公布抽取承诺"))
    return panel


async def _organizer_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor,
                          challenge_id: int, refused: Refusal, values: dict[str, str]) -> Response[str]:
    from arena.review.routes_organizer import _page

    return await _page(request, db, clock, actor, challenge_id, refused.errors, refused.message, values)


def _done(challenge_id: int, purpose: PanelPurpose, done: str, anchor: str) -> str:
    return f"/organizer/challenges/{challenge_id}/{service.page_of(purpose)}?done={done}{anchor}"


@post(_paths("/due"), opt=ORGANIZER)
async def set_due(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    purpose = _purpose(request)
    form = await read_form(request)
    values = {"due_on": form.raw("due_on"), "due_reason": form.raw("due_reason")}
    async with attempt(db_session) as refused:
        await _drawn_panel(db_session, challenge, purpose)
        due_on = due_dates.parse_due(values["due_on"], clock, required=True)
        assert due_on is not None
        await due_dates.set_due(db_session, clock, actor, challenge, purpose, due_on, values["due_reason"][:2000])
    if refused:
        return await _organizer_page(request, db_session, clock, actor, challenge_id, refused, values)
    return redirect(request, _done(challenge_id, purpose, "due", "#due"))


@post(_paths("/chase/{seat_id:int}"), opt=ORGANIZER)
async def organizer_chase(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                          actor: ActorDep, challenge_id: FromPath[int], seat_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    purpose = _purpose(request)
    await read_form(request)
    async with attempt(db_session) as refused:
        panel = await _drawn_panel(db_session, challenge, purpose)
        await due_dates.chase(db_session, clock, actor, panel, challenge, seat_id, "organizer")
    if refused:
        return await _organizer_page(request, db_session, clock, actor, challenge_id, refused, {})
    return redirect(request, _done(challenge_id, purpose, "chase", "#seats-title"))


@post(_paths("/replace/{seat_id:int}"), opt=ORGANIZER)
async def replace(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int], seat_id: FromPath[int]) -> Response[str]:
    challenge = await service.organizer_challenge(db_session, actor, challenge_id)
    purpose = _purpose(request)
    form = await read_form(request)
    async with attempt(db_session) as refused:
        panel = await _drawn_panel(db_session, challenge, purpose)
        filled = await due_dates.replace(db_session, clock, actor, challenge, panel, seat_id,
                                         form.raw("reason")[:2000])
    if refused:
        return await _organizer_page(request, db_session, clock, actor, challenge_id, refused,
                              {f"replace-{seat_id}": form.raw("reason")})
    return redirect(request, _done(challenge_id, purpose, "replace" if filled else "replaced_no_reserve",
                                   "#seats-title"))


@post("/review/panels/{panel_id:int}/chase/{seat_id:int}", opt=EXPERT)
async def chair_chase(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      panel_id: FromPath[int], seat_id: FromPath[int]) -> Response[str]:
    """The chair (评审组组长) chases a member of their own panel; the same throttle as the organizer's."""
    from arena.review.routes_expert import _panel_page

    panel, challenge = await due_dates.chair_panel(db_session, actor, panel_id)
    await read_form(request)
    async with attempt(db_session) as refused:
        await due_dates.chase(db_session, clock, actor, panel, challenge, seat_id, "expert")
    if refused:
        return await _panel_page(request, db_session, actor, panel_id, refused.errors, refused.message)
    return redirect(request, f"/review/panels/{panel_id}?done=chased#chase")


ROUTES = [set_due, organizer_chase, replace, chair_chase]
