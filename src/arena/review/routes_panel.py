"""An expert's panel-wide pages beside the sheets: 我的评分一览 (the expert's own scores side by
side) and the chair's 专家组综合意见. Thin: the rules are in review/overview.py and
review/opinion.py; the panel page itself is routes_expert's.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from arena.auth.models import Role
from arena.i18n import gettext as _
from arena.review import opinion, overview
from arena.review.transitions import SHEET_LABELS
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render

EXPERT = {"roles": {Role.EXPERT}}


@get("/review/panels/{panel_id:int}/my-scores", opt={**EXPERT, **KEPT})
async def my_scores(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                    panel_id: FromPath[int]) -> Response[str]:
    """The expert's own sheets of the panel as a table of bids × criteria: only their own scores."""
    found = await overview.my_overview(db_session, actor, panel_id, request.query_params.get("sort", "code"))
    return render(request, "review/overview.html", {
        "o": found, "panel": found.panel, "challenge": found.challenge,
        "sheet_labels": {k.value: _(v) for k, v in SHEET_LABELS.items()}})


@post("/review/panels/{panel_id:int}/opinion", opt=EXPERT)
async def save_opinion(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       panel_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    text = form.raw("opinion")
    async with attempt(db_session) as refused:
        await opinion.save(db_session, clock, actor, panel_id, text)
    if refused:
        from arena.review.routes_expert import _panel_page  # that module lists these routes

        return await _panel_page(request, db_session, actor, panel_id, refused.errors, refused.message,
                                 {"opinion": text})
    return redirect(request, f"/review/panels/{panel_id}?done=opinion#opinion")


ROUTES = [my_scores, save_opinion]
