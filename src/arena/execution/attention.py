"""What the home page shows about execution (one query per role): commitments to sign and
overdue milestones for cadres; reports, plan changes and tolerance decisions for organizers;
reports for assessors; tolerance opinions for inspectors."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.clock import DISPLAY_TZ, Clock
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
from arena.home.attention import AttentionItem, provider
from arena.i18n import gettext as _
from arena.units.models import Cadre, Expert


@provider(Role.CADRE)
async def cadre_projects(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    mine = select(Cadre.id).where(Cadre.user_id == actor.user_id).scalar_subquery()
    today = clock.now().astimezone(DISPLAY_TZ).date()
    unsigned, overdue = (int(n or 0) for n in (await db.execute(select(
        select(func.count()).select_from(Project).where(
            Project.lead_id == mine, Project.status == ProjectStatus.PENDING_SIGNATURE.value).scalar_subquery(),
        select(func.count()).select_from(Milestone).join(Project, Project.id == Milestone.project_id).where(
            Project.lead_id == mine, Project.status == ProjectStatus.ACTIVE.value,
            Milestone.status.in_(OPEN_MILESTONE), Milestone.due_on < today).scalar_subquery(),
    ))).one())
    items = []
    if unsigned:
        items.append(AttentionItem(_("军令状待签署"), _("你已挂帅 {n} 个项目，请签署军令状").format(n=unsigned),
                                   "/projects", unsigned, urgent=True))
    if overdue:
        items.append(AttentionItem(_("节点任务逾期"), _("{n} 个节点任务已过完成日期").format(n=overdue),
                                   "/projects", overdue, urgent=True))
    return items


@provider(Role.ORGANIZER)
async def organizer_execution(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    mine = select(Project.id).join(Challenge, Challenge.id == Project.challenge_id).where(
        Challenge.organizer_id == actor.user_id)
    reports, changes, decisions = (int(n or 0) for n in (await db.execute(select(
        select(func.count()).select_from(ProgressReport).where(
            ProgressReport.project_id.in_(mine), ProgressReport.status == ReportStatus.SUBMITTED.value)
        .scalar_subquery(),
        select(func.count()).select_from(PlanChange).where(
            PlanChange.project_id.in_(mine), PlanChange.status == PlanChangeStatus.PENDING.value).scalar_subquery(),
        select(func.count()).select_from(ToleranceRequest).where(
            ToleranceRequest.project_id.in_(mine),
            ToleranceRequest.status == ToleranceStatus.AWAITING_DECISION.value).scalar_subquery(),
    ))).one())
    items = []
    if reports:
        items.append(AttentionItem(_("进展报告待考核"), _("{n} 份进展报告等待考核").format(n=reports), "/assess",
                                   reports, urgent=True))
    if changes:
        items.append(AttentionItem(_("计划变更待审批"), _("{n} 份计划变更申请").format(n=changes), "/organizer/board",
                                   changes))
    if decisions:
        items.append(AttentionItem(_("容错申请待决定"), _("{n} 份容错申请已有纪检监察意见").format(n=decisions),
                                   "/organizer/board", decisions, urgent=True))
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
    waiting = int(await db.scalar(select(func.count()).select_from(ToleranceRequest).where(
        ToleranceRequest.status == ToleranceStatus.AWAITING_OPINION.value)) or 0)
    return [AttentionItem(_("容错申请待出具意见"), _("{n} 份容错申请等待纪检监察意见").format(n=waiting),
                          "/inspector/tolerance", waiting, urgent=True)] if waiting else []
