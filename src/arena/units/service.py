"""The admin's rules for units (单位) and people (cadres and experts).

Every change writes one audit event with what changed, in the caller's transaction. Units form
a tree: a unit may not become its own ancestor. Nothing here deletes: people and units are
referred to by bids, panels and records, so they are edited, not removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.auth import passwords
from arena.auth import service as accounts
from arena.auth.models import Role, User
from arena.clock import Clock
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.units.models import RANK_LABELS, Cadre, Expert, Field, Rank, Unit, cadre_field, expert_field

register_actions({
    "unit.create": lazy("新增单位"),
    "unit.update": lazy("修改单位"),
    "cadre.update": lazy("修改干部信息"),
    "expert.update": lazy("修改专家信息"),
    "expert.fields": lazy("修改专家领域"),
    "people.import": lazy("批量导入人员"),
})


# --- units ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    depth: int
    cadres: int
    experts: int


async def unit_tree(db: AsyncSession) -> list[UnitRow]:
    """Every unit in tree order (parents before children, siblings by name), with head counts.

    Three queries whatever the size: the units, then cadre and expert counts per unit."""
    units = list((await db.scalars(select(Unit).order_by(Unit.name))).all())
    cadres = dict((await db.execute(select(Cadre.unit_id, func.count()).group_by(Cadre.unit_id))).tuples().all())
    experts = dict((await db.execute(select(Expert.unit_id, func.count()).group_by(Expert.unit_id))).tuples().all())
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    rows: list[UnitRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            rows.append(UnitRow(unit, depth, cadres.get(unit.id, 0), experts.get(unit.id, 0)))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


async def unit_options(db: AsyncSession) -> list[tuple[str, str]]:
    """(id, indented name) pairs for a <select>, in tree order."""
    return [(str(row.unit.id), "\u3000" * row.depth + row.unit.name) for row in await unit_tree(db)]


async def get_unit(db: AsyncSession, unit_id: int) -> Unit:
    unit = await db.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_("单位不存在"))
    return unit


@dataclass(frozen=True)
class UnitData:
    code: str
    name: str
    parent_id: int | None
    # 公示与监督 (the edit form only; a new unit starts with none): printed on the unit's notices
    supervision_phone: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    address: str = ""

    def values(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "parent_id": self.parent_id,
                "supervision_phone": self.supervision_phone, "contact_person": self.contact_person,
                "contact_phone": self.contact_phone, "address": self.address}


async def _check_unit(db: AsyncSession, data: UnitData, unit: Unit | None) -> None:
    errors: dict[str, str] = {}
    own_id = unit.id if unit else None
    same = await db.execute(select(Unit.code, Unit.name).where(or_(Unit.code == data.code, Unit.name == data.name),
                                                               Unit.id != (own_id or 0)))
    for code, name in same.all():
        if code == data.code:
            errors["code"] = _("单位代码“{code}”已被使用").format(code=data.code)
        if name == data.name:
            errors["name"] = _("已有名为“{name}”的单位").format(name=data.name)
    if data.parent_id is not None:
        if await db.get(Unit, data.parent_id) is None:
            errors["parent_id"] = _("上级单位不存在")
        elif own_id is not None and own_id in await _ancestors(db, data.parent_id):
            errors["parent_id"] = _("不能把单位移到它自己或它的下级单位之下")
    if errors:
        raise FormErrors(errors)


async def _ancestors(db: AsyncSession, unit_id: int) -> set[int]:
    """The unit and every unit above it."""
    parents = dict((await db.execute(select(Unit.id, Unit.parent_id))).tuples().all())
    found: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


async def create_unit(db: AsyncSession, clock: Clock, actor: Actor, data: UnitData) -> Unit:
    await _check_unit(db, data, None)
    unit = Unit(code=data.code, name=data.name, parent_id=data.parent_id)
    db.add(unit)
    await db.flush()
    await audit.record(db, clock, actor, "admin", "unit.create", "unit", unit.id,
                       {"code": data.code, "name": data.name, "parent_id": data.parent_id})
    return unit


async def update_unit(db: AsyncSession, clock: Clock, actor: Actor, unit: Unit, data: UnitData) -> None:
    await _check_unit(db, data, unit)
    values = data.values()
    changes = _diff(unit, values)
    if not changes:
        return
    for key, value in values.items():
        setattr(unit, key, value)
    await audit.record(db, clock, actor, "admin", "unit.update", "unit", unit.id, {"changes": changes})


def _diff(obj: Any, values: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {key: {"before": str(getattr(obj, key)), "after": str(value)}
            for key, value in values.items() if getattr(obj, key) != value}


# --- people -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeopleFilter:
    kind: str  # "cadre" or "expert"
    q: str = ""
    unit_id: int | None = None
    rank: str | None = None
    field_id: int | None = None


def people_statement(flt: PeopleFilter) -> Select[Any]:
    """Cadres or experts matching the filter, with unit and fields loaded (no N+1)."""
    model: type[Cadre] | type[Expert] = Cadre if flt.kind == "cadre" else Expert
    stmt = select(model).options(selectinload(model.unit), selectinload(model.fields)).order_by(model.code)
    if flt.q:
        pattern = f"%{flt.q}%"
        stmt = stmt.where(or_(model.name.like(pattern), model.code.like(pattern)))
    if flt.unit_id:
        stmt = stmt.where(model.unit_id == flt.unit_id)
    if flt.rank and flt.kind == "cadre":
        stmt = stmt.where(Cadre.rank == flt.rank)
    if flt.field_id:
        link = cadre_field if flt.kind == "cadre" else expert_field
        owner = link.c.cadre_id if flt.kind == "cadre" else link.c.expert_id
        stmt = stmt.where(model.id.in_(select(owner).where(link.c.field_id == flt.field_id)))
    return stmt


async def field_options(db: AsyncSession) -> list[tuple[str, str]]:
    return [(str(f.id), f.name) for f in (await db.scalars(select(Field).order_by(Field.id))).all()]


async def get_person(db: AsyncSession, kind: str, person_id: int) -> Cadre | Expert:
    model: type[Cadre] | type[Expert] = Cadre if kind == "cadre" else Expert
    person: Cadre | Expert | None = await db.scalar(
        select(model).where(model.id == person_id).options(selectinload(model.fields), selectinload(model.unit)))
    if person is None:
        raise NotFound(_("人员不存在"))
    return person


@dataclass(frozen=True)
class PersonData:
    """A cadre's or an expert's fields, as read from the form (kind-specific ones may be None)."""

    code: str
    name: str
    unit_id: int | None
    field_ids: list[int]
    username: str
    position: str = ""
    rank: str | None = None
    birth_date: date | None = None
    frontline: bool = False
    title: str = ""
    annual_panel_cap: int | None = None


@dataclass(frozen=True)
class NewLogin:
    """A login to create with the person (同时创建登录账号); no password: one is generated."""

    username: str
    password: str | None


@dataclass(frozen=True)
class SavedPerson:
    person: Cadre | Expert
    login: User | None = None  # created with the person
    initial_password: str | None = None  # generated: shown once, never stored in clear


ROLE_OF_KIND = {"cadre": Role.CADRE, "expert": Role.EXPERT}
# what auth's account rules call a field → the person form's field
LOGIN_FIELDS = {"username": "new_username", "password": "new_password", "display_name": "name",
                "roles": "new_username"}


def new_account(kind: str, name: str, login: NewLogin) -> accounts.NewAccount:
    return accounts.NewAccount(login.username, name, frozenset({ROLE_OF_KIND[kind]}), login.password)


async def _check_person(db: AsyncSession, kind: str, data: PersonData, person: Cadre | Expert | None,
                        errors: dict[str, str]) -> tuple[list[Field], int | None]:
    model: type[Cadre] | type[Expert] = Cadre if kind == "cadre" else Expert
    own_id = person.id if person else 0
    if data.code and await db.scalar(select(model.id).where(model.code == data.code, model.id != own_id)):
        errors["code"] = _("编号“{code}”已被使用").format(code=data.code)
    if data.unit_id is not None and await db.get(Unit, data.unit_id) is None:
        errors["unit_id"] = _("单位不存在")
    fields = list((await db.scalars(select(Field).where(Field.id.in_(data.field_ids)))).all()) if data.field_ids else []
    if len(fields) != len(set(data.field_ids)):
        errors["fields"] = _("领域无效")
    elif kind == "expert" and not fields:
        errors["fields"] = _("请至少选择一个领域")
    user_id = None
    if data.username:
        user_id = await db.scalar(select(User.id).where(func.lower(User.username) == data.username.lower()))
        if user_id is None:
            errors["username"] = _("没有名为“{name}”的账号").format(name=data.username)
        elif await db.scalar(select(model.id).where(model.user_id == user_id, model.id != own_id)):
            errors["username"] = _("该账号已关联其他人员")
    if errors:
        raise FormErrors(errors)
    return fields, user_id


def _person_values(kind: str, data: PersonData, user_id: int | None) -> dict[str, Any]:
    values: dict[str, Any] = {"code": data.code, "name": data.name, "unit_id": data.unit_id, "user_id": user_id}
    if kind == "cadre":
        values |= {"position": data.position, "rank": data.rank, "birth_date": data.birth_date,
                   "frontline": data.frontline}
    else:
        values |= {"title": data.title, "annual_panel_cap": data.annual_panel_cap}
    return values


async def _login_errors(db: AsyncSession, kind: str, data: PersonData, person: Cadre | Expert | None,
                        login: NewLogin) -> dict[str, str]:
    """auth's own account rules (name, uniqueness, password), named by the person form's fields."""
    errors: dict[str, str] = {}
    if data.username:
        errors["new_username"] = _("关联已有账号与新建账号只能选一种：请清空“关联已有账号”或取消新建")
    elif person is not None and person.user_id is not None:
        errors["new_username"] = _("此人已关联登录账号，不能再新建")
    for key, message in (await accounts.account_errors(db, new_account(kind, data.name or "-", login))).items():
        errors.setdefault(LOGIN_FIELDS.get(key, "new_username"), message)
    return errors


async def save_person(db: AsyncSession, clock: Clock, actor: Actor, kind: str, data: PersonData,
                      person: Cadre | Expert | None, form_errors: dict[str, str],
                      login: NewLogin | None = None) -> SavedPerson:
    """Create (person None) or update a cadre or expert; `form_errors` are those the form found.

    With `login`, the person's account is created in the same transaction (both audited), by
    auth's rules: every problem of either is reported together and nothing is written."""
    errors = dict(form_errors)
    if login is not None:
        errors |= {k: v for k, v in (await _login_errors(db, kind, data, person, login)).items() if k not in errors}
    fields, user_id = await _check_person(db, kind, data, person, errors)
    created_login, generated = None, None
    if login is not None:
        generated = None if login.password else passwords.initial_password()
        created_login = await accounts.create_user(db, clock, actor, new_account(
            kind, data.name, NewLogin(login.username, login.password or generated)))
        user_id = created_login.id
    values = _person_values(kind, data, user_id)
    if person is None:
        model: type[Cadre] | type[Expert] = Cadre if kind == "cadre" else Expert
        created = model(**values)
        created.fields = fields
        db.add(created)
        await db.flush()
        summary: dict[str, Any] = {"code": data.code} | ({"login": login.username} if login else {})
        await audit.record(db, clock, actor, "admin", f"{kind}.create", kind, created.id, summary)
        return SavedPerson(created, created_login, generated)
    changes = _diff(person, values)
    before, after = sorted(f.name for f in person.fields), sorted(f.name for f in fields)
    if before != after:
        changes["fields"] = {"before": "、".join(before), "after": "、".join(after)}
    if changes:
        for key, value in values.items():
            setattr(person, key, value)
        person.fields = fields
        await audit.record(db, clock, actor, "admin", f"{kind}.update", kind, person.id, {"changes": changes})
    return SavedPerson(person, created_login, generated)


async def set_expert_fields(db: AsyncSession, clock: Clock, actor: Actor, expert_id: int, field_ids: set[int]) -> None:
    """An expert's fields (领域), at least one, with the before and after in the audit event (the
    caller has checked who may: review.pool lets an expert set their own)."""
    expert = await db.scalar(select(Expert).where(Expert.id == expert_id).options(selectinload(Expert.fields)))
    if expert is None:
        raise NotFound(_("没有找到这位专家"))
    wanted = {i for i in field_ids if valid_id(i)}  # an id no table can hold matches nothing
    fields = list((await db.scalars(select(Field).where(Field.id.in_(wanted)))).all()) if wanted else []
    if not fields:
        raise DomainError(_("请至少选择一个领域"))
    before = sorted(f.name for f in expert.fields)
    expert.fields = fields
    await audit.record(db, clock, actor, "expert", "expert.fields", "expert", expert.id,
                       {"before": before, "after": sorted(f.name for f in fields)})


def rank_options() -> list[tuple[str, str]]:
    return [(rank.value, _(RANK_LABELS[rank])) for rank in Rank]
