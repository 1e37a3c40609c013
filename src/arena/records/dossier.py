"""The cadre's performance dossier (干部实绩档案): project list (项目清单), result list (成效清单),
problem list (问题清单), approved records and certificates — read in a fixed number of
statements however long the cadre's history.

Who reads it: the cadre their own; organizers and inspectors anyone's (with a search by name,
unit, record type and year). Proposals and rejected records are not part of a dossier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.bids.models import BidMember, MemberStatus
from arena.challenges.models import Challenge
from arena.clock import day_of
from arena.db import valid_id
from arena.errors import NotFound
from arena.execution.grades import GRADE_LABELS
from arena.execution.models import Assessment, Grade, Milestone, MilestoneStatus, ProgressReport, Project, ProjectStatus
from arena.i18n import gettext as _
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import ACCOUNTABILITY_TYPES, Record, RecordStatus, RecordType
from arena.records.service import RecordRow, row_query, rows
from arena.units.models import Cadre, Unit


@dataclass(frozen=True)
class DossierProject:
    project: Project
    challenge: Challenge
    lead: bool
    duty: str


@dataclass(frozen=True)
class Entry:
    """One line of the result or problem list."""

    kind: str  # grade | milestone | record | elimination
    text: str
    on: date | None
    challenge: Challenge
    project_id: int
    detail: str = ""


@dataclass
class Dossier:
    cadre: Cadre
    unit: Unit
    projects: list[DossierProject] = field(default_factory=list)
    results: list[Entry] = field(default_factory=list)
    problems: list[Entry] = field(default_factory=list)
    records: list[RecordRow] = field(default_factory=list)

    @property
    def certificates(self) -> list[RecordRow]:
        return [r for r in self.records if r.certificate is not None]


async def cadre_of(db: AsyncSession, actor: Actor) -> Cadre:
    cadre = await db.scalar(select(Cadre).where(Cadre.user_id == actor.user_id))
    if cadre is None:
        raise NotFound(_("你的账号没有关联干部信息，请联系管理员"))
    return cadre


async def load(db: AsyncSession, cadre_id: int) -> Dossier:
    row = (await db.execute(select(Cadre, Unit).join(Unit, Unit.id == Cadre.unit_id)
                            .where(Cadre.id == cadre_id))).tuples().first() if valid_id(cadre_id) else None
    if row is None:
        raise NotFound(_("该干部不存在"))
    dossier = Dossier(*row)
    dossier.projects = await _projects(db, cadre_id)
    by_project = {p.project.id: p for p in dossier.projects}
    dossier.records = rows(await db.execute(row_query().where(
        Record.cadre_id == cadre_id, Record.status == RecordStatus.EFFECTIVE.value)
        .order_by(Record.document_date, Record.id)))
    await _lists(db, dossier, by_project)
    return dossier


async def _projects(db: AsyncSession, cadre_id: int) -> list[DossierProject]:
    member = and_(BidMember.bid_id == Project.bid_id, BidMember.cadre_id == cadre_id,
                  BidMember.status == MemberStatus.CONFIRMED.value)
    result = await db.execute(
        select(Project, Challenge, BidMember.duty).join(Challenge, Challenge.id == Project.challenge_id)
        .outerjoin(BidMember, member)
        .where(or_(Project.lead_id == cadre_id, BidMember.id.is_not(None)))
        .order_by(Project.awarded_at.desc(), Project.id.desc()))
    return [DossierProject(p, c, p.lead_id == cadre_id, duty or "") for p, c, duty in result.tuples()]


def _day(moment: datetime | None) -> date | None:
    return day_of(moment) if moment else None


async def _lists(db: AsyncSession, dossier: Dossier, by_project: dict[int, DossierProject]) -> None:
    """Results and problems from the projects, their settled milestones and the records."""
    for item in by_project.values():
        p, c = item.project, item.challenge
        if p.grade is not None and p.grade != Grade.UNQUALIFIED.value:
            dossier.results.append(Entry("grade", _("验收等次：{grade}").format(grade=_grade(p.grade)),
                                         _day(p.concluded_at), c, p.id, _score(p.acceptance_score)))
        elif p.grade == Grade.UNQUALIFIED.value:
            dossier.problems.append(Entry("grade", _("验收等次：{grade}").format(grade=_grade(p.grade)),
                                          _day(p.concluded_at), c, p.id, _score(p.acceptance_score)))
        if p.status == ProjectStatus.ELIMINATED.value:
            dossier.problems.append(Entry("elimination", _("赛马比选中末位淘汰"), _day(p.eliminated_at), c, p.id))
    if by_project:
        await _milestones(db, dossier, by_project)
    for row in dossier.records:
        entry = Entry("record", _record_label(row.record.record_type), row.record.document_date, row.challenge,
                      row.record.project_id, row.record.document_number or "")
        if row.record.record_type in ACCOUNTABILITY_TYPES:
            dossier.problems.append(entry)
        elif row.record.record_type != RecordType.FAULT_TOLERANCE_EXEMPTION.value:
            dossier.results.append(entry)
    far = date.max
    dossier.results.sort(key=lambda e: (e.on or far), reverse=True)
    dossier.problems.sort(key=lambda e: (e.on or far), reverse=True)


async def _milestones(db: AsyncSession, dossier: Dossier, by_project: dict[int, DossierProject]) -> None:
    settled = (MilestoneStatus.COMPLETED.value, MilestoneStatus.FAILED.value, MilestoneStatus.EXCUSED.value)
    last_assessed = (select(func.max(Assessment.assessed_at))
                     .join(ProgressReport, ProgressReport.id == Assessment.report_id)
                     .where(ProgressReport.milestone_id == Milestone.id).scalar_subquery())
    result = await db.execute(select(Milestone, last_assessed).where(
        Milestone.project_id.in_(list(by_project)), Milestone.status.in_(settled))
        .order_by(Milestone.project_id, Milestone.position))
    for milestone, assessed_at in result.tuples():
        item = by_project[milestone.project_id]
        on = _day(assessed_at) or milestone.due_on
        if milestone.status == MilestoneStatus.COMPLETED.value:
            dossier.results.append(Entry("milestone", _("完成节点任务：{title}").format(title=milestone.title), on,
                                         item.challenge, milestone.project_id, milestone.kpi))
        elif milestone.status == MilestoneStatus.FAILED.value:
            dossier.problems.append(Entry("milestone", _("节点任务未完成：{title}").format(title=milestone.title), on,
                                          item.challenge, milestone.project_id))
        else:
            dossier.problems.append(Entry("milestone", _("节点任务未完成：{title}").format(title=milestone.title), on,
                                          item.challenge, milestone.project_id, _("已容错免责")))


def _grade(code: str) -> str:
    return _(GRADE_LABELS[code])


def _record_label(code: str) -> str:
    return _(RECORD_TYPE_LABELS[code])


def _score(score: Decimal | None) -> str:
    return _("综合得分 {score}").format(score=score) if score is not None else ""


# --- search -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    q: str = ""
    unit_id: int | None = None
    record_type: str = ""
    year: int | None = None

    @classmethod
    def parse(cls, params: Any) -> Filters:
        q = str(params.get("q") or "").strip()[:64]
        unit = str(params.get("unit") or "")
        record_type = str(params.get("type") or "")
        year = str(params.get("year") or "")
        return cls(q=q, unit_id=int(unit) if unit.isdigit() and len(unit) < 15 else None,
                   record_type=record_type if record_type in {t.value for t in RecordType} else "",
                   year=int(year) if year.isdigit() and len(year) == 4 else None)

    def as_params(self) -> dict[str, Any]:
        return {"q": self.q, "unit": self.unit_id, "type": self.record_type, "year": self.year}


def search(filters: Filters) -> Select[*tuple[Any, ...]]:
    """Cadres with their unit, number of projects and of approved records — one statement a
    page. A type or year filter keeps the cadres holding an approved record of that type or
    with that year's document date."""
    led = (select(func.count(Project.id)).where(Project.lead_id == Cadre.id).correlate(Cadre).scalar_subquery())
    approved = (select(func.count(Record.id)).where(Record.cadre_id == Cadre.id,
                                                    Record.status == RecordStatus.EFFECTIVE.value)
                .correlate(Cadre).scalar_subquery())
    stmt = select(Cadre, Unit, led, approved).join(Unit, Unit.id == Cadre.unit_id)
    if filters.q:
        like = f"%{filters.q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Cadre.name.like(like), Cadre.code.like(like)))
    if filters.unit_id is not None:
        stmt = stmt.where(Cadre.unit_id == filters.unit_id)
    if filters.record_type or filters.year:
        conditions = [Record.cadre_id == Cadre.id, Record.status == RecordStatus.EFFECTIVE.value]
        if filters.record_type:
            conditions.append(Record.record_type == filters.record_type)
        if filters.year:
            conditions += [Record.document_date >= date(filters.year, 1, 1),
                           Record.document_date < date(filters.year + 1, 1, 1)]
        stmt = stmt.where(exists().where(*conditions))
    return stmt.order_by(Cadre.name, Cadre.id)
