"""The pickers' endpoint: GET /pick/{cadres|experts} answers the list of matches as a fragment
for the input that asked (templates/units/_picker.html). Thin: the rules are in units.picker."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from arena.errors import NotFound
from arena.i18n import gettext as _
from arena.units import picker
from arena.web.deps import ActorDep, DbSession
from arena.web.templating import render

LOGIN = {"login": True}
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@get("/pick/{kind:str}", opt=LOGIN)
async def pick(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
               kind: FromPath[str]) -> Response[str]:
    """`?q=` (or the value of the input named by `field`, as htmx sends it) → at most
    picker.LIMIT matches. An unknown kind, or people asked by someone who may not look them up,
    answers as a missing page (a bidder is not told the pool exists)."""
    if kind not in ("cadres", "experts") or not picker.may_pick(actor, kind):
        raise NotFound(_("你要找的页面不存在，或你无权查看。"))
    params = request.query_params
    field = params.get("field") or ""
    field = field if FIELD_NAME.fullmatch(field) else "q"
    raw = params.get(field) or params.get("q") or ""
    if kind == "cadres":
        matches = await picker.cadres(db_session, raw)
    else:
        matches = await picker.experts(db_session, raw, with_account=params.get("account") == "1")
    return render(request, "units/_picker_results.html", {
        "kind": kind, "matches": matches, "text": picker.query_text(raw), "target": f"f-{field}",
        "limit": picker.LIMIT}, headers={"cache-control": "no-store"})


ROUTES = [pick]
