"""Which 组织部门 decides a waiting record, when none did at its proposal.

A record is matched to a department when it is proposed (records.proposals.departments_of).
One whose cadre no department covered waits with `org_department_id` None: the admin is told
(records.attention) and, once a department covering the cadre's unit is set up, the record is
matched — at once, in the same transaction as the department (records.departments), or with the
button on the list of uncovered records. Only records still waiting for a decision (proposed or
in their hearing) are matched; a record keeps the department it was matched to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.clock import Clock
from arena.errors import PermissionDenied
from arena.i18n import gettext as _
from arena.records import policy
from arena.records.enums import OPEN_STATUSES
from arena.records.models import Record
from arena.records.proposals import departments_of
from arena.units.models import Cadre, Unit


def _uncovered() -> Any:
    return Record.org_department_id.is_(None) & Record.status.in_(sorted(OPEN_STATUSES))


def uncovered_statement() -> Select[*tuple[Any, ...]]:
    """Waiting records that no department decides, oldest first, with what the list shows:
    (Record, Cadre, Unit, Challenge) rows, for arena.pagination.paginate(scalars=False)."""
    return (select(Record, Cadre, Unit, Challenge)
            .join(Cadre, Cadre.id == Record.cadre_id).join(Unit, Unit.id == Cadre.unit_id)
            .join(Challenge, Challenge.id == Record.challenge_id)
            .where(_uncovered()).order_by(Record.proposed_at, Record.id))


def uncovered_count() -> Select[Any]:
    """How many waiting records no department decides (one scalar)."""
    return select(func.count()).select_from(Record).where(_uncovered())


async def assign_departments(db: AsyncSession, clock: Clock, actor: Actor) -> int:
    """Match every waiting record without a department to the department nearest above its
    cadre's unit, auditing each ("record.assign"); returns how many were matched. Records that
    still no department covers stay as they are. Three queries, then one write per match."""
    if not (actor.is_system or policy.may_assign(actor)):
        raise PermissionDenied(_("只有系统管理员可以为结果运用建议匹配组织部门。"))
    await db.flush()  # a department created in this transaction counts
    waiting = list((await db.scalars(select(Record).where(_uncovered()).order_by(Record.id))).all())
    if not waiting:
        return 0
    found = await departments_of(db, {record.cadre_id for record in waiting})
    matched = 0
    for record in waiting:
        department = found.get(record.cadre_id)
        if department is None:
            continue
        record.org_department_id = department
        await audit.record(db, clock, actor, "admin", "record.assign", "record", record.id,
                           {"department": department})
        matched += 1
    return matched
