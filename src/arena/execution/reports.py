"""Progress reports (进展报告) and their assessments (考核), DESIGN §2.7.

The lead reports on a milestone of the binding plan (text, % done, KPI values, evidence); the
organizer or an expert they assigned gives a verdict — on track, at risk, failed, completed —
and a score 0–100. The verdict moves the milestone. One report per milestone waits for its
assessment at a time, so assessors never face a pile of stale reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.db import get_or_none
from arena.errors import DomainError, FormErrors, NotFound
from arena.execution import policy
from arena.execution.award import require_lead
from arena.execution.models import (
    Assessment,
    ChallengeAssessor,
    Milestone,
    ProgressReport,
    Project,
    ProjectStatus,
    ReportEvidence,
    ReportStatus,
    Verdict,
)
from arena.execution.transitions import MILESTONE, OPEN_MILESTONE, REPORT
from arena.execution.views import ProjectView, load_project_view
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review.conflicts import challenge_parties, conflicted_bids, declared
from arena.review.models import PanelPurpose
from arena.units.models import Cadre, Expert

TEXT_MAX, KPI_MAX, COMMENT_MAX, MAX_EVIDENCE = 5000, 2000, 2000, 5
SCORE = re.compile(r"^\d{1,3}(\.\d)?$")


@dataclass(frozen=True)
class ReportDraft:
    text: str
    percent: str
    kpi_values: str


def parse_report(draft: ReportDraft, evidence_count: int) -> tuple[str, int, str]:
    errors: dict[str, str] = {}
    text = draft.text.strip()
    if not text:
        errors["text"] = _("请填写进展情况")
    elif len(text) > TEXT_MAX or "\x00" in text:
        errors["text"] = _("进展情况最多 {n} 个字符").format(n=TEXT_MAX)
    percent_text = draft.percent.strip()
    if not percent_text.isdigit() or not 0 <= int(percent_text) <= 100:
        errors["percent"] = _("完成进度请填写 0–100 之间的整数")
    kpi = draft.kpi_values.strip()
    if len(kpi) > KPI_MAX or "\x00" in kpi:
        errors["kpi_values"] = _("考核指标完成值最多 {n} 个字符").format(n=KPI_MAX)
    if evidence_count > MAX_EVIDENCE:
        errors["evidence"] = _("佐证材料最多 {n} 个文件").format(n=MAX_EVIDENCE)
    if errors:
        raise FormErrors(errors)
    return text, int(percent_text), kpi


def _milestone(view: ProjectView, milestone_id: int) -> Milestone:
    found = next((m.milestone for m in view.milestones if m.milestone.id == milestone_id), None)
    if found is None:
        raise NotFound(_("该节点任务不存在"))
    return found


async def submit_report(db: AsyncSession, clock: Clock, actor: Actor, view: ProjectView, milestone_id: int,
                        draft: ReportDraft, evidence: list[tuple[str, StoredFile]]) -> ProgressReport:
    require_lead(actor, view)
    if view.project.status != ProjectStatus.ACTIVE.value:
        raise DomainError(_("军令状签署后、项目实施期间才能报告进展"))
    milestone = _milestone(view, milestone_id)
    if milestone.status not in OPEN_MILESTONE:
        raise DomainError(_("该节点任务已{state}，不能再报告进展").format(state=MILESTONE.label(milestone.status)))
    if any(r.report.status == ReportStatus.SUBMITTED.value
           for m in view.milestones if m.milestone.id == milestone_id for r in m.reports):
        raise DomainError(_("该节点上一份进展报告尚未考核，考核后再报告"))
    text, percent, kpi = parse_report(draft, len(evidence))
    seq = int(await db.scalar(select(func.coalesce(func.max(ProgressReport.seq), 0))
                              .where(ProgressReport.milestone_id == milestone.id)) or 0) + 1
    report = ProgressReport(project_id=view.project.id, milestone_id=milestone.id, seq=seq, text=text,
                            percent=percent, kpi_values=kpi, submitted_at=clock.now(), submitted_by_id=actor.user_id)
    report.evidence = [ReportEvidence(file_id=f.id, title=(title or f.filename)[:200]) for title, f in evidence]
    db.add(report)
    milestone.percent = percent
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "report.submit", "report", report.id, {
        "project": view.project.id, "milestone": milestone.position, "seq": seq, "percent": percent,
        "evidence": len(evidence)})
    assessors = (await db.scalars(select(Expert.user_id).join(ChallengeAssessor,
                                                              ChallengeAssessor.expert_id == Expert.id)
                                  .where(ChallengeAssessor.challenge_id == view.challenge.id))).all()
    await notify(db, clock, [view.challenge.organizer_id, *assessors], "report.submitted",
                 _("进展报告待考核：{title}").format(title=view.challenge.title),
                 _("{lead} 报告了节点任务“{milestone}”的进展（完成 {p}%）。").format(
                     lead=view.lead, milestone=milestone.title, p=percent), "/assess")
    return report


# --- assessing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentDraft:
    verdict: str
    score: str
    comment: str


def parse_assessment(draft: AssessmentDraft, key: str = "") -> tuple[Verdict, Decimal, str]:
    errors: dict[str, str] = {}
    verdict: Verdict | None = None
    try:
        verdict = Verdict(draft.verdict)
    except ValueError:
        errors[f"verdict{key}"] = _("请选择考核结论")
    score: Decimal | None = None
    text = draft.score.strip()
    try:
        score = Decimal(text) if SCORE.match(text) else None
    except InvalidOperation:
        score = None
    if score is None or not Decimal(0) <= score <= Decimal(100):
        errors[f"score{key}"] = _("考核得分请填写 0–100，最多一位小数")
    comment = draft.comment.strip()
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        errors[f"comment{key}"] = _("考核意见最多 {n} 个字符").format(n=COMMENT_MAX)
    if errors:
        raise FormErrors(errors)
    assert verdict is not None and score is not None
    return verdict, score, comment


@dataclass
class ReportToAssess:
    report: ProgressReport
    view: ProjectView
    milestone: Milestone
    role: str  # organizer | expert


async def report_to_assess(db: AsyncSession, actor: Actor, report_id: int, today: date) -> ReportToAssess:
    """A report the actor may assess: the challenge's organizer, or an assigned expert with no
    conflict with the project. Anyone else: not found."""
    report = await get_or_none(db, ProgressReport, report_id,
                               joinedload(ProgressReport.evidence).joinedload(ReportEvidence.file))
    project = await db.get(Project, report.project_id) if report else None
    if report is None or project is None:
        raise NotFound(_("该进展报告不存在"))
    view = await load_project_view(db, project, today)
    role = "organizer" if policy.is_organizer(actor, view.organizer_id) else None
    if role is None and actor.has(Role.EXPERT) and await may_assess_as_expert(db, actor, view):
        role = "expert"
    if role is None:
        raise NotFound(_("该进展报告不存在"))
    return ReportToAssess(report, view, _milestone(view, report.milestone_id), role)


async def may_assess_as_expert(db: AsyncSession, actor: Actor, view: ProjectView) -> bool:
    expert = await db.scalar(select(Expert).join(ChallengeAssessor, ChallengeAssessor.expert_id == Expert.id).where(
        Expert.user_id == actor.user_id, ChallengeAssessor.challenge_id == view.challenge.id))
    if expert is None:
        return False
    parties = await challenge_parties(db, view.challenge.id, PanelPurpose.ACCEPTANCE)
    reasons = conflicted_bids(expert, parties, (await declared(db, [expert.id])).get(expert.id, []))
    return view.project.bid_id not in reasons


async def assess(db: AsyncSession, clock: Clock, actor: Actor, target: ReportToAssess,
                 draft: AssessmentDraft) -> Assessment:
    verdict, score, comment = parse_assessment(draft)
    REPORT.check("assess", target.report.status)
    MILESTONE.check(verdict.value, target.milestone.status)
    assessment = Assessment(report_id=target.report.id, project_id=target.view.project.id, assessor_id=actor.user_id,
                            assessor_role=target.role, verdict=verdict.value, score=score, comment=comment,
                            assessed_at=clock.now())
    db.add(assessment)
    summary = {"project": target.view.project.id, "milestone": target.milestone.position,
               "verdict": verdict.value, "score": str(score)}
    await REPORT.move(db, clock, actor, target.role, target.report, "assess", summary)
    await MILESTONE.move(db, clock, actor, target.role, target.milestone, verdict.value, summary)
    await notify(db, clock, [target.view.lead_user_id], "report.assessed",
                 _("进展报告已考核：{milestone}").format(milestone=target.milestone.title),
                 _("考核结论：{verdict}，得分 {score}。{comment}").format(
                     verdict=MILESTONE.label(target.milestone.status), score=score, comment=comment),
                 f"/projects/{target.view.project.id}")
    return assessment


@dataclass
class PendingReport:
    report: ProgressReport
    milestone: Milestone
    project: Project
    challenge: Challenge
    lead: str


async def reports_awaiting(db: AsyncSession, actor: Actor) -> list[PendingReport]:
    """Reports waiting for this person's assessment: on challenges they organize, or (experts)
    challenges they are assigned to. Conflicted projects are left out for experts. Fixed queries."""
    # A condition on the joined challenge, not "challenge_id IN (every challenge I organize)":
    # the few submitted reports lead the plan, whatever the number of challenges.
    own = managed_by(actor)
    assigned = (select(ChallengeAssessor.challenge_id).join(Expert, Expert.id == ChallengeAssessor.expert_id)
                .where(Expert.user_id == actor.user_id))
    scope = or_(own, Challenge.id.in_(assigned)) if actor.has(Role.EXPERT) else own
    rows = (await db.execute(
        select(ProgressReport, Milestone, Project, Challenge, Cadre.name)
        .join(Milestone, Milestone.id == ProgressReport.milestone_id)
        .join(Project, Project.id == ProgressReport.project_id).join(Challenge, Challenge.id == Project.challenge_id)
        .join(Cadre, Cadre.id == Project.lead_id)
        .where(ProgressReport.status == ReportStatus.SUBMITTED.value, scope)
        .order_by(ProgressReport.submitted_at).limit(200))).tuples().all()
    found = [PendingReport(r, m, p, c, lead) for r, m, p, c, lead in rows]
    experts_only = [f for f in found if not policy.is_organizer(actor, f.challenge.organizer_id)]
    if experts_only:
        expert = await db.scalar(select(Expert).where(Expert.user_id == actor.user_id))
        conflicts: dict[int, set[int]] = {}
        for challenge_id in {f.challenge.id for f in experts_only}:
            parties = await challenge_parties(db, challenge_id, PanelPurpose.ACCEPTANCE)
            assert expert is not None
            conflicts[challenge_id] = set(conflicted_bids(
                expert, parties, (await declared(db, [expert.id])).get(expert.id, [])))
        found = [f for f in found if policy.is_organizer(actor, f.challenge.organizer_id)
                 or f.project.bid_id not in conflicts.get(f.challenge.id, set())]
    return found


# --- assessors -----------------------------------------------------------------------------------

async def assign_assessor(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, expert_code: str) -> None:
    """The organizer names an expert from the pool as assessor (第三方评估) of the challenge."""
    expert = await db.scalar(select(Expert).where(Expert.code == expert_code.strip()))
    if expert is None or expert.user_id is None:
        raise FormErrors({"expert": _("没有找到编号为 {code} 且有账号的专家").format(code=expert_code.strip())})
    if await db.scalar(select(ChallengeAssessor.id).where(ChallengeAssessor.challenge_id == challenge.id,
                                                          ChallengeAssessor.expert_id == expert.id)):
        raise FormErrors({"expert": _("该专家已是本榜的考核专家")})
    parties = await challenge_parties(db, challenge.id, PanelPurpose.ACCEPTANCE)
    if parties.bids and len(conflicted_bids(expert, parties, (await declared(db, [expert.id])).get(expert.id, [])))\
            == len(parties.bids):
        raise FormErrors({"expert": _("该专家与本榜全部项目存在利害关系，须回避")})
    db.add(ChallengeAssessor(challenge_id=challenge.id, expert_id=expert.id, assigned_by_id=actor.user_id,
                             assigned_at=clock.now()))
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "project.assessor", "challenge", challenge.id,
                       {"expert": expert.code})
    await notify(db, clock, [expert.user_id], "report.assessor",
                 _("你被指定为考核专家：{title}").format(title=challenge.title),
                 _("该榜单各项目提交的进展报告将请你考核。"), "/assess")


async def assessors_of(db: AsyncSession, challenge: Challenge) -> list[Expert]:
    return list((await db.scalars(select(Expert).join(ChallengeAssessor, ChallengeAssessor.expert_id == Expert.id)
                                  .where(ChallengeAssessor.challenge_id == challenge.id)
                                  .order_by(Expert.code))).all())

