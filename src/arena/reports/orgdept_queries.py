"""The statements of the 组织部门's statistics (三个优先, issue 20 §4), grouped in the database like
reports.queries: the page runs the same number of statements whatever the amount of data.

Two scopes, both from the department's subtree of units (arena.units.orgdept.scope_units):
- the figures count every challenge whose owner unit (Challenge.owner_unit_id) is in the subtree
  (`UnitScope`, with the year filter on the publishing year), whoever the cadres on it are;
- the list of cadres to consider (应予考虑) holds the cadres whose own unit is in the subtree, with
  their results on any challenge: the department decides about its cadres wherever they excelled.

Each figure counts people, each once per group: the cadres who appear in a group on the scope's
challenges ("populations" below), with their age taken, as in the organizer's 三个优先 section, on
the Beijing day the bid behind it was submitted (a record's or a project's: the winning bid's).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from arena.bids.models import Bid, BidMember, MemberStatus
from arena.challenges.models import Challenge
from arena.execution.enums import Grade, ProjectStatus, Verdict
from arena.execution.models import Assessment, Project
from arena.records.enums import ACCOUNTABILITY_TYPES, AWARD_TYPES, PROMOTION_TYPES, RecordStatus
from arena.records.models import Record
from arena.reports.queries import UnitScope
from arena.reports.sql import date_ymd, local_ymd
from arena.units.models import Cadre, OrgDepartment, Unit

EXCELLENT_ASSESSMENT = Decimal("90")
"""A milestone assessment counts as excellent (考核优秀) when its verdict is 已完成 and its score
(0–100, reports.py) is at least this: the same line as the default 优秀 acceptance threshold."""

ACCEPTED_GRADES = (Grade.EXCELLENT.value, Grade.GOOD.value, Grade.QUALIFIED.value)
"""验收通过: concluded with any grade but 不合格."""


class Group(enum.StrEnum):
    """The populations the figures compare, in page order."""

    BIDDERS = "bidders"  # 揭榜干部: leads and confirmed members of submitted bids
    LEADS = "leads"  # 牵头揭榜干部: leads of submitted bids
    WINNERS = "winners"  # 挂帅干部: leads of projects
    ACCEPTED = "accepted"  # 验收通过: leads of projects concluded with a passing grade
    PROMOTED = "promoted"  # 提拔使用: cadres with an effective promotion record
    AWARDED = "awarded"  # 表彰奖励: cadres with an effective award record
    ACCOUNTABLE = "accountable"  # 问责: cadres with an effective accountability record


RECORD_GROUPS = {Group.PROMOTED: PROMOTION_TYPES, Group.AWARDED: AWARD_TYPES, Group.ACCOUNTABLE: ACCOUNTABILITY_TYPES}


def _values(kinds: frozenset[Any]) -> list[str]:
    return sorted(k.value for k in kinds)


def _populations(scope: UnitScope) -> Any:
    """(grp, cadre_id, submitted_at) rows, one per appearance of a cadre in a group on the scope's challenges."""
    submitted = Bid.submitted_at.is_not(None)
    in_scope = scope.conditions()

    def of(group: Group, cadre: Any, *where: ColumnElement[bool], source: Any = Bid) -> Any:
        stmt = select(literal(group.value).label("grp"), cadre.label("cadre_id"),
                      Bid.submitted_at.label("submitted_at"))
        return stmt.select_from(source).join(Challenge, Challenge.id == Bid.challenge_id).where(*in_scope, *where)

    parts = [
        of(Group.BIDDERS, Bid.lead_id, submitted),
        of(Group.BIDDERS, BidMember.cadre_id, submitted, BidMember.status == MemberStatus.CONFIRMED.value,
           source=Bid.__table__.join(BidMember.__table__, BidMember.bid_id == Bid.id)),
        of(Group.LEADS, Bid.lead_id, submitted),
        of(Group.WINNERS, Project.lead_id, source=Project.__table__.join(Bid.__table__, Bid.id == Project.bid_id)),
        of(Group.ACCEPTED, Project.lead_id, Project.status == ProjectStatus.CONCLUDED.value,
           Project.grade.in_(ACCEPTED_GRADES), source=Project.__table__.join(Bid.__table__, Bid.id == Project.bid_id)),
    ]
    records = (Record.__table__.join(Project.__table__, Project.id == Record.project_id)
               .join(Bid.__table__, Bid.id == Project.bid_id))
    for group, kinds in RECORD_GROUPS.items():
        parts.append(of(group, Record.cadre_id, Record.status == RecordStatus.EFFECTIVE.value,
                        Record.record_type.in_(_values(kinds)), source=records))
    return union_all(*parts).subquery("population")


def _young(submitted_at: Any, young_age: int) -> ColumnElement[bool]:
    """GLOSSARY young_cadre, as reports.queries.priorities: under `young_age` on the Beijing day of
    `submitted_at`, compared as YYYYMMDD integers (a birthday counts from its day)."""
    return (local_ymd(submitted_at) - date_ymd(Cadre.birth_date)) < young_age * 10000


@dataclass(frozen=True)
class GroupCount:
    people: int
    young: int
    frontline: int


async def group_counts(db: AsyncSession, scope: UnitScope, young_age: int) -> dict[str, GroupCount]:
    """group → distinct cadres, of whom young (young at any appearance), of whom 基层一线."""
    p = _populations(scope)

    def people(when: ColumnElement[bool] | None = None) -> Any:
        return func.count(distinct(p.c.cadre_id if when is None else case((when, p.c.cadre_id))))

    rows = await db.execute(select(p.c.grp, people(), people(_young(p.c.submitted_at, young_age)),
                                   people(Cadre.frontline.is_(True)))
                            .join(Cadre, Cadre.id == p.c.cadre_id).group_by(p.c.grp))
    return {grp: GroupCount(int(n), int(y), int(f)) for grp, n, y, f in rows.tuples().all()}


async def by_rank(db: AsyncSession, scope: UnitScope) -> dict[tuple[str, str], int]:
    """(group, rank) → distinct cadres (their rank now, as the cadre register holds it)."""
    p = _populations(scope)
    rows = await db.execute(select(p.c.grp, Cadre.rank, func.count(distinct(p.c.cadre_id)))
                            .join(Cadre, Cadre.id == p.c.cadre_id).group_by(p.c.grp, Cadre.rank))
    return {(grp, rank): int(n) for grp, rank, n in rows.tuples().all()}


async def by_unit(db: AsyncSession, scope: UnitScope) -> dict[tuple[str, str], int]:
    """(group, unit name) → distinct cadres, by the cadre's unit now (unit names are unique)."""
    p = _populations(scope)
    rows = await db.execute(select(p.c.grp, Unit.name, func.count(distinct(p.c.cadre_id)))
                            .join(Cadre, Cadre.id == p.c.cadre_id).join(Unit, Unit.id == Cadre.unit_id)
                            .group_by(p.c.grp, Unit.id, Unit.name))
    return {(grp, unit): int(n) for grp, unit, n in rows.tuples().all()}


@dataclass(frozen=True)
class Facts:
    challenges: int  # published in scope
    bids: int  # submitted
    projects: int
    accepted: int  # projects 验收通过
    excellent: int  # of which 优秀
    promotions: int  # effective records
    awards: int
    accountability: int


async def facts(db: AsyncSession, scope: UnitScope) -> Facts:
    """The scope's totals (counted in things, not people), in one statement of scalar subqueries."""
    where = scope.conditions()

    def count(what: Any, source: Any, *more: ColumnElement[bool]) -> Any:
        return (select(func.count(what)).select_from(source).join(Challenge, Challenge.id == source.c.challenge_id)
                .where(*where, *more).scalar_subquery())

    project, record = Project.__table__, Record.__table__
    row = (await db.execute(select(
        select(func.count(Challenge.id)).where(*where, Challenge.published_at.is_not(None)).scalar_subquery(),
        count(Bid.id, Bid.__table__, Bid.submitted_at.is_not(None)),
        count(Project.id, project),
        count(Project.id, project, Project.status == ProjectStatus.CONCLUDED.value, Project.grade.in_(ACCEPTED_GRADES)),
        count(Project.id, project, Project.status == ProjectStatus.CONCLUDED.value,
              Project.grade == Grade.EXCELLENT.value),
        *(count(Record.id, record, Record.status == RecordStatus.EFFECTIVE.value,
                Record.record_type.in_(_values(kinds))) for kinds in RECORD_GROUPS.values()),
    ))).one()
    return Facts(*(int(n or 0) for n in row))


# --- the cadres to consider (应予考虑) ----------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    cadre_id: int
    name: str
    unit: str
    rank: str
    frontline: bool
    young: bool  # at the submission of the bid the project came from
    role: str  # "lead" | "member"
    challenge_id: int
    challenge_number: str | None
    challenge_title: str
    grade: str | None  # None: not accepted (yet)
    excellent_assessments: int


def _excellent_assessments() -> Any:
    return (select(func.count(Assessment.id)).where(
        Assessment.project_id == Project.id, Assessment.verdict == Verdict.COMPLETED.value,
        Assessment.score >= EXCELLENT_ASSESSMENT).correlate(Project).scalar_subquery())


def candidates_statement(units: frozenset[int], young_age: int) -> Any:
    """One row per (cadre, project) where the cadre — in one of `units` — led the project or was a
    confirmed member of its bid, the project was accepted 优秀 or has an excellent milestone
    assessment, and the cadre has no effective promotion or award record (on any challenge).
    Ordered: 优秀 acceptances first, then the most excellent assessments, newest project first."""
    members = (select(BidMember.bid_id.label("bid_id"), BidMember.cadre_id.label("cadre_id"),
                      literal("member").label("role"))
               .where(BidMember.status == MemberStatus.CONFIRMED.value))
    leads = select(Bid.id.label("bid_id"), Bid.lead_id.label("cadre_id"), literal("lead").label("role"))
    people = union_all(leads, members).subquery("people")
    assessments = _excellent_assessments()
    rewarded = exists().where(Record.cadre_id == Cadre.id, Record.status == RecordStatus.EFFECTIVE.value,
                              Record.record_type.in_(_values(PROMOTION_TYPES | AWARD_TYPES)))
    excellent = and_(Project.status == ProjectStatus.CONCLUDED.value, Project.grade == Grade.EXCELLENT.value)
    concluded = Project.status == ProjectStatus.CONCLUDED.value
    return (select(Cadre.id, Cadre.name, Unit.name.label("unit"), Cadre.rank, Cadre.frontline,
                   _young(Bid.submitted_at, young_age).label("young"), people.c.role,
                   Challenge.id.label("challenge_id"), Challenge.number, Challenge.title,
                   case((concluded, Project.grade)).label("grade"), assessments.label("assessments"))
            .select_from(Project)
            .join(Bid, Bid.id == Project.bid_id)
            .join(people, people.c.bid_id == Project.bid_id)
            .join(Cadre, Cadre.id == people.c.cadre_id)
            .join(Unit, Unit.id == Cadre.unit_id)
            .join(Challenge, Challenge.id == Project.challenge_id)
            .where(Cadre.unit_id.in_(sorted(units)), or_(excellent, assessments > 0), ~rewarded)
            .order_by(excellent.desc(), assessments.desc(), Project.id.desc(), people.c.role, Cadre.id))


def candidate(row: Any) -> Candidate:
    return Candidate(int(row.id), row.name, row.unit, row.rank, bool(row.frontline), bool(row.young), row.role,
                     int(row.challenge_id), row.number, row.title, row.grade, int(row.assessments or 0))


async def all_candidates(db: AsyncSession, units: frozenset[int], young_age: int) -> list[Candidate]:
    """The whole list, for the export."""
    return [candidate(r) for r in (await db.execute(candidates_statement(units, young_age))).all()]


# --- the departments ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Department:
    id: int
    name: str
    unit_id: int


async def departments(db: AsyncSession, ids: frozenset[int]) -> list[Department]:
    """The departments an account acts for, by name."""
    if not ids:
        return []
    rows = await db.execute(select(OrgDepartment.id, OrgDepartment.name, OrgDepartment.unit_id)
                            .where(OrgDepartment.id.in_(sorted(ids))).order_by(OrgDepartment.name, OrgDepartment.id))
    return [Department(int(i), name, int(u)) for i, name, u in rows.tuples().all()]
