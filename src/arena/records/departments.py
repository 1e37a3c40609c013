"""The admin sets up organization departments (组织部门): the root unit of each one's scope, the
contacts printed on its 公示 notices, its 陈述申辩 and 公示 periods, and the accounts that act
for it.

A unit roots at most one department (when departments nest, the nearest above a cadre's unit
decides: arena.units.scope). A member must hold the 组织部门 role: the role says what an account
may do, the membership for which department. Creating or changing a department matches the
waiting records it now covers (records.assignment), in the same transaction. Every change writes
one audit event; nothing here deletes a department (records refer to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor, Role
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.auth.models import User, UserRole
from arena.clock import Clock
from arena.db import valid_id
from arena.errors import FormErrors, NotFound, PermissionDenied
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.records import policy
from arena.records.assignment import assign_departments
from arena.records.enums import OPEN_STATUSES
from arena.records.models import Record
from arena.units.models import OrgDepartment, OrgDepartmentMember, Unit

register_actions({
    "org_department.create": lazy("新增组织部门"),
    "org_department.update": lazy("修改组织部门"),
})

PERIOD_MIN, PERIOD_MAX = 1, 30
"""陈述申辩期 and 公示期, in working days."""
MEMBERS_MAX = 50


@dataclass(frozen=True)
class DepartmentData:
    """A department's fields as read from the form; `members` are usernames."""

    name: str
    unit_id: int | None
    supervision_phone: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    address: str = ""
    hearing_days: int | None = 5
    publicity_days: int | None = 5
    members: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, object]:
        return {"name": self.name, "unit_id": self.unit_id, "supervision_phone": self.supervision_phone,
                "contact_person": self.contact_person, "contact_phone": self.contact_phone,
                "address": self.address, "hearing_days": self.hearing_days, "publicity_days": self.publicity_days}


@dataclass(frozen=True)
class DepartmentRow:
    department: OrgDepartment
    unit_name: str
    members: list[User]
    waiting: int  # records waiting for its decision (proposed or in their hearing)


def _admin(actor: Actor) -> None:
    if not policy.may_assign(actor):
        raise PermissionDenied(_("只有系统管理员可以设置组织部门。"))


async def departments(db: AsyncSession) -> list[DepartmentRow]:
    """Every department by name, with its root unit, members and waiting records: three queries."""
    rows = (await db.execute(select(OrgDepartment, Unit.name).join(Unit, Unit.id == OrgDepartment.unit_id)
                             .order_by(OrgDepartment.name))).tuples().all()
    members: dict[int, list[User]] = {}
    for dept_id, user in (await db.execute(
            select(OrgDepartmentMember.org_department_id, User).join(User, User.id == OrgDepartmentMember.user_id)
            .order_by(User.username))).tuples():
        members.setdefault(dept_id, []).append(user)
    waiting = dict((await db.execute(
        select(Record.org_department_id, func.count()).where(Record.status.in_(sorted(OPEN_STATUSES)),
                                                             Record.org_department_id.is_not(None))
        .group_by(Record.org_department_id))).tuples().all())
    return [DepartmentRow(dept, unit, members.get(dept.id, []), int(waiting.get(dept.id, 0)))
            for dept, unit in rows]


async def get_department(db: AsyncSession, department_id: int) -> OrgDepartment:
    department = await db.get(OrgDepartment, department_id) if valid_id(department_id) else None
    if department is None:
        raise NotFound(_("组织部门不存在"))
    return department


async def member_usernames(db: AsyncSession, department_id: int) -> list[str]:
    return list((await db.scalars(select(User.username).join(
        OrgDepartmentMember, OrgDepartmentMember.user_id == User.id).where(
        OrgDepartmentMember.org_department_id == department_id).order_by(User.username))).all())


async def role_holders(db: AsyncSession) -> list[User]:
    """Accounts holding the 组织部门 role: who may be named a member."""
    return list((await db.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.ORG_DEPT.value).order_by(User.username))).all())


async def _check(db: AsyncSession, data: DepartmentData, own_id: int | None,
                 errors: dict[str, str]) -> dict[str, User]:
    """Field errors found by the form and here, raised together; the members' accounts by name."""
    errors = dict(errors)
    if data.name and await db.scalar(select(OrgDepartment.id).where(
            OrgDepartment.name == data.name, OrgDepartment.id != (own_id or 0))):
        errors.setdefault("name", _("已有名为“{name}”的组织部门").format(name=data.name))
    if data.unit_id is not None:
        unit = await db.get(Unit, data.unit_id) if valid_id(data.unit_id) else None
        if unit is None:
            errors.setdefault("unit_id", _("所选单位不存在"))
        else:
            other = await db.scalar(select(OrgDepartment.name).where(
                OrgDepartment.unit_id == data.unit_id, OrgDepartment.id != (own_id or 0)))
            if other:
                errors.setdefault("unit_id", _(
                    "“{unit}”已是组织部门“{other}”的根单位；一个单位只能是一个组织部门的根单位").format(
                    unit=unit.name, other=other))
    accounts: dict[str, User] = {}
    if len(data.members) > MEMBERS_MAX:
        errors.setdefault("members", _("成员最多 {n} 个").format(n=MEMBERS_MAX))
    elif data.members:
        accounts = {u.username: u for u in (await db.scalars(select(User).where(
            User.username.in_(data.members)))).all()}
        unknown = [name for name in data.members if name not in accounts]
        without_role = [name for name in data.members if name in accounts
                        and Role.ORG_DEPT not in accounts[name].role_set]
        if unknown:
            errors.setdefault("members", _("这些账号不存在：{names}").format(names="、".join(unknown)))
        elif without_role:
            errors.setdefault("members", _("这些账号没有“组织部门”角色：{names}。请先在“账号”中为其勾选该角色").format(
                names="、".join(without_role)))
    if errors:
        raise FormErrors(errors)
    return accounts


async def create_department(db: AsyncSession, clock: Clock, actor: Actor, data: DepartmentData,
                            errors: dict[str, str] | None = None) -> OrgDepartment:
    """A new department; `errors` are the form's own (raised with those found here). Returns it
    after matching the waiting records it now covers."""
    _admin(actor)
    accounts = await _check(db, data, None, errors or {})
    department = OrgDepartment(**data.columns())
    db.add(department)
    await db.flush()
    db.add_all([OrgDepartmentMember(org_department_id=department.id, user_id=accounts[name].id)
                for name in data.members])
    await db.flush()
    await audit.record(db, clock, actor, "admin", "org_department.create", "org_department", department.id,
                       data.columns() | {"members": sorted(data.members)})
    await assign_departments(db, clock, actor)
    return department


async def update_department(db: AsyncSession, clock: Clock, actor: Actor, department: OrgDepartment,
                            data: DepartmentData, errors: dict[str, str] | None = None) -> None:
    """Save what changed (one audit event with before/after), then match the waiting records the
    department now covers. Records already matched keep their department."""
    _admin(actor)
    accounts = await _check(db, data, department.id, errors or {})
    changes = {key: {"before": str(getattr(department, key)), "after": str(value)}
               for key, value in data.columns().items() if getattr(department, key) != value}
    current = {user_id: row for row, user_id in (await db.execute(
        select(OrgDepartmentMember, OrgDepartmentMember.user_id).where(
            OrgDepartmentMember.org_department_id == department.id))).tuples()}
    before = sorted(await member_usernames(db, department.id))
    wanted = {accounts[name].id for name in data.members}
    for user_id, row in current.items():
        if user_id not in wanted:
            await db.delete(row)
    db.add_all([OrgDepartmentMember(org_department_id=department.id, user_id=user_id)
                for user_id in wanted - set(current)])
    if before != sorted(data.members):
        changes["members"] = {"before": "、".join(before), "after": "、".join(sorted(data.members))}
    if not changes:
        return
    for key, value in data.columns().items():
        setattr(department, key, value)
    await db.flush()
    await audit.record(db, clock, actor, "admin", "org_department.update", "org_department", department.id,
                       {"changes": changes})
    await assign_departments(db, clock, actor)
