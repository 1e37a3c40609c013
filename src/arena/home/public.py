"""The home page an anonymous visitor opens first (issue 21): open challenges closing soonest,
running 公示, recent results, projects under way with their progress, and the tools to check
any of it. Only what is public (GLOSSARY `public`): no drafts, no bid content, no scores.

Each list is a few rows in one query, so the page costs the same whatever the data; the
rendered lists are kept per process like the catalogue's (arena.data_versions) under the "home"
version, which every write to a challenge, a publicity, a project, a milestone, a unit or a cadre
bumps (a cadre's name is a project's lead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena import data_versions
from arena.challenges import catalogue_cache
from arena.challenges.models import Challenge
from arena.challenges.phase import PublicPhase
from arena.challenges.queries import CardView, card_view, days_until, phase_condition, publicly_visible
from arena.execution.models import Milestone, MilestoneStatus, Project, ProjectStatus
from arena.publicity.models import Publicity, PublicityStatus
from arena.units.models import Cadre, Unit

NAME = "home"
ENTRIES = 8  # one per language
LIMIT = 5  # rows per list; the "更多" link opens the catalogue
UNDER_WAY = (ProjectStatus.PENDING_SIGNATURE.value, ProjectStatus.ACTIVE.value)  # awarded, not eliminated or accepted

data_versions.watch(NAME, (Challenge, Publicity, Project, Milestone, Unit, Cadre))


@dataclass(frozen=True)
class PublicityRow:
    challenge_id: int
    title: str
    number: str | None
    last_day: date  # the N-th working day (Beijing)
    ends_at: datetime
    days_left: int | None


@dataclass(frozen=True)
class ResultRow:
    challenge_id: int
    title: str
    number: str | None
    published_at: datetime
    concluded: bool


@dataclass(frozen=True)
class ProjectRow:
    challenge_id: int
    title: str
    lead: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class PublicHome:
    closing: list[CardView]
    publicities: list[PublicityRow]
    results: list[ResultRow]
    projects: list[ProjectRow]


async def load(db: AsyncSession, now: datetime) -> PublicHome:
    """Four queries, each limited to LIMIT rows."""
    closing = (await db.scalars(
        select(Challenge).where(phase_condition(PublicPhase.OPEN, now))
        .options(joinedload(Challenge.owner_unit))
        .order_by(Challenge.bid_closes_at.asc(), Challenge.id.asc()).limit(LIMIT))).all()

    running = (await db.execute(
        select(Publicity.challenge_id, Publicity.last_day, Publicity.ends_at, Challenge.title, Challenge.number)
        .join(Challenge, Challenge.id == Publicity.challenge_id)
        .where(Publicity.status == PublicityStatus.PUBLISHED.value, Publicity.ends_at > now,
               publicly_visible())
        .order_by(Publicity.ends_at.asc(), Publicity.id.asc()).limit(LIMIT))).all()

    # announced results whose 公示 is over (concluded by the award, or its period run out)
    over = or_(Publicity.status == PublicityStatus.CONCLUDED.value,
               and_(Publicity.status == PublicityStatus.PUBLISHED.value, Publicity.ends_at <= now))
    done = (await db.execute(
        select(Publicity.challenge_id, Publicity.published_at, Publicity.status, Challenge.title, Challenge.number)
        .join(Challenge, Challenge.id == Publicity.challenge_id)
        .where(over, publicly_visible())
        .order_by(Publicity.published_at.desc(), Publicity.id.desc()).limit(LIMIT))).all()

    counts = (select(Milestone.project_id,
                     func.count().label("total"),
                     func.sum(case((Milestone.status == MilestoneStatus.COMPLETED.value, 1), else_=0)).label("done"))
              .group_by(Milestone.project_id).subquery())
    projects = (await db.execute(
        select(Project.challenge_id, Challenge.title, Cadre.name, counts.c.total, counts.c.done)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .join(Cadre, Cadre.id == Project.lead_id)
        .outerjoin(counts, counts.c.project_id == Project.id)
        .where(Project.status.in_(UNDER_WAY), publicly_visible())
        .order_by(Project.awarded_at.desc(), Project.id.asc()).limit(LIMIT))).all()

    return PublicHome(
        closing=[card_view(c, now) for c in closing],
        publicities=[PublicityRow(r.challenge_id, r.title, r.number, r.last_day, r.ends_at,
                                  days_until(r.ends_at, now)) for r in running],
        results=[ResultRow(r.challenge_id, r.title, r.number, r.published_at,
                           r.status == PublicityStatus.CONCLUDED.value) for r in done],
        projects=[ProjectRow(r.challenge_id, r.title, r.name, int(r.done or 0), int(r.total or 0))
                  for r in projects],
    )


async def current_version(db: AsyncSession) -> int:
    return await data_versions.current(db, NAME)


async def valid_until(db: AsyncSession, now: datetime) -> datetime:
    """The catalogue's next moment (a window opening or closing, Beijing midnight), or a running
    公示 ending, whichever comes first."""
    ends = await db.scalar(select(func.min(Publicity.ends_at)).where(
        Publicity.status == PublicityStatus.PUBLISHED.value, Publicity.ends_at > now))
    moment = await catalogue_cache.valid_until(db, now)
    return min(moment, ends) if ends is not None else moment
