"""Admin: API clients for HR systems — the list, issuing a token (shown once), revoking one."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from arena.api import service
from arena.api.errors import API_PREFIX
from arena.auth.models import Role
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.refusals import attempt
from arena.web.templating import render

ADMIN = {"roles": {Role.ADMIN}}
NO_STORE = {"cache-control": "no-store"}


async def _list_page(request: Request[Any, Any, Any], db: DbSession, *, done: str | None = None,
                     refusal: str | None = None) -> Response[str]:
    return render(request, "admin/api_clients.html", {
        "clients": await service.list_clients(db), "scope_labels": dict(service.scope_options()),
        "done": done, "refusal": refusal}, status_code=400 if refusal else 200)


@get("/admin/api-clients", opt=ADMIN)
async def client_list(request: Request[Any, Any, Any], db_session: DbSession,
                      done: FromQuery[str | None] = None) -> Response[str]:
    return await _list_page(request, db_session, done=done)


def _form(request: Request[Any, Any, Any], values: dict[str, Any], errors: dict[str, str],
          status_code: int = 200) -> Response[str]:
    return render(request, "admin/api_client_new.html",
                  {"values": values, "errors": errors, "scopes": service.scope_options(),
                   "name_max": service.NAME_MAX}, status_code=status_code)


@get("/admin/api-clients/new", opt=ADMIN)
async def new_client_page(request: Request[Any, Any, Any]) -> Response[str]:
    return _form(request, {"name": "", "scopes": []}, {})


@post("/admin/api-clients/new", opt=ADMIN)
async def issue_client(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                       actor: ActorDep) -> Response[str]:
    """The token is in this response only: rendered, not redirected to, and never cached."""
    form = await read_form(request)
    values: dict[str, Any] = {"name": form.raw("name")[:500], "scopes": form.values("scopes")}
    async with attempt(db_session, field="name") as refused:
        issued = await service.issue(db_session, clock, actor, form.raw("name"), form.values("scopes"))
    if refused:
        return _form(request, values, refused.errors, status_code=400)
    return render(request, "admin/api_client_issued.html",
                  {"client": issued.client, "token": issued.token, "scope_labels": dict(service.scope_options()),
                   "api_url": request.app.state.settings.public_url.rstrip("/") + API_PREFIX},
                  headers=NO_STORE)


@post("/admin/api-clients/{client_id:int}/revoke", opt=ADMIN)
async def revoke_client(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                        client_id: FromPath[int]) -> Response[str]:
    async with attempt(db_session) as refused:
        await service.revoke(db_session, clock, actor, client_id)
    if refused:
        return await _list_page(request, db_session, refusal=refused.summary)
    return redirect(request, "/admin/api-clients?done=revoked")


ROUTES = [client_list, new_client_page, issue_client, revoke_client]
