"""Admin: accounts and their roles, password resets."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth import service
from arena.auth.models import ROLE_LABELS, Role, User, UserRole
from arena.errors import FormErrors
from arena.i18n import gettext as _
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ADMIN = {"roles": {Role.ADMIN}}

def role_options() -> list[tuple[str, str]]:
    return [(role.value, _(ROLE_LABELS[role])) for role in Role]


@get("/admin/users", opt=ADMIN)
async def user_list(request: Request[Any, Any, Any], db_session: DbSession, q: FromQuery[str | None] = None,
                    role: FromQuery[str | None] = None, no_password: FromQuery[str | None] = None,
                    page: FromQuery[str | None] = None) -> Response[str]:
    stmt = select(User).order_by(User.username)
    if q:
        pattern = f"%{q.strip()[:64]}%"
        stmt = stmt.where(or_(User.username.ilike(pattern), User.display_name.like(pattern)))
    if role in Role.__members__.values():
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if no_password:
        stmt = stmt.where(User.password_hash.is_(None))
    users = await paginate(db_session, stmt, page_number(page))
    params = {"q": q, "role": role, "no_password": no_password}
    return render(request, "admin/users.html", {"users": users, "params": params, "roles": role_options(),
                                                "role_labels": {r.value: _(ROLE_LABELS[r]) for r in Role}},
                  fragment="results")


def _account_context(form_values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"values": form_values, "errors": errors, "roles": role_options()}


@get("/admin/users/new", opt=ADMIN)
async def new_user_page(request: Request[Any, Any, Any]) -> Response[str]:
    values = {"username": "", "display_name": "", "roles": []}
    return render(request, "admin/user_new.html", _account_context(values, {}))


@post("/admin/users/new", opt=ADMIN)
async def create_user(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    username, display_name = form.raw("username").strip(), form.raw("display_name").strip()
    roles = list(form.values("roles"))
    values: dict[str, object] = {"username": username, "display_name": display_name, "roles": roles}
    password = form.raw("password")
    async with attempt(db_session, field="username") as refused:
        known = frozenset(Role(r) for r in roles if r in Role.__members__.values())
        account = service.NewAccount(username, display_name, known, password or None)
        if len(account.roles) != len(roles):
            raise FormErrors({"roles": _("角色无效")})
        user = await service.create_user(db_session, clock, actor, account)
    if refused:
        return render(request, "admin/user_new.html", _account_context(values, refused.errors), status_code=400)
    return redirect(request, f"/admin/users/{user.id}?created=1")


@get("/admin/users/{user_id:int}", opt=ADMIN)
async def edit_user_page(request: Request[Any, Any, Any], db_session: DbSession, user_id: FromPath[int],
                         created: FromQuery[str | None] = None, reset: FromQuery[str | None] = None) -> Response[str]:
    user = await service.get_user(db_session, user_id)
    values = {"display_name": user.display_name, "roles": [r.role for r in user.roles],
              "is_active": user.is_active, "email": user.email or ""}
    return render(request, "admin/user_edit.html", {"user": user, "values": values, "errors": {},
                                                    "roles": role_options(), "created": created, "reset": reset,
                                                    "reset_errors": {}})


@post("/admin/users/{user_id:int}", opt=ADMIN)
async def update_user(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      user_id: FromPath[int]) -> Response[str]:
    user = await service.get_user(db_session, user_id)
    form = await read_form(request)
    display_name, roles, is_active = form.raw("display_name"), list(form.values("roles")), form.boolean("is_active")
    email = form.raw("email")[:254]
    values: dict[str, object] = {"display_name": display_name, "roles": roles, "is_active": is_active,
                                 "email": email}
    async with attempt(db_session, field="display_name") as refused:
        await service.update_user(db_session, clock, actor, user, display_name, roles, is_active, email)
    if refused:  # the rollback expired `user`: load it again, unchanged, for the form
        user = await service.get_user(db_session, user_id)
        return render(request, "admin/user_edit.html", {"user": user, "values": values, "errors": refused.errors,
                                                        "roles": role_options(), "created": None, "reset": None,
                                                        "reset_errors": {}}, status_code=400)
    if not is_active:
        await request.app.state.session_store.revoke_all(db_session, user.id, clock.now())
    return redirect(request, "/admin/users")


@post("/admin/users/{user_id:int}/password", opt=ADMIN)
async def reset_password(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         user_id: FromPath[int]) -> Response[str]:
    user = await service.get_user(db_session, user_id)
    form = await read_form(request)
    async with attempt(db_session, field="password") as refused:
        await service.set_password(db_session, clock, actor, user, form.raw("password"), by_admin=True)
    if refused:
        user = await service.get_user(db_session, user_id)
        values = {"display_name": user.display_name, "roles": [r.role for r in user.roles],
                  "is_active": user.is_active, "email": user.email or ""}
        return render(request, "admin/user_edit.html", {"user": user, "values": values, "errors": {},
                                                        "roles": role_options(), "created": None, "reset": None,
                                                        "reset_errors": refused.errors}, status_code=400)
    await request.app.state.session_store.revoke_all(db_session, user.id, clock.now())
    return redirect(request, f"/admin/users/{user.id}?reset=1")


async def count_by_role(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(UserRole.role, func.count()).group_by(UserRole.role))
    return {role: count for role, count in rows.all()}


ROUTES = [user_list, new_user_page, create_user, edit_user_page, update_user, reset_password]
