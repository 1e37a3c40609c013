"""Organization departments (组织部门) as the rest of Arena reads them: which department decides
a cadre's records, which departments an account acts for, and which units a department decides
for. The tree walk is pure (arena.units.scope); this module loads the two small maps it needs.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor, Role
from arena.units import scope
from arena.units.models import OrgDepartment, OrgDepartmentMember, Unit


async def unit_parents(db: AsyncSession) -> dict[int, int | None]:
    """unit id → parent id, for every unit (a few hundred rows at most)."""
    return dict((await db.execute(select(Unit.id, Unit.parent_id))).tuples().all())


async def department_roots(db: AsyncSession) -> dict[int, int]:
    """A department's root unit → the department."""
    return dict((await db.execute(select(OrgDepartment.unit_id, OrgDepartment.id))).tuples().all())


async def department_for_unit(db: AsyncSession, unit_id: int) -> int | None:
    """The department that decides records of cadres in `unit_id`: the nearest above it."""
    return scope.covering(unit_id, await unit_parents(db), await department_roots(db))


async def member_of(db: AsyncSession, actor: Actor) -> frozenset[int]:
    """The departments the actor acts for: none unless they hold the 组织部门 role."""
    if actor.user_id is None or not actor.has(Role.ORG_DEPT):
        return frozenset()
    return frozenset((await db.scalars(select(OrgDepartmentMember.org_department_id).where(
        OrgDepartmentMember.user_id == actor.user_id))).all())


async def decided_units(db: AsyncSession, department_id: int) -> frozenset[int]:
    """The units whose cadres `department_id` decides (its subtree less nested departments')."""
    roots = await department_roots(db)
    root = next((unit for unit, dept in roots.items() if dept == department_id), None)
    if root is None:
        return frozenset()
    return scope.units_decided_by(root, await unit_parents(db), roots)


async def scope_units(db: AsyncSession, department_id: int) -> frozenset[int]:
    """Every unit under the department's root (statistics read the whole subtree)."""
    department = await db.get(OrgDepartment, department_id)
    if department is None:
        return frozenset()
    return scope.subtree(department.unit_id, await unit_parents(db))
