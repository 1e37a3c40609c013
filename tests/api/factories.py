"""Arranging API tests: tokens issued through the service, records inserted as rows (the records
area's own services are another engineer's; these tests only need rows in a given state)."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.api import service
from arena.api.models import Scope
from arena.auth.models import Role, User
from arena.auth.service import actor_for
from arena.clock import FrozenClock
from arena.records.models import Certificate, Record, RecordStatus, RecordType
from tests.factories import make_user

_seq = itertools.count(1)
ADMIN = "apiadmin"


async def api_admin(db: AsyncSession) -> User:
    found = await db.scalar(select(User).where(User.username == ADMIN))
    return found or await make_user(db, ADMIN, Role.ADMIN, name="接口管理员")


async def issue_token(db: AsyncSession, clock: FrozenClock, *scopes: Scope, name: str | None = None) -> str:
    """A token for a new client with `scopes` (all of them when none are named)."""
    admin = await api_admin(db)
    issued = await service.issue(db, clock, actor_for(admin), name or f"人事系统{next(_seq)}",
                                 [s.value for s in scopes or tuple(Scope)])
    await db.commit()
    return issued.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def add_record(db: AsyncSession, clock: FrozenClock, *, cadre_id: int, challenge_id: int, project_id: int,
                     status: RecordStatus = RecordStatus.EFFECTIVE,
                     record_type: RecordType = RecordType.PRIORITY_PROMOTION,
                     document_date: date | None = date(2026, 12, 1), certificate: str | None = None) -> Record:
    n = next(_seq)
    decided = status is not RecordStatus.PROPOSED
    record = Record(
        proposal_key=f"test:{project_id}:0:{cadre_id}:{n}", cadre_id=cadre_id, challenge_id=challenge_id,
        project_id=project_id, trigger="grade_excellent", recipient="lead", record_type=record_type.value,
        proposed_type=record_type.value, facts="{}", status=status.value, proposed_at=clock.now(),
        document_number=f"江组字〔2026〕{n}号" if status is RecordStatus.EFFECTIVE else None,
        document_date=document_date if status is RecordStatus.EFFECTIVE else None,
        decision_reason="不符合条件" if status is RecordStatus.REJECTED else None,
        decided_at=clock.now() if decided else None,
    )
    db.add(record)
    await db.flush()
    if certificate:
        db.add(Certificate(record_id=record.id, code=certificate, issued_at=clock.now(), content="{}",
                           content_sha256="0" * 64))
        await db.flush()
    return record
