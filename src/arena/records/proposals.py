"""Proposals (结果运用建议): the execution services call these when an outcome is known — a
project graded at acceptance, eliminated at a checkpoint, or a failure excused — in the same
transaction. The rules in force decide what is proposed (records.rules); each proposal keeps
the facts it rests on as canonical JSON, so the organizer reads what the rule saw.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.bids.models import BidMember, MemberStatus
from arena.canonical import canonical_json
from arena.challenges.models import Challenge, Checkpoint
from arena.clock import Clock
from arena.execution.models import Project, ToleranceRequest, ToleranceStatus
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.records import transitions  # noqa: F401 - registers the record's audit actions
from arena.records.models import Record, RecordRule, Trigger
from arena.records.rules import DEFAULT_RULES, GRADE_TRIGGERS, Outcome, Rule, proposals_for
from arena.units import orgdept, scope
from arena.units.models import Cadre, OrgDepartmentMember


def canonical(data: dict[str, Any]) -> str:
    return canonical_json(data)


async def rules_in_force(db: AsyncSession) -> list[RecordRule]:
    """The configured rules in a stable order; an empty table has never been configured and
    gets the default policy."""
    rules = list((await db.scalars(select(RecordRule).order_by(RecordRule.id))).all())
    if rules:
        return rules
    for trigger, recipient, record_type, unless_exempted in DEFAULT_RULES:
        db.add(RecordRule(trigger=trigger.value, recipient=recipient.value, record_type=record_type.value,
                          unless_exempted=unless_exempted, active=True))
    await db.flush()
    return list((await db.scalars(select(RecordRule).order_by(RecordRule.id))).all())


async def _members(db: AsyncSession, project: Project) -> dict[int, str]:
    """Confirmed team members of the winning bid, with their duty (分工)."""
    rows = await db.execute(select(BidMember.cadre_id, BidMember.duty).where(
        BidMember.bid_id == project.bid_id, BidMember.status == MemberStatus.CONFIRMED.value,
        BidMember.cadre_id != project.lead_id).order_by(BidMember.id))
    return dict(rows.tuples().all())


async def _exemptions(db: AsyncSession, project: Project) -> list[int]:
    return list((await db.scalars(select(ToleranceRequest.id).where(
        ToleranceRequest.project_id == project.id, ToleranceRequest.status == ToleranceStatus.GRANTED.value)
        .order_by(ToleranceRequest.id))).all())


async def _propose(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, project: Project,
                   trigger: Trigger, facts: dict[str, Any], *, tolerance_request_id: int | None = None) -> list[Record]:
    rules = await rules_in_force(db)
    members = await _members(db, project)
    exemptions = await _exemptions(db, project)
    outcome = Outcome(trigger, project.lead_id, tuple(members), exempted=bool(exemptions))
    base = {"trigger": trigger.value, "challenge": {"id": challenge.id, "number": challenge.number,
                                                    "title": challenge.title},
            "project": {"id": project.id, "status": project.status}, "exemptions": exemptions} | facts
    made: list[Record] = []
    found = proposals_for([_rule(r) for r in rules], outcome)
    departments = await departments_of(db, {p.cadre_id for p in found})
    for proposed in found:
        key = f"{trigger.value}:{project.id}:{tolerance_request_id or 0}:{proposed.cadre_id}:{proposed.rule_id}"
        if await db.scalar(select(exists().where(Record.proposal_key == key))):
            continue  # the same outcome seen again (a retried request): proposed once
        role = {"recipient": proposed.recipient.value, "duty": members.get(proposed.cadre_id, "")}
        record = Record(proposal_key=key, cadre_id=proposed.cadre_id, challenge_id=challenge.id,
                        project_id=project.id, tolerance_request_id=tolerance_request_id, rule_id=proposed.rule_id,
                        trigger=trigger.value, recipient=proposed.recipient.value,
                        record_type=proposed.record_type.value, proposed_type=proposed.record_type.value,
                        facts=canonical(base | {"role": role}), proposed_at=clock.now(),
                        org_department_id=departments.get(proposed.cadre_id))
        db.add(record)
        await db.flush()
        await audit.record(db, clock, actor, "organizer", "record.propose", "record", record.id, {
            "project": project.id, "cadre": record.cadre_id, "type": record.record_type, "trigger": trigger.value})
        made.append(record)
    if made:
        await notify(db, clock, [challenge.organizer_id], "record.proposed",
                     _("结果运用建议：{title}").format(title=challenge.title),
                     _("根据规则生成了 {n} 条结果运用建议，由组织部门审批；你可以提出意见。").format(n=len(made)),
                     "/organizer/records")
        for department in sorted({r.org_department_id for r in made if r.org_department_id is not None}):
            waiting = sum(1 for r in made if r.org_department_id == department)
            await notify(db, clock, await department_members(db, department), "record.proposed",
                         _("结果运用建议待审批：{title}").format(title=challenge.title),
                         _("根据规则生成了 {n} 条结果运用建议，请审批。").format(n=waiting), "/orgdept/records")
    return made


async def department_members(db: AsyncSession, department_id: int | None) -> list[int]:
    """The accounts acting for a department (told when a record waits for it)."""
    if department_id is None:
        return []
    return list((await db.scalars(select(OrgDepartmentMember.user_id).where(
        OrgDepartmentMember.org_department_id == department_id).order_by(OrgDepartmentMember.user_id))).all())


async def departments_of(db: AsyncSession, cadre_ids: set[int]) -> dict[int, int | None]:
    """cadre → the 组织部门 that decides their records (None: no department covers their unit)."""
    if not cadre_ids:
        return {}
    units = dict((await db.execute(select(Cadre.id, Cadre.unit_id).where(Cadre.id.in_(cadre_ids)))).tuples().all())
    parents, roots = await orgdept.unit_parents(db), await orgdept.department_roots(db)
    return {cadre: scope.covering(unit, parents, roots) for cadre, unit in units.items()}


def _rule(row: RecordRule) -> Rule:
    return Rule(row.id, row.trigger, row.recipient, row.record_type, row.unless_exempted, row.active)


async def after_acceptance(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, project: Project,
                           result_sha256: str) -> list[Record]:
    assert project.grade is not None
    facts = {"acceptance": {"grade": project.grade, "score": str(project.acceptance_score),
                            "sha256": result_sha256, "thresholds": {
                                "excellent": str(challenge.grade_excellent), "good": str(challenge.grade_good),
                                "qualified": str(challenge.grade_qualified)}}}
    return await _propose(db, clock, actor, challenge, project, GRADE_TRIGGERS[project.grade], facts)


async def after_elimination(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, project: Project,
                            checkpoint: Checkpoint, rank: int, teams: int) -> list[Record]:
    facts = {"checkpoint": {"position": checkpoint.position, "title": checkpoint.title, "rank": rank,
                            "teams": teams}}
    return await _propose(db, clock, actor, challenge, project, Trigger.ELIMINATED, facts)


async def after_exemption(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, project: Project,
                          request: ToleranceRequest, milestone_title: str, case_title: str) -> list[Record]:
    facts = {"tolerance": {"id": request.id, "milestone": milestone_title, "case": case_title,
                           "reason": request.decision_reason,
                           "opinion": request.opinion_view.brief() if request.opinion_view else None,
                           "decided_at": request.decided_at.isoformat() if request.decided_at else None}}
    return await _propose(db, clock, actor, challenge, project, Trigger.EXCUSED, facts,
                          tolerance_request_id=request.id)
