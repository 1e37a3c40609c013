"""Route guards: login required, and the roles a route is for.

A route declares `opt={"roles": {Role.ADMIN}}` (any of the listed roles may enter) or
`opt={"login": True}`. Object-level checks live in each area's policy module.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from arena.errors import PermissionDenied
from arena.i18n import gettext as _


class LoginRequired(Exception):
    """No one is logged in; the web layer redirects to the login page."""


def require_login(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    roles = handler.opt.get("roles")
    if not roles and not handler.opt.get("login"):
        return
    actor = connection.state.get("actor")
    if actor is None:
        raise LoginRequired
    if roles and not actor.has(*roles):
        raise PermissionDenied(_("你没有访问此页面的权限"))
