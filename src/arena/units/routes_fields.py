"""Admin: the list of fields (领域) — add and rename (arena.units.fields)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.units import fields
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.pagination import Page, page_number
from arena.web.refusals import attempt
from arena.web.templating import render

ADMIN = {"roles": {Role.ADMIN}}
PER_PAGE = 50


async def _list_page(request: Request[Any, Any, Any], db: AsyncSession, page: str | None, values: dict[str, str],
                     errors: dict[str, str], status_code: int = 200) -> Response[str]:
    rows = await fields.field_rows(db)
    number = min(page_number(page), max(1, -(-len(rows) // PER_PAGE)))
    shown = Page(items=rows[(number - 1) * PER_PAGE:number * PER_PAGE], number=number, per_page=PER_PAGE,
                 total=len(rows))
    return render(request, "units/fields.html", {"rows": shown, "params": {}, "values": values, "errors": errors},
                  status_code=status_code)


@get("/admin/fields", opt=ADMIN)
async def field_list(request: Request[Any, Any, Any], db_session: DbSession,
                     page: FromQuery[str | None] = None) -> Response[str]:
    return await _list_page(request, db_session, page, {"name": ""}, {})


@post("/admin/fields", opt=ADMIN)
async def create_field(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                       actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    name = form.raw("name")[:200]
    async with attempt(db_session, field="name") as refused:
        await fields.create_field(db_session, clock, actor, name)
    if refused:
        return await _list_page(request, db_session, None, {"name": name}, refused.errors, status_code=400)
    return redirect(request, "/admin/fields?created=1")


@get("/admin/fields/{field_id:int}", opt=ADMIN)
async def edit_field_page(request: Request[Any, Any, Any], db_session: DbSession,
                          field_id: FromPath[int]) -> Response[str]:
    field = await fields.get_field(db_session, field_id)
    return render(request, "units/field_edit.html", {"field": field, "values": {"name": field.name}, "errors": {}})


@post("/admin/fields/{field_id:int}", opt=ADMIN)
async def rename_field(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       field_id: FromPath[int]) -> Response[str]:
    field = await fields.get_field(db_session, field_id)
    form = await read_form(request)
    name = form.raw("name")[:200]
    async with attempt(db_session, field="name") as refused:
        renamed = await fields.rename_field(db_session, clock, actor, field, name)
    if refused:
        field = await fields.get_field(db_session, field_id)
        return render(request, "units/field_edit.html", {"field": field, "values": {"name": name},
                                                         "errors": refused.errors}, status_code=400)
    return redirect(request, "/admin/fields?renamed=1" if renamed else "/admin/fields")


ROUTES = [field_list, create_field, edit_field_page, rename_field]
