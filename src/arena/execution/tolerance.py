"""Fault tolerance (容错纠错), DESIGN §2.7: for a failed milestone the lead may ask that the
failure be excused under one of the challenge's declared cases (容错情形), with an explanation
and evidence. The inspector gives an opinion; the organizer decides with a reason. A granted
request excuses the milestone and is the exemption (容错免责) the records rest on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth.models import Role, User, UserRole
from arena.challenges.models import Challenge, ToleranceCase
from arena.clock import Clock
from arena.db import get_or_none
from arena.errors import DomainError, FormErrors, NotFound, required_text
from arena.execution import considerations
from arena.execution.award import require_lead
from arena.execution.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
    ToleranceEvidence,
    ToleranceRequest,
    ToleranceStatus,
)
from arena.execution.transitions import MILESTONE, TOLERANCE
from arena.execution.views import ProjectView
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.records import proposals
from arena.units.models import Cadre

TEXT_MAX, MAX_EVIDENCE = 4000, 5
OPEN = frozenset({ToleranceStatus.AWAITING_OPINION.value, ToleranceStatus.AWAITING_DECISION.value})


async def _inspectors(db: AsyncSession) -> list[int]:
    return list((await db.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.INSPECTOR.value, User.is_active.is_(True)))).all())


def _text(value: str, field: str, required: str) -> str:
    return required_text(value, field, required, TEXT_MAX)


async def request_tolerance(db: AsyncSession, clock: Clock, actor: Actor, view: ProjectView, milestone_id: int,
                            case_id: int, explanation: str, evidence: list[tuple[str, StoredFile]]) -> ToleranceRequest:
    require_lead(actor, view)
    if view.project.status != ProjectStatus.ACTIVE.value:
        raise DomainError(_("项目实施期间才能申请容错"))
    milestone = next((m for m in view.milestones if m.milestone.id == milestone_id), None)
    if milestone is None:
        raise NotFound(_("该节点任务不存在"))
    if milestone.milestone.status != MilestoneStatus.FAILED.value:
        raise DomainError(_("只有考核为“未完成”的节点任务才能申请容错"))
    if any(r.status in OPEN or r.status == ToleranceStatus.GRANTED.value for r in milestone.tolerance):
        raise DomainError(_("该节点已有容错申请在办理或已予容错"))
    case = await get_or_none(db, ToleranceCase, case_id)
    if case is None or case.challenge_id != view.challenge.id:
        raise FormErrors({"case": _("请选择本榜单公布的容错情形")})
    explanation = _text(explanation, "explanation", _("请说明未完成的原因，以及与所选容错情形的关系"))
    if len(evidence) > MAX_EVIDENCE:
        raise FormErrors({"evidence": _("佐证材料最多 {n} 个文件").format(n=MAX_EVIDENCE)})
    request = ToleranceRequest(project_id=view.project.id, milestone_id=milestone_id, case_id=case.id,
                               explanation=explanation, submitted_at=clock.now(), submitted_by_id=actor.user_id)
    request.evidence = [ToleranceEvidence(file_id=f.id, title=(title or f.filename)[:200]) for title, f in evidence]
    db.add(request)
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "tolerance.submit", "tolerance", request.id, {
        "project": view.project.id, "milestone": milestone.milestone.position, "case": case.position})
    await notify(db, clock, await _inspectors(db), "tolerance.submitted",
                 _("容错申请待出具意见：{title}").format(title=view.challenge.title),
                 _("{lead} 就节点任务“{m}”申请容错。").format(lead=view.lead, m=milestone.milestone.title),
                 f"/inspector/tolerance/{request.id}")
    return request


@dataclass
class ToleranceCaseFile:
    request: ToleranceRequest
    project: Project
    milestone: Milestone
    challenge: Challenge
    case: ToleranceCase
    lead: str
    lead_user_id: int | None


async def load_request(db: AsyncSession, request_id: int) -> ToleranceCaseFile:
    request = await get_or_none(db, ToleranceRequest, request_id,
                                selectinload(ToleranceRequest.evidence).joinedload(ToleranceEvidence.file))
    if request is None:
        raise NotFound(_("该容错申请不存在"))
    project = await db.get(Project, request.project_id)
    milestone = await db.get(Milestone, request.milestone_id)
    case = await db.get(ToleranceCase, request.case_id)
    assert project is not None and milestone is not None and case is not None
    challenge = await db.get(Challenge, project.challenge_id)
    lead = await db.get(Cadre, project.lead_id)
    assert challenge is not None and lead is not None
    return ToleranceCaseFile(request, project, milestone, challenge, case, lead.name, lead.user_id)


async def give_opinion(db: AsyncSession, clock: Clock, actor: Actor, request_id: int,
                       values: Mapping[str, str]) -> None:
    """The inspector's opinion (纪检监察意见) on the standard considerations, with a
    recommendation and free text (arena.execution.considerations); then the organizer decides."""
    found = await load_request(db, request_id)
    TOLERANCE.check("opine", found.request.status)
    opinion = considerations.parse(values)
    found.request.opinion = opinion.text or None
    found.request.opinion_considerations = opinion.stored()
    found.request.opinion_recommendation = opinion.recommendation
    found.request.opinion_by_id, found.request.opinion_at = actor.user_id, clock.now()
    await TOLERANCE.move(db, clock, actor, "inspector", found.request, "opine",
                         {"project": found.project.id} | opinion.summary())
    await notify(db, clock, [found.challenge.organizer_id], "tolerance.opinion",
                 _("容错申请待决定：{title}").format(title=found.challenge.title),
                 _("纪检监察已就 {lead} 的容错申请出具意见，请作出决定。").format(lead=found.lead),
                 f"/organizer/challenges/{found.challenge.id}/execution#tolerance")


async def decide(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, request_id: int, grant: bool,
                 reason: str) -> None:
    found = await load_request(db, request_id)
    if found.challenge.id != challenge.id:
        raise NotFound(_("该容错申请不存在"))
    action = "grant" if grant else "refuse"
    TOLERANCE.check(action, found.request.status)
    found.request.decision_reason = _text(reason, f"decision-{request_id}", _("请写明决定的理由"))
    found.request.decided_by_id, found.request.decided_at = actor.user_id, clock.now()
    summary = {"project": found.project.id, "milestone": found.milestone.position, "case": found.case.position}
    await TOLERANCE.move(db, clock, actor, "organizer", found.request, action, summary)
    if grant:
        await MILESTONE.move(db, clock, actor, "organizer", found.milestone, "excuse", summary | {
            "tolerance": found.request.id})
        await proposals.after_exemption(db, clock, actor, found.challenge, found.project, found.request,
                                        found.milestone.title, found.case.description)
    await notify(db, clock, [found.lead_user_id], "tolerance.decided",
                 (_("容错申请获准：{m}") if grant else _("容错申请未获准：{m}")).format(m=found.milestone.title),
                 _("决定理由：{reason}").format(reason=found.request.decision_reason), f"/projects/{found.project.id}")


QUEUE_TABS = ("", "answered", "all")
"""The inspector's list: awaiting an opinion (default), answered by this inspector, every request."""


def inspector_queue(status: str | None, inspector_id: int | None = None) -> Select[*tuple[Any, ...]]:
    """Requests for the inspector's list (one query a page): those awaiting an opinion by
    default, oldest first; `status` "answered" for those `inspector_id` gave an opinion on,
    latest opinion first; "all" for every request, newest first."""
    stmt = (select(ToleranceRequest, Project, Milestone, Challenge, ToleranceCase, Cadre.name)
            .join(Project, Project.id == ToleranceRequest.project_id)
            .join(Milestone, Milestone.id == ToleranceRequest.milestone_id)
            .join(Challenge, Challenge.id == Project.challenge_id)
            .join(ToleranceCase, ToleranceCase.id == ToleranceRequest.case_id)
            .join(Cadre, Cadre.id == Project.lead_id))
    if status == "all":
        return stmt.order_by(ToleranceRequest.id.desc())
    if status == "answered":
        return stmt.where(ToleranceRequest.opinion_by_id == inspector_id).order_by(
            ToleranceRequest.opinion_at.desc(), ToleranceRequest.id.desc())
    return stmt.where(ToleranceRequest.status == ToleranceStatus.AWAITING_OPINION.value).order_by(
        ToleranceRequest.submitted_at)
