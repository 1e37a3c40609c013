"""Route guards: login required, and the roles a route is for.

A route declares `opt={"roles": {Role.ADMIN}}` (any of the listed roles may enter) or
`opt={"login": True}`. Object-level checks live in each area's policy module.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from arena.errors import LoginRequired, NotFound, PermissionDenied
from arena.i18n import gettext as _

MAX_ID = 2**31 - 1
"""The largest id a table holds (PostgreSQL INTEGER): a larger number in a path names nothing."""


async def admit(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The site's one guard. `async` on purpose: Litestar runs a plain function guard in its
    thread pool, a round trip through a worker thread and the event loop for every request, and
    copies the handler for each guard it calls (py-spy on a worker under the autosave bench: some
    5% of its samples were in that thread)."""
    ids_in_range(connection)
    require_login(connection, handler)


def ids_in_range(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """An `{x:int}` path segment too large for the database answers 404, not a 500 from the
    driver (issue 26: /admin/units/999…9 overflowed SQLite's integer)."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            raise NotFound(_("你要找的页面不存在，或你无权查看。"))


def require_login(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    roles = handler.opt.get("roles")
    if not roles and not handler.opt.get("login"):
        return
    actor = connection.state.get("actor")
    if actor is None:
        raise LoginRequired
    if roles and not actor.has(*roles):
        raise PermissionDenied(_("你没有访问此页面的权限"))
