"""The draw's public proof page and the inspector's beacon entry. Thin: rules in panel_draw.py.

Public: `/challenges/{id}/draw` and `/challenges/{id}/acceptance-draw` show every commitment of
the panel (replaced ones with their reason and revealed seed), and once drawn every input,
recomputed here. Inspector: `/inspector/draws` lists the commitments waiting for a beacon; the
inspector enters the published result, which draws at once.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.errors import NotFound
from arena.i18n import gettext as _
from arena.review import panel_draw, service
from arena.review.models import PanelPurpose
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.refusals import attempt
from arena.web.templating import render

INSPECTOR = {"roles": {Role.INSPECTOR}}


def public_path(challenge_id: int, purpose: PanelPurpose | str) -> str:
    tail = "acceptance-draw" if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE else "draw"
    return f"/challenges/{challenge_id}/{tail}"


@get(["/challenges/{challenge_id:int}/draw", "/challenges/{challenge_id:int}/acceptance-draw"])
async def draw_verification(request: Request[Any, Any, Any], db_session: DbSession,
                            challenge_id: FromPath[int]) -> Response[str]:
    """Public: every commitment, and for each drawn one its inputs and result, recomputed here."""
    challenge = await service.public_challenge(db_session, challenge_id)
    purpose = PanelPurpose.ACCEPTANCE if request.url.path.endswith("acceptance-draw") else PanelPurpose.BID
    panel, proofs, problems = await panel_draw.proof(db_session, challenge.id, purpose)
    return render(request, "review/draw.html", {
        "challenge": challenge, "panel": panel, "proofs": proofs, "problems": problems, "purpose": purpose.value,
        "drawn": any(p.row.drawn_at for p in proofs), "done": request.query_params.get("done")})


@get("/inspector/draws", opt=INSPECTOR)
async def waiting(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Response[str]:
    rows = await panel_draw.waiting_for_beacon(db_session, clock)
    return render(request, "review/beacon_list.html", {"rows": rows, "today": clock.today()})


async def _beacon_page(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, challenge_id: int,
                       purpose: PanelPurpose, errors: dict[str, str] | None = None, refusal: str | None = None,
                       value: str = "") -> Response[str]:
    challenge = await service.public_challenge(db, challenge_id)
    panel = await service.panel_of(db, challenge.id, purpose)
    made = await panel_draw.open_commitment(db, panel) if panel is not None else None
    if panel is None or made is None:
        raise NotFound(_("该榜单没有待录入公开随机源的抽取承诺"))
    return render(request, "review/beacon.html", {
        "challenge": challenge, "panel": panel, "made": made, "purpose": purpose.value,
        "today": clock.today(), "errors": errors or {}, "refusal": refusal, "value": value,
        "public": public_path(challenge.id, purpose)}, status_code=400 if (errors or refusal) else 200)


def _purpose(raw: str) -> PanelPurpose:
    if raw not in {p.value for p in PanelPurpose}:
        raise NotFound(_("该榜单没有待录入公开随机源的抽取承诺"))
    return PanelPurpose(raw)


@get("/inspector/draws/{challenge_id:int}/{purpose:str}", opt=INSPECTOR)
async def beacon_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      challenge_id: FromPath[int], purpose: FromPath[str]) -> Response[str]:
    return await _beacon_page(request, db_session, clock, challenge_id, _purpose(purpose))


@post("/inspector/draws/{challenge_id:int}/{purpose:str}", opt=INSPECTOR)
async def enter_beacon(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       challenge_id: FromPath[int], purpose: FromPath[str]) -> Response[str]:
    """The inspector enters the published result; the draw happens in this request."""
    kind = _purpose(purpose)
    form = await read_form(request)
    value = form.raw("beacon")
    challenge = await service.public_challenge(db_session, challenge_id)
    async with attempt(db_session) as refused:
        await panel_draw.draw_panel(db_session, clock, actor, challenge, value, kind)
    if refused:
        return await _beacon_page(request, db_session, clock, challenge_id, kind, refused.errors, refused.message,
                                  value)
    return redirect(request, public_path(challenge_id, kind) + "?done=drawn")


ROUTES = [draw_verification, waiting, beacon_page, enter_beacon]
