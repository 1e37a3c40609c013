"""Records in their 公示 (任前公示 / 表彰公示), arranged directly: an accepted project's proposals,
a 组织部门 that decides for the lead's unit, and one record approved into its 公示 as
records.decisions.approve leaves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.clock import DISPLAY_TZ, FrozenClock
from arena.records.models import Record
from arena.units.models import Cadre, OrgDepartment, OrgDepartmentMember
from tests.conftest import fresh
from tests.factories import make_user
from tests.records.factories import accepted

DEPARTMENT = "青禾县委组织部"
SUPERVISION_PHONE = "0571-12380"
CONTACT = "郑受理"
CONTACT_PHONE = "0571-87001234"
ADDRESS = "青禾县人民路 1 号"
DOCUMENT = "青组干〔2026〕15号"


@dataclass
class Notice:
    record_id: int
    challenge_id: int
    project_id: int
    department_id: int
    lead_user_id: int


async def department_over(db: AsyncSession, unit_id: int, username: str = "orgdept_t",
                          name: str = DEPARTMENT) -> OrgDepartment:
    """A department whose scope is rooted at `unit_id`, with one member account (`username`)."""
    department = OrgDepartment(name=name, unit_id=unit_id, supervision_phone=SUPERVISION_PHONE,
                               contact_person=CONTACT, contact_phone=CONTACT_PHONE, address=ADDRESS)
    db.add(department)
    await db.flush()
    user = await make_user(db, username, Role.ORG_DEPT, name="组织部干部")
    db.add(OrgDepartmentMember(org_department_id=department.id, user_id=user.id))
    await db.flush()
    return department


async def in_publicity(db: AsyncSession, clock: FrozenClock, record_type: str = "award_responsibility",
                       days: int = 5) -> Notice:
    """An accepted project's lead record of `record_type`, approved by its department into a 公示
    that ends `days` days from now (at midnight Beijing)."""
    story = await accepted(db, clock)
    project_id = story.project_ids[0]
    await fresh(db)
    record = await db.scalar(select(Record).where(Record.project_id == project_id, Record.recipient == "lead",
                                                  Record.record_type == record_type))
    if record is None:  # the default rules propose an award_responsibility and a priority_promotion
        record = await db.scalar(select(Record).where(Record.project_id == project_id, Record.recipient == "lead"))
        assert record is not None
        record.record_type = record_type
    cadre = await db.get(Cadre, record.cadre_id)
    department = await department_over(db, cadre.unit_id)
    now = clock.now()
    today = now.astimezone(DISPLAY_TZ).date()
    last = today + timedelta(days=days)
    record.org_department_id = department.id
    record.status = "publicity"
    record.document_number, record.document_date = DOCUMENT, today
    record.decided_at = now
    record.publicity_first_day, record.publicity_last_day = today + timedelta(days=1), last
    record.publicity_ends_at = datetime.combine(last + timedelta(days=1), time(0), DISPLAY_TZ)
    await db.commit()
    return Notice(record.id, story.challenge_id, project_id, department.id, cadre.user_id)
