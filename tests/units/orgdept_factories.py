"""Arranging organization departments and records waiting for them, without the whole
challenge story: one challenge and one project per record, rows written directly."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import User
from arena.bids.models import Bid, BidStatus
from arena.execution.models import Project
from arena.records.models import Record, RecordStatus, RecordType
from arena.units.models import Cadre, OrgDepartment, OrgDepartmentMember, Unit
from tests.challenges.public_factories import make_challenge, make_organizer

_seq = itertools.count(1)


async def make_department(db: AsyncSession, root: Unit, *members: User, name: str | None = None) -> OrgDepartment:
    department = OrgDepartment(name=name or f"组织部{next(_seq)}", unit_id=root.id)
    db.add(department)
    await db.flush()
    db.add_all([OrgDepartmentMember(org_department_id=department.id, user_id=user.id) for user in members])
    await db.flush()
    return department


async def make_record(db: AsyncSession, cadre: Cadre, now: datetime, *, status: RecordStatus = RecordStatus.PROPOSED,
                      record_type: RecordType = RecordType.PRIORITY_PROMOTION,
                      department: OrgDepartment | None = None, organizer: User | None = None,
                      title: str | None = None, **columns: object) -> Record:
    """A record about `cadre` on a challenge of its own (an organizer is made when none is given)."""
    n = next(_seq)
    organizer = organizer or await make_organizer(db, f"orgdept-test-org{n}")
    challenge = await make_challenge(db, organizer, title=title or f"测试榜单{n}")
    bid = Bid(challenge_id=challenge.id, lead_id=cadre.id, status=BidStatus.SUBMITTED.value, submitted_at=now,
              number=f"T-{n}")
    db.add(bid)
    await db.flush()
    project = Project(challenge_id=challenge.id, bid_id=bid.id, lead_id=cadre.id, awarded_at=now,
                      awarded_by_id=organizer.id, commitment_content="{}", commitment_sha256="0" * 64)
    db.add(project)
    await db.flush()
    record = Record(proposal_key=f"test:{project.id}:0:{cadre.id}:{n}", cadre_id=cadre.id,
                    challenge_id=challenge.id, project_id=project.id, trigger="grade_excellent", recipient="lead",
                    record_type=record_type.value, proposed_type=record_type.value, facts="{}",
                    status=status.value, proposed_at=now - timedelta(days=1),
                    org_department_id=department.id if department else None, **columns)
    db.add(record)
    await db.flush()
    return record
