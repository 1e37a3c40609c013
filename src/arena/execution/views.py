"""A project as its pages read it: the lead and team, each milestone with its reports, evidence,
assessments and fault-tolerance requests, in a fixed number of queries. Used by the lead's and
the organizer's pages, the assessors' and the acceptance panel's sheets.

Only models are imported here, so review (acceptance sheets) can read projects without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena.bids.models import BidMember, MemberStatus
from arena.challenges.models import Challenge
from arena.execution.models import (
    Assessment,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ReportEvidence,
    ToleranceRequest,
)
from arena.units.models import Cadre

DONE = frozenset({MilestoneStatus.COMPLETED.value, MilestoneStatus.EXCUSED.value})


def is_overdue(milestone: Milestone, today: date | None) -> bool:
    """Past its due date and neither completed nor excused (DESIGN §2.7: flagged and reminded)."""
    return today is not None and milestone.due_on < today and milestone.status not in DONE


@dataclass
class ReportView:
    report: ProgressReport
    assessment: Assessment | None


@dataclass
class MilestoneView:
    milestone: Milestone
    overdue: bool
    reports: list[ReportView] = field(default_factory=list)
    tolerance: list[ToleranceRequest] = field(default_factory=list)
    days_overdue: int = 0  # days past the due date while overdue (the board shows them in red)

    @property
    def latest(self) -> ReportView | None:
        return self.reports[-1] if self.reports else None

    @property
    def board_color(self) -> str:
        """green / amber / red / grey on the board (overdue counts as red)."""
        status = self.milestone.status
        if status == MilestoneStatus.FAILED.value or self.overdue:
            return "red"
        if status == MilestoneStatus.AT_RISK.value:
            return "amber"
        if status in (MilestoneStatus.ON_TRACK.value, MilestoneStatus.COMPLETED.value):
            return "green"
        return "grey"


@dataclass
class ProjectView:
    project: Project
    challenge: Challenge
    lead: str
    unit: str
    lead_user_id: int | None
    team: list[str]
    team_user_ids: set[int]
    milestones: list[MilestoneView]

    @property
    def organizer_id(self) -> int:
        """The challenge's organizer: with the lead and the team, what execution.policy reads."""
        return self.challenge.organizer_id


async def load_project_view(db: AsyncSession, project: Project, today: date | None) -> ProjectView:
    return (await load_project_views(db, [project], today))[0]


async def load_project_views(db: AsyncSession, projects: list[Project], today: date | None, *,
                             detail: bool = True) -> list[ProjectView]:
    """Everything the project pages show, for many projects at once (8 queries whatever the
    number of projects, milestones and reports). Without `detail` — the board's chips — only the
    milestones, leads and challenges (3 queries): no team, reports or requests."""
    if not projects:
        return []
    ids = [p.id for p in projects]
    challenges = {c.id: c for c in (await db.scalars(select(Challenge).where(
        Challenge.id.in_({p.challenge_id for p in projects})))).all()}
    leads = {c.id: c for c in (await db.scalars(select(Cadre).where(Cadre.id.in_({p.lead_id for p in projects}))
                                                .options(joinedload(Cadre.unit)))).all()}
    milestones = (await db.scalars(select(Milestone).where(Milestone.project_id.in_(ids))
                                   .order_by(Milestone.project_id, Milestone.position))).all()
    members: dict[int, list[BidMember]] = {p.bid_id: [] for p in projects}
    reports: list[ProgressReport] = []
    assessments: dict[int, Assessment] = {}
    requests: list[ToleranceRequest] = []
    if detail:
        for member in (await db.scalars(select(BidMember).where(
                BidMember.bid_id.in_(list(members)), BidMember.status == MemberStatus.CONFIRMED.value)
                .options(joinedload(BidMember.cadre)).order_by(BidMember.id))).all():
            members[member.bid_id].append(member)
        # reports with their assessment and evidence in one statement (each report has at most one
        # assessment; evidence rows repeat the report, and `unique` folds them back)
        for report, assessment in (await db.execute(
                select(ProgressReport, Assessment).outerjoin(Assessment, Assessment.report_id == ProgressReport.id)
                .where(ProgressReport.project_id.in_(ids))
                .options(joinedload(ProgressReport.evidence).joinedload(ReportEvidence.file))
                .order_by(ProgressReport.milestone_id, ProgressReport.seq))).unique().tuples().all():
            reports.append(report)
            if assessment is not None:
                assessments[report.id] = assessment
        requests = list((await db.scalars(select(ToleranceRequest).where(ToleranceRequest.project_id.in_(ids))
                                          .order_by(ToleranceRequest.id))).all())
    views_by_milestone = {m.id: MilestoneView(m, is_overdue(m, today),
                                              days_overdue=(today - m.due_on).days
                                              if today is not None and is_overdue(m, today) else 0)
                          for m in milestones}
    for report in reports:
        views_by_milestone[report.milestone_id].reports.append(ReportView(report, assessments.get(report.id)))
    for request in requests:
        views_by_milestone[request.milestone_id].tolerance.append(request)
    by_project: dict[int, list[MilestoneView]] = {pid: [] for pid in ids}
    for view in views_by_milestone.values():
        by_project[view.milestone.project_id].append(view)
    result = []
    for project in projects:
        lead, team = leads[project.lead_id], members[project.bid_id]
        result.append(ProjectView(project, challenges[project.challenge_id], lead.name, lead.unit.name, lead.user_id,
                                  [m.cadre.name for m in team], {m.cadre.user_id for m in team if m.cadre.user_id},
                                  by_project[project.id]))
    return result


async def project_view(db: AsyncSession, bid_id: int) -> ProjectView:
    """The project of a winning bid, as an acceptance panel reads it."""
    project = await db.scalar(select(Project).where(Project.bid_id == bid_id))
    assert project is not None
    return await load_project_view(db, project, None)
