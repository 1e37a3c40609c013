"""Stories that end in an outcome records react to: an accepted project (graded by the
acceptance scores given), an eliminated horse-race team, an excused milestone."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.clock import FrozenClock
from arena.execution.models import Project
from arena.records.models import Record
from arena.review.models import PanelPurpose
from tests.conftest import fresh
from tests.execution.factories import Story, awarded, score_panel

EXCELLENT = ("55", "37")  # 92 of 100 on the acceptance rubric (60/40)
UNQUALIFIED = ("25", "15")  # 40


async def accepted(db: AsyncSession, clock: FrozenClock, scores: tuple[str, str] = EXCELLENT) -> Story:
    """A single-winner challenge whose project (lead1, with `member` on the team) is accepted."""
    story = await awarded(db, clock)
    await fresh(db)  # the challenge as stored, with its acceptance rubric
    bid_id = (await db.get(Project, story.project_ids[0])).bid_id
    await score_panel(db, clock, story.challenge_id, {bid_id: scores}, PanelPurpose.ACCEPTANCE)
    return story


async def records_of(db: AsyncSession, project_id: int) -> list[SimpleNamespace]:
    """The project's records as plain values (they outlive `fresh(db)`)."""
    await db.rollback()  # a fresh snapshot (SQLite)
    found = (await db.scalars(select(Record).where(Record.project_id == project_id).order_by(Record.id))).all()
    return [SimpleNamespace(id=r.id, cadre_id=r.cadre_id, recipient=r.recipient, record_type=r.record_type,
                            status=r.status, facts=r.facts, trigger=r.trigger) for r in found]
