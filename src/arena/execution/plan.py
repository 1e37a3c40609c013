"""Changes to the binding plan (计划变更), DESIGN §2.6: once the commitment is signed, the
milestones change only through a request the organizer approves. Milestones already completed,
failed or excused stay as they are; open ones may be re-dated or re-worded, and new ones added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.clock import Clock
from arena.db import get_or_none
from arena.errors import DomainError, FormErrors, NotFound
from arena.execution.award import canonical, require_lead
from arena.execution.models import Milestone, PlanChange, PlanChangeStatus, Project, ProjectStatus
from arena.execution.transitions import OPEN_MILESTONE, PLAN_CHANGE
from arena.execution.views import ProjectView
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.units.models import Cadre

REASON_MAX, MAX_NEW = 2000, 3


@dataclass(frozen=True)
class Row:
    id: int | None  # an open milestone, or None for a new one
    title: str
    due_on: str
    deliverable: str
    kpi: str


def parse_rows(rows: list[Row]) -> list[dict[str, Any]]:
    """The proposal as it will be stored; FormErrors name each bad row (`row-N`)."""
    errors: dict[str, str] = {}
    proposal = []
    for n, row in enumerate(rows, start=1):
        if row.id is None and not (row.title.strip() or row.due_on.strip()):
            continue  # a blank "new milestone" row
        try:
            due = date.fromisoformat(row.due_on.strip())
        except ValueError:
            errors[f"row-{n}"] = _("第 {n} 行：请填写有效的完成日期").format(n=n)
            continue
        if not row.title.strip() or len(row.title.strip()) > 100:
            errors[f"row-{n}"] = _("第 {n} 行：节点名称必填，最多 100 个字符").format(n=n)
            continue
        if len(row.deliverable) > 2000 or len(row.kpi) > 2000:
            errors[f"row-{n}"] = _("第 {n} 行：交付成果和考核指标各最多 2000 个字符").format(n=n)
            continue
        proposal.append({"id": row.id, "title": row.title.strip(), "due_on": due.isoformat(),
                         "deliverable": row.deliverable.strip(), "kpi": row.kpi.strip()})
    if errors:
        raise FormErrors(errors)
    return proposal


async def pending_change(db: AsyncSession, project_id: int) -> PlanChange | None:
    return await db.scalar(select(PlanChange).where(PlanChange.project_id == project_id,
                                                    PlanChange.status == PlanChangeStatus.PENDING.value))


async def request_change(db: AsyncSession, clock: Clock, actor: Actor, view: ProjectView, reason: str,
                         rows: list[Row]) -> PlanChange:
    require_lead(actor, view)
    if view.project.status != ProjectStatus.ACTIVE.value:
        raise DomainError(_("军令状签署后、项目实施期间才能申请计划变更"))
    if await pending_change(db, view.project.id):
        raise DomainError(_("已有一份计划变更申请待审批"))
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("请说明变更的理由")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("变更理由最多 {n} 个字符").format(n=REASON_MAX)
    open_ids = {m.milestone.id for m in view.milestones if m.milestone.status in OPEN_MILESTONE}
    if any(r.id is not None and r.id not in open_ids for r in rows):
        raise DomainError(_("只能变更尚未完成的节点任务"))
    try:
        proposal = parse_rows(rows)
    except FormErrors as exc:
        errors |= exc.errors
    if errors:
        raise FormErrors(errors)
    if sum(1 for p in proposal if p["id"] is None) > MAX_NEW:
        raise FormErrors({"rows": _("一次最多新增 {n} 个节点任务").format(n=MAX_NEW)})
    current = {m.milestone.id: m.milestone for m in view.milestones}
    if all(p["id"] is not None and _same(current[p["id"]], p) for p in proposal):
        raise FormErrors({"rows": _("没有任何变更：请修改节点任务或新增节点")})
    change = PlanChange(project_id=view.project.id, reason=reason.strip(), proposal=canonical({"rows": proposal}),
                        requested_at=clock.now(), requested_by_id=actor.user_id)
    db.add(change)
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "plan_change.request", "plan_change", change.id,
                       {"project": view.project.id, "rows": len(proposal)})
    await notify(db, clock, [view.challenge.organizer_id], "plan_change.requested",
                 _("计划变更待审批：{title}").format(title=view.challenge.title),
                 _("{lead} 申请变更节点任务：{reason}").format(lead=view.lead, reason=reason.strip()),
                 f"/organizer/challenges/{view.challenge.id}/execution#changes")
    return change


def _same(milestone: Milestone, row: dict[str, Any]) -> bool:
    return (milestone.title, milestone.due_on.isoformat(), milestone.deliverable, milestone.kpi) == (
        row["title"], row["due_on"], row["deliverable"], row["kpi"])


def proposal_rows(change: PlanChange) -> list[dict[str, Any]]:
    return list(json.loads(change.proposal)["rows"])


async def decide_change(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, change_id: int,
                        approve: bool, reason: str) -> PlanChange:
    change = await get_or_none(db, PlanChange, change_id)
    project = await db.get(Project, change.project_id) if change else None
    if change is None or project is None or project.challenge_id != challenge.id:
        raise NotFound(_("该计划变更申请不存在"))
    action = "approve" if approve else "reject"
    PLAN_CHANGE.check(action, change.status)
    if not reason.strip():
        raise FormErrors({f"decision-{change.id}": _("请填写审批意见")})
    if approve:
        await _apply(db, clock, actor, project, proposal_rows(change))
    change.decided_at, change.decided_by_id, change.decision_reason = clock.now(), actor.user_id, reason.strip()
    await PLAN_CHANGE.move(db, clock, actor, "organizer", change, action, {"project": project.id})
    lead_user = await db.scalar(select(Cadre.user_id).where(Cadre.id == project.lead_id))
    title = _("计划变更已批准：{title}") if approve else _("计划变更未批准：{title}")
    await notify(db, clock, [lead_user], "plan_change.decided", title.format(title=challenge.title),
                 _("审批意见：{reason}").format(reason=reason.strip()), f"/projects/{project.id}")
    return change


async def _apply(db: AsyncSession, clock: Clock, actor: Actor, project: Project, rows: list[dict[str, Any]]) -> None:
    milestones = {m.id: m for m in (await db.scalars(select(Milestone).where(Milestone.project_id == project.id)))}
    last = max((m.position for m in milestones.values()), default=0)
    for row in rows:
        milestone = milestones.get(row["id"]) if row["id"] is not None else None
        if row["id"] is not None and (milestone is None or milestone.status not in OPEN_MILESTONE):
            raise DomainError(_("申请提交后节点任务已有变化（已完成或已考核为未完成），请驳回后让挂帅人重新申请"))
        if milestone is None:
            last += 1
            milestone = Milestone(project_id=project.id, position=last, title=row["title"],
                                  due_on=date.fromisoformat(row["due_on"]))
            db.add(milestone)
        before = {"title": milestone.title, "due_on": milestone.due_on.isoformat() if milestone.due_on else None}
        milestone.title, milestone.due_on = row["title"], date.fromisoformat(row["due_on"])
        milestone.deliverable, milestone.kpi = row["deliverable"], row["kpi"]
        await db.flush()
        await audit.record(db, clock, actor, "organizer", "milestone.change", "milestone", milestone.id,
                           {"project": project.id, "before": before, "after": row})
