"""Login, logout, language switch and changing one's own password."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from arena.auth import service
from arena.auth.sessions import SESSION_COOKIE, SESSION_LIFETIME
from arena.i18n import LOCALES
from arena.i18n import gettext as _
from arena.observe.metrics import LOGIN_FAILURES
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import client_address, read_form, redirect, safe_next
from arena.web.limits import login_limit, retry_after, spend
from arena.web.refusals import attempt
from arena.web.templating import render


def _session_cookie(request: Request[Any, Any, Any], token: str, response: Response[Any]) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
        secure=settings.production, samesite="lax", path="/",
    )


@get("/login", name="login")
async def login_page(request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Response[str]:
    if request.state.get("actor") is not None:
        return redirect(request, safe_next(next))
    return render(request, "auth/login.html", {"next": safe_next(next), "username": "", "error": None})


@post("/login")
async def login(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Response[str]:
    form = await read_form(request)
    username = form.raw("username")[:200]
    password = form.raw("password")[:1024]
    target = safe_next(form.raw("next"))
    # Before any password hashing: a flood from one address must not cost us argon2 work.
    decision = await spend(request, login_limit(request), client_address(request))
    if not decision.allowed:
        LOGIN_FAILURES.labels("rate_limited").inc()
        message = _("登录尝试过于频繁，请 {seconds} 秒后再试。").format(seconds=decision.reset)
        return render(request, "auth/login.html", {"next": target, "username": username, "error": message},
                      status_code=429, headers=retry_after(decision))
    async with attempt(db_session) as refused:  # a failure is kept: throttling needs the count
        user = await service.authenticate(db_session, clock, username, password, client_address(request))
    if refused:
        LOGIN_FAILURES.labels("refused").inc()
        return render(request, "auth/login.html", {"next": target, "username": username,
                                                   "error": refused.summary}, status_code=400)
    store = request.app.state.session_store
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await store.revoke(db_session, old, clock.now())
    token = await store.create(db_session, user.id, clock.now(), client_address(request))
    response = redirect(request, target)
    _session_cookie(request, token, response)
    return response


@post("/logout")
async def logout(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Response[str]:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await request.app.state.session_store.revoke(db_session, token, clock.now())
    response = redirect(request, "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/lang/{code:str}")
async def switch_language(request: Request[Any, Any, Any], code: FromPath[str],
                          next: FromQuery[str | None] = None) -> Response[str]:
    response = redirect(request, safe_next(next))
    if code in LOCALES:
        response.set_cookie("arena_lang", code, max_age=365 * 86400, samesite="lax", path="/",
                            secure=request.app.state.settings.production)
    return response


@get("/account/password", opt={"login": True})
async def password_page(request: Request[Any, Any, Any]) -> Response[str]:
    return render(request, "auth/password.html", {"errors": {}, "done": False})


@post("/account/password", opt={"login": True})
async def change_password(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                          actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    user = await service.get_user(db_session, actor.user_id or 0)
    async with attempt(db_session, field="new_password") as refused:  # a wrong password is kept: it counts
        await service.change_own_password(db_session, clock, user, form.raw("current_password"),
                                          form.raw("new_password"), form.raw("confirm"), client_address(request))
    if refused:
        if isinstance(refused.error, service.ReentryRefused):
            LOGIN_FAILURES.labels("reentry").inc()
        return render(request, "auth/password.html", {"errors": refused.errors, "done": False}, status_code=400)
    # Other logins of this account end; this one gets a fresh session id.
    store = request.app.state.session_store
    await store.revoke_all(db_session, user.id, clock.now())
    token = await store.create(db_session, user.id, clock.now(), client_address(request))
    response = render(request, "auth/password.html", {"errors": {}, "done": True})
    _session_cookie(request, token, response)
    return response


ROUTES = [login_page, login, logout, switch_language, password_page, change_password]
