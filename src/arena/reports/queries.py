"""The statistics' statements: each section is one aggregate statement, grouped in the database,
so the page runs the same number of queries whatever the amount of data (STYLE: data).

Every statement is limited to a scope of challenges — the organizer's own (as the board and the
challenge list are: `Scope`) or those owned by a 组织部门's units (`UnitScope`, reports.orgdept) —
and, with a year, to the challenges published in that Beijing calendar year. The year is a range
on `published_at`, so the filter uses the challenge indexes (organizer_id or owner_unit_id, status)
and (status, published_at) rather than a function of the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, distinct, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.clock import DISPLAY_TZ, day_of
from arena.execution.models import Project
from arena.records.models import Record, RecordStatus
from arena.reports.sql import date_ymd, local_day, local_year, local_ymd
from arena.units.models import Cadre, Field

FIRST_YEAR, LAST_YEAR = 2000, 2999  # a year outside these is a typo in the address, not a filter


class ChallengeScope(Protocol):
    """Which challenges a statement counts: `owner()` whatever the year, `conditions()` with it."""

    @property
    def year(self) -> int | None: ...

    def owner(self) -> list[ColumnElement[bool]]: ...

    def conditions(self) -> list[ColumnElement[bool]]: ...


def _year_conditions(year: int | None) -> list[ColumnElement[bool]]:
    if year is None:
        return []
    return [Challenge.published_at >= _new_year(year), Challenge.published_at < _new_year(year + 1)]


@dataclass(frozen=True)
class Scope:
    """Whose challenges, and which publishing year (None: every year)."""

    organizer_id: int
    year: int | None = None

    def owner(self) -> list[ColumnElement[bool]]:
        return [Challenge.organizer_id == self.organizer_id]

    def conditions(self) -> list[ColumnElement[bool]]:
        return [*self.owner(), *_year_conditions(self.year)]


@dataclass(frozen=True)
class UnitScope:
    """The challenges owned (Challenge.owner_unit_id) by any of `units` — a 组织部门's subtree —
    and which publishing year (None: every year). Challenges with no owner unit are in no such scope."""

    units: frozenset[int]
    year: int | None = None

    def owner(self) -> list[ColumnElement[bool]]:
        return [Challenge.owner_unit_id.in_(sorted(self.units))]

    def conditions(self) -> list[ColumnElement[bool]]:
        return [*self.owner(), *_year_conditions(self.year)]


def _new_year(year: int) -> datetime:
    """Midnight of 1 January in Beijing, as the UTC moment the column stores."""
    return datetime(year, 1, 1, tzinfo=DISPLAY_TZ).astimezone(UTC)


def parse_year(raw: str | None) -> int | None:
    """The ?year= of the address; anything else than a plausible year means every year."""
    text = (raw or "").strip()
    if len(text) != 4 or not text.isdigit():
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


async def publishing_years(db: AsyncSession, scope: ChallengeScope) -> list[int]:
    """The years the scope's challenges were published in, newest first: the choices of the year filter."""
    year = local_year(Challenge.published_at)
    rows = await db.scalars(select(year).where(*scope.owner(), Challenge.published_at.is_not(None))
                            .group_by(year).order_by(year.desc()))
    return [int(y) for y in rows.all()]


# --- challenges by status and by field ------------------------------------------------------------

async def by_status(db: AsyncSession, scope: Scope) -> dict[str, int]:
    rows = await db.execute(select(Challenge.status, func.count()).where(*scope.conditions())
                            .group_by(Challenge.status))
    return {status: int(n) for status, n in rows.tuples().all()}


async def by_field(db: AsyncSession, scope: Scope) -> list[tuple[str | None, int]]:
    """(field name or None for no field, challenges), most challenges first, then by name with
    no field last — sorted here, since the databases order NULLs and Chinese text differently."""
    rows = await db.execute(select(Field.name, func.count(Challenge.id)).select_from(Challenge)
                            .outerjoin(Field, Field.id == Challenge.field_id).where(*scope.conditions())
                            .group_by(Field.id, Field.name))
    found = [(name, int(count)) for name, count in rows.tuples().all()]
    return sorted(found, key=lambda row: (-row[1], row[0] is None, row[0] or ""))


# --- bids per published challenge ----------------------------------------------------------------

def _bids_per_challenge(scope: Scope, *shown: Any) -> Any:
    """One row per published challenge with its number of bids that were ever submitted (a
    withdrawn or disqualified bid was still a bid; a draft never was), and the `shown` columns."""
    return (select(Challenge.id, *shown, func.count(Bid.id).label("bids"))
            .select_from(Challenge)
            .outerjoin(Bid, and_(Bid.challenge_id == Challenge.id, Bid.submitted_at.is_not(None)))
            .where(*scope.conditions(), Challenge.published_at.is_not(None))
            .group_by(Challenge.id, *shown))


async def bid_frequencies(db: AsyncSession, scope: Scope) -> dict[int, int]:
    """Number of bids → number of published challenges that received that many."""
    per = _bids_per_challenge(scope).subquery()
    rows = await db.execute(select(per.c.bids, func.count()).group_by(per.c.bids))
    return {int(bids): int(n) for bids, n in rows.tuples().all()}


@dataclass(frozen=True)
class ChallengeBids:
    number: str | None
    title: str
    status: str
    published_at: datetime
    bids: int


async def bids_by_challenge(db: AsyncSession, scope: Scope) -> list[ChallengeBids]:
    """Every published challenge with its count, in publishing order (the export)."""
    stmt = _bids_per_challenge(scope, Challenge.number, Challenge.title, Challenge.status, Challenge.published_at)
    rows = await db.execute(stmt.order_by(Challenge.published_at, Challenge.id))
    return [ChallengeBids(r.number, r.title, r.status, r.published_at, int(r.bids)) for r in rows.all()]


# --- from publishing to award --------------------------------------------------------------------

def _days_to_award(scope: Scope, *shown: Any) -> Any:
    """One row per awarded challenge: calendar days (Beijing) from publishing to its first award."""
    first = func.min(Project.awarded_at)
    return (select(Challenge.id, Challenge.published_at, *shown, first.label("awarded_at"),
                   (local_day(first) - local_day(Challenge.published_at)).label("days"))
            .select_from(Project).join(Challenge, Challenge.id == Project.challenge_id)
            .where(*scope.conditions(), Challenge.published_at.is_not(None))
            .group_by(Challenge.id, Challenge.published_at, *shown))


async def award_day_frequencies(db: AsyncSession, scope: Scope) -> dict[int, int]:
    """Days from publishing to award → number of challenges."""
    per = _days_to_award(scope).subquery()
    rows = await db.execute(select(per.c.days, func.count()).group_by(per.c.days))
    return {int(days): int(n) for days, n in rows.tuples().all()}


@dataclass(frozen=True)
class ChallengeAward:
    number: str | None
    title: str
    published_at: datetime
    awarded_at: datetime
    days: int


async def awards_by_challenge(db: AsyncSession, scope: Scope) -> list[ChallengeAward]:
    stmt = _days_to_award(scope, Challenge.number, Challenge.title)
    rows = await db.execute(stmt.order_by(Challenge.published_at, Challenge.id))
    return [ChallengeAward(r.number, r.title, r.published_at, r.awarded_at, int(r.days)) for r in rows.all()]


# --- 三个优先: young and frontline cadres among bidders and winners -------------------------------

@dataclass(frozen=True)
class Priorities:
    bidders: int  # distinct leads of submitted bids
    young_bidders: int
    frontline_bidders: int
    winners: int  # distinct project leads
    young_winners: int
    frontline_winners: int


async def priorities(db: AsyncSession, scope: Scope, young_age: int) -> Priorities:
    """GLOSSARY young_cadre: younger than `young_age` on the (Beijing) day the bid was submitted —
    compared as YYYYMMDD integers, so a birthday counts from its day. A cadre who bid while young
    counts as young; a winner's age is taken at the winning bid's submission."""
    young = (local_ymd(Bid.submitted_at) - date_ymd(Cadre.birth_date)) < young_age * 10000
    frontline = Cadre.frontline.is_(True)
    won = Project.id.is_not(None)

    def leads(when: ColumnElement[bool] | None = None, of: Any = Bid.lead_id) -> Any:
        return func.count(distinct(of if when is None else case((when, of))))

    stmt = (select(leads(), leads(young), leads(frontline),
                   leads(of=Project.lead_id), leads(and_(young, won), Project.lead_id),
                   leads(and_(frontline, won), Project.lead_id))
            .select_from(Bid).join(Cadre, Cadre.id == Bid.lead_id).join(Challenge, Challenge.id == Bid.challenge_id)
            .outerjoin(Project, Project.bid_id == Bid.id)
            .where(*scope.conditions(), Bid.submitted_at.is_not(None)))
    row = (await db.execute(stmt)).one()
    return Priorities(*(int(n) for n in row))


# --- records by type ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordCount:
    record_type: str
    year: int | None  # of the document (文号) date
    records: int


async def approved_records(db: AsyncSession, scope: Scope) -> list[RecordCount]:
    """Approved records (结果运用) on the scope's challenges by type and document year."""
    year = extract("year", Record.document_date)
    rows = await db.execute(select(Record.record_type, year, func.count())
                            .join(Challenge, Challenge.id == Record.challenge_id)
                            .where(Record.status == RecordStatus.EFFECTIVE.value, *scope.conditions())
                            .group_by(Record.record_type, year))
    return [RecordCount(kind, int(y) if y is not None else None, int(n)) for kind, y, n in rows.tuples().all()]


def beijing_date(moment: datetime) -> date:
    return day_of(moment)
