"""Admin: the unit tree and people (cadres and experts), with Excel import."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.db import begin_write
from arena.errors import FormErrors, NotFound
from arena.i18n import gettext as _
from arena.units import service
from arena.units.importer import (
    MAX_BYTES,
    ImportProblem,
    ImportRejected,
    build_template,
    check_people_file,
    import_people,
    load_reference,
    plan_logins,
)
from arena.units.models import RANK_LABELS, Cadre, Expert, Rank
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.forms import Form
from arena.web.helpers import read_form, redirect
from arena.web.pagination import Page, page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ADMIN = {"roles": {Role.ADMIN}}
NO_STORE = {"cache-control": "no-store"}
KINDS = ("cadre", "expert")
UNITS_PER_PAGE = 50


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


# --- units ------------------------------------------------------------------------------------

async def _units_page(request: Request[Any, Any, Any], db: AsyncSession, page: str | None,
                      values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Response[str]:
    rows = await service.unit_tree(db)
    number = min(page_number(page), max(1, -(-len(rows) // UNITS_PER_PAGE)))
    shown = Page(items=rows[(number - 1) * UNITS_PER_PAGE:number * UNITS_PER_PAGE], number=number,
                 per_page=UNITS_PER_PAGE, total=len(rows))
    options = [(str(row.unit.id), "\u3000" * row.depth + row.unit.name) for row in rows]
    return render(request, "units/units.html", {"rows": shown, "params": {}, "values": values, "errors": errors,
                                                "unit_options": options}, status_code=status_code)


CONTACT_FIELDS = ("supervision_phone", "contact_person", "contact_phone", "address")


def _read_contact(form: Form, data: service.UnitData) -> service.UnitData:
    read = form.contact()
    return replace(data, supervision_phone=read["supervision_phone"], contact_person=read["contact_person"],
                   contact_phone=read["contact_phone"], address=read["address"])


def _read_unit(form: Form) -> service.UnitData:
    code = form.text("code", _("单位代码"), max_length=32)
    name = form.text("name", _("单位名称"), max_length=100)
    raw_parent = form.raw("parent_id").strip()
    parent_id = _int_or_none(raw_parent)
    if raw_parent and parent_id is None:
        form.error("parent_id", _("上级单位无效"))
    if code and not all(ch.isalnum() or ch in "-_" for ch in code):
        form.error("code", _("单位代码只能包含字母、数字、连字符和下划线"))
    for key, value in (("code", code), ("name", name)):
        if "<" in value or ">" in value:
            form.error(key, _("不能包含尖括号"))
    return service.UnitData(code=code, name=name, parent_id=parent_id)


@get("/admin/units", opt=ADMIN)
async def unit_list(request: Request[Any, Any, Any], db_session: DbSession,
                    page: FromQuery[str | None] = None) -> Response[str]:
    return await _units_page(request, db_session, page, {"code": "", "name": "", "parent_id": ""}, {})


@post("/admin/units", opt=ADMIN)
async def create_unit(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    data = _read_unit(form)
    values = {"code": form.raw("code"), "name": form.raw("name"), "parent_id": form.raw("parent_id")}
    async with attempt(db_session, field="code") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        await service.create_unit(db_session, clock, actor, data)
    if refused:
        return await _units_page(request, db_session, None, values, refused.errors, status_code=400)
    return redirect(request, "/admin/units?created=1")


@get("/admin/units/{unit_id:int}", opt=ADMIN)
async def edit_unit_page(request: Request[Any, Any, Any], db_session: DbSession,
                         unit_id: FromPath[int]) -> Response[str]:
    unit = await service.get_unit(db_session, unit_id)
    values = {"code": unit.code, "name": unit.name, "parent_id": str(unit.parent_id or "")} | {
        key: getattr(unit, key) for key in CONTACT_FIELDS}
    return render(request, "units/unit_edit.html", {"unit": unit, "values": values, "errors": {},
                                                    "unit_options": await service.unit_options(db_session)})


@post("/admin/units/{unit_id:int}", opt=ADMIN)
async def update_unit(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      unit_id: FromPath[int]) -> Response[str]:
    unit = await service.get_unit(db_session, unit_id)
    form = await read_form(request)
    data = _read_contact(form, _read_unit(form))
    values = {key: form.raw(key) for key in ("code", "name", "parent_id", *CONTACT_FIELDS)}
    async with attempt(db_session, field="code") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        await service.update_unit(db_session, clock, actor, unit, data)
    if refused:
        unit = await service.get_unit(db_session, unit_id)
        return render(request, "units/unit_edit.html", {"unit": unit, "values": values, "errors": refused.errors,
                                                        "unit_options": await service.unit_options(db_session)},
                      status_code=400)
    return redirect(request, "/admin/units?saved=1")


# --- people -----------------------------------------------------------------------------------

@get("/admin/people", opt=ADMIN)
async def people_list(request: Request[Any, Any, Any], db_session: DbSession, kind: FromQuery[str | None] = None,
                      q: FromQuery[str | None] = None, unit: FromQuery[str | None] = None,
                      rank: FromQuery[str | None] = None, field: FromQuery[str | None] = None,
                      page: FromQuery[str | None] = None) -> Response[str]:
    chosen = kind if kind in KINDS else "cadre"
    flt = service.PeopleFilter(kind=chosen, q=(q or "").strip()[:64], unit_id=_int_or_none(unit),
                               rank=rank if rank in Rank.__members__.values() else None,
                               field_id=_int_or_none(field))
    people = await paginate(db_session, service.people_statement(flt), page_number(page))
    params = {"kind": chosen, "q": flt.q, "unit": unit or "", "rank": flt.rank or "", "field": field or ""}
    return render(request, "units/people.html", {
        "people": people, "params": params, "kind": chosen,
        "unit_options": await service.unit_options(db_session), "rank_options": service.rank_options(),
        "field_options": await service.field_options(db_session),
        "rank_labels": {r.value: _(label) for r, label in RANK_LABELS.items()},
    }, fragment="results")


def _read_person(form: Form, kind: str, today: date) -> service.PersonData:
    code = form.text("code", _("编号"), max_length=32)
    name = form.text("name", _("姓名"), max_length=64)
    unit_id = _int_or_none(form.raw("unit_id").strip())
    if unit_id is None:
        form.error("unit_id", _("请选择单位"))
    raw_fields = form.values("fields")
    field_ids = [int(v) for v in raw_fields if v.isdigit() and len(v) < 12]
    if len(field_ids) != len(raw_fields):
        form.error("fields", _("领域无效"))
    username = form.text("username", _("登录账号"), required=False, max_length=64)
    for key, value in (("code", code), ("name", name)):
        if "<" in value or ">" in value:
            form.error(key, _("不能包含尖括号"))
    if kind == "cadre":
        position = form.text("position", _("职务"), max_length=100)
        rank = form.choice("rank", _("职级"), [r.value for r in Rank])
        born = form.day("birth_date", _("出生日期"))
        if born and not 16 <= (today.year - born.year) <= 80:
            form.error("birth_date", _("出生日期不合理"))
        return service.PersonData(code, name, unit_id, field_ids, username, position=position, rank=rank or None,
                                  birth_date=born, frontline=form.boolean("frontline"))
    title = form.text("title", _("职称"), max_length=64)
    cap = form.integer("annual_panel_cap", _("年度评审上限"), minimum=0, maximum=50)
    return service.PersonData(code, name, unit_id, field_ids, username, title=title, annual_panel_cap=cap)


def _read_login(form: Form) -> service.NewLogin | None:
    """同时创建登录账号: the login name and password as typed; auth's rules check them."""
    if not form.boolean("create_login"):
        return None
    return service.NewLogin(form.raw("new_username").strip()[:200], form.raw("new_password")[:300] or None)


def _person_values(person: Cadre | Expert | None, kind: str) -> dict[str, Any]:
    login = {"create_login": False, "new_username": ""}  # a password is never sent back
    if person is None:
        return {"code": "", "name": "", "unit_id": "", "fields": [], "username": "", "position": "", "rank": "",
                "birth_date": "", "frontline": False, "title": "", "annual_panel_cap": "6"} | login
    values: dict[str, Any] = {"code": person.code, "name": person.name, "unit_id": str(person.unit_id),
                              "fields": [str(f.id) for f in person.fields], "username": ""} | login
    if isinstance(person, Cadre):
        values |= {"position": person.position, "rank": person.rank, "birth_date": person.birth_date.isoformat(),
                   "frontline": person.frontline}
    else:
        values |= {"title": person.title, "annual_panel_cap": str(person.annual_panel_cap)}
    return values


async def _person_page(request: Request[Any, Any, Any], db: AsyncSession, kind: str, person: Cadre | Expert | None,
                       values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Response[str]:
    return render(request, "units/person_form.html", {
        "kind": kind, "person": person, "values": values, "errors": errors,
        "unit_options": await service.unit_options(db), "rank_options": service.rank_options(),
        "field_options": await service.field_options(db),
    }, status_code=status_code)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(_("你要找的页面不存在，或你无权查看。"))
    return kind


async def _username_of(db: AsyncSession, person: Cadre | Expert) -> str:
    from arena.auth.models import User

    if person.user_id is None:
        return ""
    user = await db.get(User, person.user_id)
    return user.username if user else ""


@get("/admin/people/{kind:str}/new", opt=ADMIN)
async def new_person_page(request: Request[Any, Any, Any], db_session: DbSession, kind: FromPath[str]) -> Response[str]:
    return await _person_page(request, db_session, _kind(kind), None, _person_values(None, kind), {})


async def _save(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, actor: ActorDep, kind: str,
                person_id: int | None) -> Response[str]:
    person = await service.get_person(db, kind, person_id) if person_id else None
    form = await read_form(request)
    data = _read_person(form, kind, clock.today())
    values = {key: form.raw(key) for key in _person_values(None, kind)} | {
        "fields": form.values("fields"), "frontline": form.boolean("frontline"),
        "create_login": form.boolean("create_login")}
    async with attempt(db, field="code") as refused:
        saved = await service.save_person(db, clock, actor, kind, data, person, form.errors, _read_login(form))
    if refused:
        person = await service.get_person(db, kind, person_id) if person_id else None
        return await _person_page(request, db, kind, person, values, refused.errors, status_code=400)
    if saved.login is not None and saved.initial_password is not None:
        # The generated password is in this response only: rendered, not redirected to, never cached.
        return render(request, "units/person_login_issued.html", {
            "kind": kind, "person": saved.person, "login": saved.login, "password": saved.initial_password},
            headers=NO_STORE)
    done = "&login=1" if saved.login is not None else ""
    return redirect(request, f"/admin/people?kind={kind}&q={saved.person.code}{done}")


@post("/admin/people/{kind:str}/new", opt=ADMIN)
async def create_person(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                        kind: FromPath[str]) -> Response[str]:
    return await _save(request, db_session, clock, actor, _kind(kind), None)


@get("/admin/people/{kind:str}/{person_id:int}", opt=ADMIN)
async def edit_person_page(request: Request[Any, Any, Any], db_session: DbSession, kind: FromPath[str],
                           person_id: FromPath[int]) -> Response[str]:
    person = await service.get_person(db_session, _kind(kind), person_id)
    values = _person_values(person, kind) | {"username": await _username_of(db_session, person)}
    return await _person_page(request, db_session, kind, person, values, {})


@post("/admin/people/{kind:str}/{person_id:int}", opt=ADMIN)
async def update_person(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                        kind: FromPath[str], person_id: FromPath[int]) -> Response[str]:
    return await _save(request, db_session, clock, actor, _kind(kind), person_id)


# --- import -----------------------------------------------------------------------------------

@get("/admin/people/import-template.xlsx", opt=ADMIN)
async def import_template(db_session: DbSession) -> Response[bytes]:
    units = await service.unit_tree(db_session)
    fields = [name for _id, name in await service.field_options(db_session)]
    example_unit = units[-1].unit.name if units else "示例单位"
    return Response(build_template(example_unit, fields),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": "attachment; filename=\"people-import-template.xlsx\"; "
                                                    "filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"})


@get("/admin/people/import", opt=ADMIN)
async def import_page(request: Request[Any, Any, Any]) -> Response[str]:
    return render(request, "units/import.html", {"problems": None, "outcome": None, "errors": {}})


@post("/admin/people/import", opt=ADMIN)
async def import_upload(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                        actor: ActorDep) -> Response[str]:
    form = await request.form()
    upload = form.get("file")
    problems: list[ImportProblem] | None = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"file": _("请选择要导入的 Excel 文件")}
        return render(request, "units/import.html", {"problems": None, "outcome": None, "errors": errors},
                      status_code=400)
    data = await upload.read(MAX_BYTES + 1)
    try:
        # Read the file holding no write transaction (nothing is written yet): a writer
        # elsewhere (another request, `arena worker`) does not wait on a parse.
        reference = await load_reference(db_session)
        await db_session.commit()
        people = await check_people_file(data, reference, clock)
        # New logins' passwords are hashed here, before the write transaction, one at a time.
        logins = await plan_logins(db_session, people)
        await db_session.commit()
        await begin_write(db_session)
        outcome = await import_people(db_session, clock, actor, people, logins)
    except ImportRejected as exc:
        await db_session.rollback()
        problems = exc.problems
        return render(request, "units/import.html", {"problems": problems, "problem_count": exc.total,
                                                     "outcome": None, "errors": {}}, status_code=400)
    # Initial passwords are in this response only: rendered, not redirected to, never cached.
    return render(request, "units/import.html", {"problems": None, "outcome": outcome.describe(), "errors": {},
                                                 "issued": outcome.issued},
                  headers=NO_STORE if outcome.issued else None)


ROUTES = [unit_list, create_unit, edit_unit_page, update_unit, people_list, import_template, import_page,
          import_upload, new_person_page, create_person, edit_person_page, update_person]
