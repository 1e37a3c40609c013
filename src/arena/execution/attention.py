"""What the home page shows about execution (one query per role): commitments to sign and
overdue milestones for cadres; reports, plan changes and tolerance decisions for organizers;
reports for assessors; tolerance opinions for inspectors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.execution.models import (
    ChallengeAssessor,
    Milestone,
    PlanChange,
    PlanChangeStatus,
    ProgressReport,
    Project,
    ProjectStatus,
    ReportStatus,
    ToleranceRequest,
    ToleranceStatus,
)
from arena.execution.transitions import OPEN_MILESTONE
from arena.i18n import gettext as _
from arena.units.models import Cadre, Expert


@provider(Role.CADRE)
async def cadre_projects(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    mine = select(Cadre.id).where(Cadre.user_id == actor.user_id).scalar_subquery()
    today = clock.today()
    overdue = int(await db.scalar(
        select(func.count()).select_from(Milestone).join(Project, Project.id == Milestone.project_id).where(
            Project.lead_id == mine, Project.status == ProjectStatus.ACTIVE.value,
            Milestone.status.in_(OPEN_MILESTONE), Milestone.due_on < today)) or 0)
    unsigned = (await db.execute(
        select(Project.id, Challenge.title, func.count().over()).join(Challenge, Challenge.id == Project.challenge_id)
        .where(Project.lead_id == mine, Project.status == ProjectStatus.PENDING_SIGNATURE.value)
        .order_by(Project.id).limit(LINKS_SHOWN + 1))).all()
    items = []
    if unsigned:
        total = int(unsigned[0][2])
        places = [AttentionLink(_("{title}：签署军令状").format(title=title), f"/projects/{pid}")
                  for pid, title, _total in unsigned]
        items.append(pointed(_("军令状待签署"), _("你已挂帅 {n} 个项目，请签署军令状").format(n=total),
                             "/projects", total, places, urgent=True))
    if overdue:
        items.append(AttentionItem(_("节点任务逾期"), _("{n} 个节点任务已过完成日期").format(n=overdue),
                                   "/projects", overdue, urgent=True))
    return items


def _waiting(kind: str, model: Any, status: Any, actor: Actor) -> Any:
    """Rows of one kind waiting on the organizer's projects: (kind, id, challenge id, challenge
    title, how many of this kind, rank by id) — the union below keeps the first few of each."""
    return (select(literal(kind).label("kind"), model.id.label("id"), Challenge.id.label("challenge_id"),
                   Challenge.title.label("title"), func.count().over().label("total"),
                   func.row_number().over(order_by=model.id).label("rank"))
            .join(Project, Project.id == model.project_id).join(Challenge, Challenge.id == Project.challenge_id)
            .where(managed_by(actor), status))


@provider(Role.ORGANIZER)
async def organizer_execution(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Reports to assess, plan changes and fault-tolerance decisions, each card opening the item
    waiting (or naming the first few): one query for all three."""
    union = union_all(
        _waiting("report", ProgressReport, ProgressReport.status == ReportStatus.SUBMITTED.value, actor),
        _waiting("change", PlanChange, PlanChange.status == PlanChangeStatus.PENDING.value, actor),
        _waiting("tolerance", ToleranceRequest, ToleranceRequest.status == ToleranceStatus.AWAITING_DECISION.value,
                 actor)).subquery()
    rows = (await db.execute(select(union).where(union.c.rank <= LINKS_SHOWN + 1)
                             .order_by(union.c.kind, union.c.rank))).all()
    by_kind: dict[str, list[Any]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    items = []
    if reports := by_kind.get("report"):
        total = int(reports[0].total)
        places = [AttentionLink(_("{title}：进展报告").format(title=r.title), f"/assess/reports/{r.id}")
                  for r in reports]
        items.append(pointed(_("进展报告待考核"), _("{n} 份进展报告等待考核").format(n=total), "/assess", total,
                             places, urgent=True))
    if changes := by_kind.get("change"):
        total = int(changes[0].total)
        places = [AttentionLink(_("{title}：计划变更申请").format(title=r.title),
                                f"/organizer/challenges/{r.challenge_id}/execution#change-{r.id}") for r in changes]
        items.append(pointed(_("计划变更待审批"), _("{n} 份计划变更申请").format(n=total), "/organizer/board", total,
                             places))
    if decisions := by_kind.get("tolerance"):
        total = int(decisions[0].total)
        places = [AttentionLink(_("{title}：容错申请").format(title=r.title),
                                f"/organizer/challenges/{r.challenge_id}/execution#tol-{r.id}") for r in decisions]
        items.append(pointed(_("容错申请待决定"), _("{n} 份容错申请已有纪检监察意见").format(n=total),
                             "/organizer/board", total, places, urgent=True))
    return items


@provider(Role.EXPERT)
async def assessor_reports(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    assigned = select(ChallengeAssessor.challenge_id).join(Expert, Expert.id == ChallengeAssessor.expert_id).where(
        Expert.user_id == actor.user_id)
    waiting = int(await db.scalar(select(func.count()).select_from(ProgressReport).join(
        Project, Project.id == ProgressReport.project_id).where(
        Project.challenge_id.in_(assigned), ProgressReport.status == ReportStatus.SUBMITTED.value)) or 0)
    return [AttentionItem(_("进展报告待考核"), _("{n} 份进展报告等待考核").format(n=waiting), "/assess", waiting,
                          urgent=True)] if waiting else []


@provider(Role.INSPECTOR)
async def inspector_tolerance(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    rows = (await db.execute(
        select(ToleranceRequest.id, Challenge.title, func.count().over())
        .join(Project, Project.id == ToleranceRequest.project_id).join(Challenge, Challenge.id == Project.challenge_id)
        .where(ToleranceRequest.status == ToleranceStatus.AWAITING_OPINION.value)
        .order_by(ToleranceRequest.id).limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    total = int(rows[0][2])
    places = [AttentionLink(_("{title}：容错申请").format(title=title), f"/inspector/tolerance/{rid}")
              for rid, title, _total in rows]
    return [pointed(_("容错申请待出具意见"), _("{n} 份容错申请等待纪检监察意见").format(n=total),
                    "/inspector/tolerance", total, places, urgent=True)]
