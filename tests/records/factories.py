"""Stories that end in an outcome records react to: an accepted project (graded by the
acceptance scores given), an eliminated horse-race team, an excused milestone."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role, User
from arena.clock import FrozenClock
from arena.execution.models import Project
from arena.records.models import Record
from arena.review.models import PanelPurpose
from arena.units.models import OrgDepartment, OrgDepartmentMember, Unit
from tests.conftest import fresh
from tests.execution.factories import Story, awarded, score_panel
from tests.factories import make_user

EXCELLENT = ("55", "37")  # 92 of 100 on the acceptance rubric (60/40)
UNQUALIFIED = ("25", "15")  # 40


async def departments(db: AsyncSession, username: str = "orgdept", units: list[int] | None = None, *,
                      publicity_days: int = 5, hearing_days: int = 5) -> User:
    """An account (`username`, Role.ORG_DEPT) acting for 组织部门 rooted at `units` — by default
    every unit with no parent, so they decide for every cadre there is (one department each)."""
    if units is None:
        units = list((await db.scalars(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))).all())
    user = await make_user(db, username, Role.ORG_DEPT, name=f"组织部{username}")
    for unit_id in units:
        department = OrgDepartment(name=f"{username}·组织部{unit_id}", unit_id=unit_id,
                                   publicity_days=publicity_days, hearing_days=hearing_days,
                                   supervision_phone="0571-12380", contact_person="郑受理")
        db.add(department)
        await db.flush()
        db.add(OrgDepartmentMember(org_department_id=department.id, user_id=user.id))
    await db.flush()
    return user


async def accepted(db: AsyncSession, clock: FrozenClock, scores: tuple[str, str] = EXCELLENT, *,
                   department: str | None = None) -> Story:
    """A single-winner challenge whose project (lead1, with `member` on the team) is accepted.
    With `department`, an account of that name acts for 组织部门 covering every unit before the
    acceptance, so the proposals wait for it (`departments`)."""
    story = await awarded(db, clock)
    if department:
        await departments(db, department)
        await db.commit()
    await fresh(db)  # the challenge as stored, with its acceptance rubric
    bid_id = (await db.get(Project, story.project_ids[0])).bid_id
    await score_panel(db, clock, story.challenge_id, {bid_id: scores}, PanelPurpose.ACCEPTANCE)
    return story


async def records_of(db: AsyncSession, project_id: int) -> list[SimpleNamespace]:
    """The project's records as plain values (they outlive `fresh(db)`)."""
    await db.rollback()  # a fresh snapshot (SQLite)
    found = (await db.scalars(select(Record).where(Record.project_id == project_id).order_by(Record.id))).all()
    return [SimpleNamespace(id=r.id, cadre_id=r.cadre_id, recipient=r.recipient, record_type=r.record_type,
                            status=r.status, facts=r.facts, trigger=r.trigger,
                            org_department_id=r.org_department_id) for r in found]


async def in_force(db: AsyncSession, clock: FrozenClock, project_id: int, day: str | None = None,
                   username: str = "orgdept") -> None:
    """Every proposal of the project decided by `username`'s department through records.decisions
    (promotions and awards approved into their 公示, an exemption decided), then the 公示 over
    and the worker's pass run: they are in force, awards with their certificates. The clock ends
    a day after the 公示; log in again afterwards."""
    from arena.auth.service import actor_for
    from arena.records import decisions, notices, policy

    await db.rollback()
    department = actor_for(await db.scalar(select(User).where(User.username == username)))
    day = day or clock.today().isoformat()
    found = (await db.scalars(select(Record).where(Record.project_id == project_id, Record.status == "proposed")
                              .order_by(Record.id))).all()
    for record in found:
        path = policy.path_of(record.record_type)
        if path == "publicity":
            await decisions.approve(db, clock, department, record.id, "组干〔2026〕7号", day)
        elif path == "direct":
            await decisions.decide(db, clock, department, record.id, "组干〔2026〕7号", day, "")
    await db.commit()
    ends = [r.publicity_ends_at for r in found if r.publicity_ends_at is not None]
    if ends:
        clock.advance(max(ends) - clock.now() + timedelta(days=1))
        await notices.conclude_due(db, clock)
        await db.commit()
