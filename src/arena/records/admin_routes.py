"""Admin: organization departments (组织部门) and the waiting records no department covers.
Thin: the rules are in records.departments and records.assignment."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.i18n import gettext as _
from arena.records import assignment, departments
from arena.records.departments import PERIOD_MAX, PERIOD_MIN, DepartmentData
from arena.records.labels import RECORD_STATUS_LABELS, RECORD_TYPE_LABELS
from arena.units import service
from arena.units.models import OrgDepartment
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.forms import Form
from arena.web.helpers import read_form, redirect
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ADMIN = {"roles": {Role.ADMIN}}
FIELDS = ("name", "unit_id", "supervision_phone", "contact_person", "contact_phone", "address", "hearing_days",
          "publicity_days", "members")
USERNAME_SPLIT = re.compile(r"[\s,，、;；]+")


def _read(form: Form) -> DepartmentData:
    name = form.line("name", _("名称"), max_length=100)
    raw_unit = form.raw("unit_id").strip()
    unit_id = int(raw_unit) if raw_unit.isdigit() and len(raw_unit) < 12 else None
    if unit_id is None:
        form.error("unit_id", _("请选择根单位") if not raw_unit else _("所选单位不存在"))
    contact = form.contact()
    hearing = form.integer("hearing_days", _("陈述申辩期"), minimum=PERIOD_MIN, maximum=PERIOD_MAX)
    publicity = form.integer("publicity_days", _("公示期"), minimum=PERIOD_MIN, maximum=PERIOD_MAX)
    members = list(dict.fromkeys(n[:64] for n in USERNAME_SPLIT.split(form.raw("members")) if n))
    return DepartmentData(name=name, unit_id=unit_id, hearing_days=hearing, publicity_days=publicity,
                          members=members, **contact)


def _values(department: OrgDepartment | None, members: list[str]) -> dict[str, Any]:
    if department is None:
        return {key: "" for key in FIELDS} | {"hearing_days": "5", "publicity_days": "5"}
    return {key: str(getattr(department, key)) for key in FIELDS if key != "members"} | {
        "members": "\n".join(members)}


async def _form_page(request: Request[Any, Any, Any], db: AsyncSession, department: OrgDepartment | None,
                     values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Response[str]:
    return render(request, "admin/org_department_form.html", {
        "department": department, "values": values, "errors": errors,
        "unit_options": await service.unit_options(db), "holders": await departments.role_holders(db),
        "period_min": PERIOD_MIN, "period_max": PERIOD_MAX}, status_code=status_code)


@get("/admin/org-departments", opt=ADMIN)
async def department_list(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    uncovered = int(await db_session.scalar(assignment.uncovered_count()) or 0)
    return render(request, "admin/org_departments.html", {
        "rows": await departments.departments(db_session), "uncovered": uncovered})


@get("/admin/org-departments/new", opt=ADMIN)
async def new_department_page(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    return await _form_page(request, db_session, None, _values(None, []), {})


async def _save(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, actor: ActorDep,
                department_id: int | None) -> Response[str]:
    department = await departments.get_department(db, department_id) if department_id else None
    form = await read_form(request)
    data = _read(form)
    values = {key: form.raw(key) for key in FIELDS}
    async with attempt(db) as refused:
        if department is None:
            await departments.create_department(db, clock, actor, data, form.errors)
        else:
            await departments.update_department(db, clock, actor, department, data, form.errors)
    if refused:
        department = await departments.get_department(db, department_id) if department_id else None
        return await _form_page(request, db, department, values, refused.errors, status_code=400)
    return redirect(request, "/admin/org-departments?saved=1")


@post("/admin/org-departments/new", opt=ADMIN)
async def create_department(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep) -> Response[str]:
    return await _save(request, db_session, clock, actor, None)


@get("/admin/org-departments/{department_id:int}", opt=ADMIN)
async def edit_department_page(request: Request[Any, Any, Any], db_session: DbSession,
                               department_id: FromPath[int]) -> Response[str]:
    department = await departments.get_department(db_session, department_id)
    members = await departments.member_usernames(db_session, department.id)
    return await _form_page(request, db_session, department, _values(department, members), {})


@post("/admin/org-departments/{department_id:int}", opt=ADMIN)
async def update_department(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, department_id: FromPath[int]) -> Response[str]:
    return await _save(request, db_session, clock, actor, department_id)


# --- records no department covers ---------------------------------------------------------

@get("/admin/records/uncovered", opt=ADMIN)
async def uncovered_records(request: Request[Any, Any, Any], db_session: DbSession,
                            page: FromQuery[str | None] = None) -> Response[str]:
    rows = await paginate(db_session, assignment.uncovered_statement(), page_number(page), scalars=False)
    return render(request, "admin/records_uncovered.html", {
        "rows": rows, "params": {}, "matched": request.query_params.get("matched"),
        "type_labels": {k: _(v) for k, v in RECORD_TYPE_LABELS.items()},
        "status_labels": {k: _(v) for k, v in RECORD_STATUS_LABELS.items()}})


@post("/admin/records/uncovered", opt=ADMIN)
async def match_records(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                        actor: ActorDep) -> Response[str]:
    matched = await assignment.assign_departments(db_session, clock, actor)
    return redirect(request, f"/admin/records/uncovered?matched={matched}")


ROUTES = [department_list, new_department_page, create_department, edit_department_page, update_department,
          uncovered_records, match_records]
