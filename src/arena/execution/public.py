"""What anyone may read of a challenge after its award (DESIGN §1: the public follows projects
through to their grade): who leads each project and with whom, the signed commitment's hash,
each milestone's due date, status and latest verdict (its label only), the horse race's
checkpoints with the ranking decided on and who was eliminated, and the acceptance grade with
the hash of the frozen acceptance results.

Deliberately absent: report texts, KPI values, evidence, who assessed and their scores and
comments, fault-tolerance requests and opinions, the acceptance panel's experts and sheets, the
reason a checkpoint eliminated nobody. Only the columns shown are selected, so nothing else is
even loaded. A fixed number of queries (4, 5 once accepted) whatever the number of projects and
milestones; none before the award. Read on every request (never cached), so a verdict, an
elimination or a grade shows at the next visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.bids.models import BidMember, MemberStatus
from arena.challenges.models import Challenge, ChallengeStatus
from arena.execution.horse_race import frozen_ranking
from arena.execution.models import Assessment, Milestone, ProgressReport, Project
from arena.execution.views import is_overdue
from arena.review.models import Panel, PanelPurpose, ReviewResult
from arena.units.models import Cadre, Unit

AWARDED = frozenset({ChallengeStatus.EXECUTING.value, ChallengeStatus.ACCEPTED.value})


@dataclass(frozen=True)
class PublicMilestone:
    title: str
    due_on: date
    status: str  # MilestoneStatus
    verdict: str | None  # the latest assessment's Verdict, if any
    overdue: bool


@dataclass
class PublicProject:
    id: int
    bid_id: int
    lead: str
    unit: str
    status: str  # ProjectStatus
    commitment_sha256: str | None  # only once signed
    signed_at: datetime | None
    eliminated_at: datetime | None
    grade: str | None
    acceptance_score: Decimal | None
    team: list[str] = field(default_factory=list)
    milestones: list[PublicMilestone] = field(default_factory=list)


@dataclass(frozen=True)
class RankedTeam:
    project_id: int
    rank: int
    lead: str
    mean: str | None  # the mean assessment score the ranking rested on (an aggregate, never a sheet)


@dataclass(frozen=True)
class PublicCheckpoint:
    position: int
    title: str
    due_on: date
    status: str  # CheckpointStatus
    decided_at: datetime | None
    ranking: list[RankedTeam]
    eliminated_id: int | None  # the eliminated project; None when nobody was (or not decided yet)
    eliminated: str | None  # its lead


@dataclass(frozen=True)
class AcceptanceSeal:
    sha256: str
    frozen_at: datetime


@dataclass
class PublicFollow:
    projects: list[PublicProject]
    checkpoints: list[PublicCheckpoint]
    acceptance: AcceptanceSeal | None


async def public_follow(db: AsyncSession, challenge: Challenge, today: date) -> PublicFollow | None:
    """The challenge's projects as the public reads them; None before the award."""
    if challenge.status not in AWARDED:
        return None
    projects = [PublicProject(p.id, p.bid_id, lead, unit, p.status,
                              p.commitment_sha256 if p.signed_at else None, p.signed_at, p.eliminated_at,
                              p.grade, p.acceptance_score)
                for p, lead, unit in (await db.execute(
                    select(Project, Cadre.name, Unit.name).join(Cadre, Cadre.id == Project.lead_id)
                    .join(Unit, Unit.id == Cadre.unit_id).where(Project.challenge_id == challenge.id)
                    .order_by(Project.id))).tuples().all()]
    by_bid = {p.bid_id: p for p in projects}
    by_id = {p.id: p for p in projects}
    if projects:
        for bid_id, name in (await db.execute(
                select(BidMember.bid_id, Cadre.name).join(Cadre, Cadre.id == BidMember.cadre_id)
                .where(BidMember.bid_id.in_(list(by_bid)), BidMember.status == MemberStatus.CONFIRMED.value)
                .order_by(BidMember.id))).tuples().all():
            by_bid[bid_id].team.append(name)
        verdicts = dict((await db.execute(  # the latest assessed report's verdict wins
            select(ProgressReport.milestone_id, Assessment.verdict)
            .join(Assessment, Assessment.report_id == ProgressReport.id)
            .where(ProgressReport.project_id.in_(list(by_id)))
            .order_by(ProgressReport.milestone_id, ProgressReport.seq))).tuples().all())
        for m in (await db.scalars(select(Milestone).where(Milestone.project_id.in_(list(by_id)))
                                   .order_by(Milestone.project_id, Milestone.position))).all():
            by_id[m.project_id].milestones.append(
                PublicMilestone(m.title, m.due_on, m.status, verdicts.get(m.id), is_overdue(m, today)))
    checkpoints = [
        PublicCheckpoint(c.position, c.title, c.due_on, c.status, c.decided_at,
                         [RankedTeam(int(str(t["project"])), int(str(t["rank"])), str(t["lead"]),
                                     None if t["mean"] is None else str(t["mean"])) for t in frozen_ranking(c)],
                         c.eliminated_project_id,
                         by_id[c.eliminated_project_id].lead if c.eliminated_project_id in by_id else None)
        for c in challenge.checkpoints]
    seal = None
    if challenge.status == ChallengeStatus.ACCEPTED.value:
        row = (await db.execute(
            select(ReviewResult.sha256, ReviewResult.frozen_at).join(Panel, Panel.id == ReviewResult.panel_id)
            .where(Panel.challenge_id == challenge.id, Panel.purpose == PanelPurpose.ACCEPTANCE.value,
                   ReviewResult.superseded_at.is_(None))
            .order_by(ReviewResult.id.desc()).limit(1))).first()
        seal = AcceptanceSeal(row[0], row[1]) if row else None
    return PublicFollow(projects, checkpoints, seal)


async def project_statuses(db: AsyncSession, challenge_id: int) -> dict[int, tuple[str, str | None]]:
    """Each winning bid's project: (status, grade), for the results page after the award (1 query)."""
    rows = (await db.execute(select(Project.bid_id, Project.status, Project.grade)
                             .where(Project.challenge_id == challenge_id))).tuples().all()
    return {bid_id: (status, grade) for bid_id, status, grade in rows}

