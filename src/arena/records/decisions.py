"""The decision flow: who proposes, who opines, who decides (issue 20).

Records are proposed by the rules (records.proposals) or recommended by the challenge's
organizer with an opinion (推荐意见). The organizer and inspectors give opinions; only the
组织部门 whose scope covers the cadre's unit decides (records.policy.may_decide), along the path
the record's type takes (records.policy.path_of):

- promotions and awards ("publicity"): approved with a 文号 into their 公示 of the department's
  `publicity_days` working days (they take effect, and an award gets its certificate, when the
  公示 has ended — records.notices);
- accountability ("hearing"): the cadre is told and has `hearing_days` working days to file a
  statement (陈述申辩); the decision, with a 文号 and its reason, comes only after that period has
  ended or the cadre waived it;
- exemptions ("direct"): decided at once.

Each step moves the record through records.transitions.RECORD (which audits it) in the caller's
transaction and tells the people concerned.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.clock import Clock
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied, required_text
from arena.execution.enums import ProjectStatus
from arena.execution.models import Project
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.publicity.service import period_for
from arena.records import policy, proposals, rules, service
from arena.records.enums import (
    OPEN_STATUSES,
    PUBLICIZED_TYPES,
    OpinionRole,
    Origin,
    Recipient,
    RecordStatus,
    RecordType,
    Stance,
    Trigger,
)
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import Record, RecordOpinion
from arena.records.service import REASON_MAX, RecordRow
from arena.records.transitions import RECORD
from arena.units.models import Cadre, OrgDepartment

ROLE = "org_dept"  # the audit role of the 组织部门's decisions


def _type(record: Record) -> str:
    return _(RECORD_TYPE_LABELS.get(record.record_type, record.record_type))


async def _department(db: AsyncSession, record: Record) -> OrgDepartment:
    department = await db.get(OrgDepartment, record.org_department_id) if record.org_department_id else None
    if department is None:  # department_record found the actor a member of it: cannot happen
        raise NotFound(_("该结果运用建议不存在，或不由你所在的组织部门审批。"))
    return department


def _require_path(record: Record, path: str) -> None:
    """The action belongs to another path than the record's type takes: say which."""
    actual = policy.path_of(record.record_type)
    if actual == path:
        return
    messages = {
        "publicity": _("“{type}”经批准后公示，公示期满无异议后生效；不能直接作出决定。"),
        "hearing": _("“{type}”须先告知干部陈述申辩，期满或干部放弃后再作出决定。"),
        "direct": _("“{type}”经审批直接作出决定，不公示，也不告知陈述申辩。"),
    }
    raise DomainError(messages[actual].format(type=_type(record)))


def _cadre_link(record: Record) -> str:
    return f"/my/records/{record.id}"


# --- the 组织部门's decisions -------------------------------------------------------------------

async def approve(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, document_number: str,
                  document_date: str, reason: str = "") -> RecordRow:
    """Approve a promotion or an award with a 文号: it goes into its 公示 (任前公示 / 表彰公示)
    for the department's `publicity_days` working days. No certificate yet: it is issued when
    the record takes effect after the 公示."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    _require_path(record, "publicity")
    RECORD.check("approve", record.status)
    number, day = service.parse_document(document_number, document_date, clock.today())
    note = _optional(reason, "note")
    department = await _department(db, record)
    now = clock.now()
    period = await period_for(db, now, department.publicity_days)
    record.document_number, record.document_date = number, day
    record.decision_reason = note
    record.decided_at, record.decided_by_id = now, actor.user_id
    record.publicity_first_day, record.publicity_last_day = period.first_day, period.last_day
    record.publicity_ends_at = period.ends_at
    await RECORD.move(db, clock, actor, ROLE, record, "approve", {
        "type": record.record_type, "document_number": number, "document_date": day.isoformat(),
        "publicity": [period.first_day.isoformat(), period.last_day.isoformat()]})
    title = _("结果运用：{type}").format(type=_type(record))
    body = _("“{title}”的{type}已由{department}批准（{number}），公示期 {first} 至 {last}；"
             "公示期满无异议后生效。").format(
        title=row.challenge.title, type=_type(record), department=department.name, number=number,
        first=period.first_day.isoformat(), last=period.last_day.isoformat())
    await notify(db, clock, [row.cadre.user_id], "record.approved", title, body, _cadre_link(record))
    await notify(db, clock, [row.challenge.organizer_id], "record.approved", title,
                 _("{name}：").format(name=row.cadre.name) + body, f"/records/{record.id}")
    return row


async def start_hearing(db: AsyncSession, clock: Clock, actor: Actor, record_id: int) -> RecordRow:
    """Tell the cadre about an accountability proposal: they have the department's `hearing_days`
    working days to file a statement (陈述申辩) or waive it."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    _require_path(record, "hearing")
    RECORD.check("start_hearing", record.status)
    department = await _department(db, record)
    now = clock.now()
    period = await period_for(db, now, department.hearing_days)
    record.hearing_started_at, record.hearing_last_day = now, period.last_day
    record.hearing_ends_at = period.ends_at
    await RECORD.move(db, clock, actor, ROLE, record, "start_hearing", {
        "type": record.record_type, "hearing_last_day": period.last_day.isoformat()})
    await notify(db, clock, [row.cadre.user_id], "record.hearing",
                 _("陈述申辩告知：{type}").format(type=_type(record)),
                 _("{department}拟对你作出“{type}”（榜单“{title}”）。请在 {day} 24 时前提交陈述申辩及证据，"
                   "也可以放弃陈述申辩。").format(
                     department=department.name, type=_type(record), title=row.challenge.title,
                     day=period.last_day.isoformat()),
                 _cadre_link(record))
    return row


async def decide(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, document_number: str,
                 document_date: str, reason: str) -> RecordRow:
    """Decide an accountability record after its hearing, or an exemption at once, with a 文号
    and the reason (required after a hearing). The record takes effect."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    path = policy.path_of(record.record_type)
    if path == "publicity":
        _require_path(record, "direct")  # raises: promotions and awards go through their 公示
    now = clock.now()
    if path == "hearing":
        if record.status == RecordStatus.PROPOSED.value:
            raise DomainError(_("作出决定前，须先告知干部陈述申辩。"))
        RECORD.check("decide", record.status)
        if record.hearing_waived_at is None and (record.hearing_ends_at is None or now < record.hearing_ends_at):
            last = record.hearing_last_day.isoformat() if record.hearing_last_day else "—"
            raise DomainError(_("陈述申辩期至 {day} 结束；期满或干部放弃陈述申辩后才能作出决定。").format(day=last))
    else:
        RECORD.check("decide", record.status)
    number, day = service.parse_document(document_number, document_date, clock.today())
    if path == "hearing":
        why: str | None = required_text(reason, "decision_reason", _("请写明作出决定的理由"), REASON_MAX)
    else:
        why = _optional(reason, "decision_reason")
    record.document_number, record.document_date = number, day
    record.decision_reason = why
    record.decided_at, record.decided_by_id, record.effective_at = now, actor.user_id, now
    await RECORD.move(db, clock, actor, ROLE, record, "decide", {
        "type": record.record_type, "document_number": number, "document_date": day.isoformat(),
        "reason": why or ""})
    body = _("“{title}”的{type}已作出决定（{number}），记入你的实绩档案。").format(
        title=row.challenge.title, type=_type(record), number=number)
    if why:
        body += _("理由：{reason}").format(reason=why)
    await notify(db, clock, [row.cadre.user_id], "record.decided",
                 _("结果运用决定：{type}").format(type=_type(record)), body, _cadre_link(record))
    await notify(db, clock, [row.challenge.organizer_id], "record.decided",
                 _("结果运用决定：{type}").format(type=_type(record)),
                 _("{name}：").format(name=row.cadre.name) + body, f"/records/{record.id}")
    return row


async def reject(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, reason: str) -> RecordRow:
    """Not approved (未批准), with the reason; a cadre who was heard is told."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    RECORD.check("reject", record.status)
    heard = record.status == RecordStatus.HEARING.value
    record.decision_reason = required_text(reason, "reason", _("请写明不批准的理由"), REASON_MAX)
    record.decided_at, record.decided_by_id = clock.now(), actor.user_id
    await RECORD.move(db, clock, actor, ROLE, record, "reject", {"type": record.record_type})
    title = _("结果运用：{type}未批准").format(type=_type(record))
    body = _("“{title}”的{type}未批准。理由：{reason}").format(
        title=row.challenge.title, type=_type(record), reason=record.decision_reason)
    if heard:
        await notify(db, clock, [row.cadre.user_id], "record.rejected", title, body, _cadre_link(record))
    await notify(db, clock, [row.challenge.organizer_id], "record.rejected", title,
                 _("{name}：").format(name=row.cadre.name) + body, f"/records/{record.id}")
    return row


async def retype(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, new_type: str,
                 reason: str) -> RecordRow:
    """Change a proposal's type (e.g. 诫勉 → 岗位退出) while nothing has started; the rule's
    choice stays in `proposed_type`, and the reason is kept and audited. A type the trigger may
    not propose (an elimination never leads to accountability) is refused, and a recommendation
    stays a promotion or an award."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    if record.status != RecordStatus.PROPOSED.value:
        raise DomainError(_("只有待审批的建议才能修改类型"))
    if new_type not in {t.value for t in RecordType}:
        raise FormErrors({"record_type": _("请选择结果运用类型")})
    if new_type == record.record_type:
        raise FormErrors({"record_type": _("新的类型与当前类型相同")})
    if not rules.allowed(record.trigger, new_type) or (
            record.origin == Origin.RECOMMENDED.value and new_type not in PUBLICIZED_TYPES):
        raise FormErrors({"record_type": _("“{type}”不适用于该触发情形").format(
            type=_(RECORD_TYPE_LABELS[new_type]))})
    why = required_text(reason, "type_reason", _("请写明修改类型的理由"), REASON_MAX)
    before = record.record_type
    record.record_type, record.type_change_reason = new_type, why
    await db.flush()
    await audit.record(db, clock, actor, ROLE, "record.retype", "record", record.id,
                       {"from": before, "to": new_type, "reason": why})
    return row


def _optional(value: str, field: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return required_text(value, field, "", REASON_MAX)


# --- opinions and recommendations -------------------------------------------------------------

OPINION_MAX = 2000


def _stance(value: str) -> str:
    if value not in {s.value for s in Stance}:
        raise FormErrors({"stance": _("请选择意见")})
    return value


async def give_opinion(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, stance: str,
                       text: str) -> RecordOpinion:
    """The organizer's or an inspector's opinion on an open record (policy.opinion_role); the
    组织部门 reads it beside the proposal, the cadre never does."""
    row, _member_of = await service.readable_record(db, actor, record_id)
    role = policy.opinion_role(actor, row.challenge.organizer_id)
    if role is None:
        raise PermissionDenied(_("只有发榜单位和纪检监察机关可以提出意见"))
    if row.record.status not in OPEN_STATUSES:
        raise DomainError(_("只能对待审批或陈述申辩中的建议提出意见"))
    errors: dict[str, str] = {}
    try:
        stance = _stance(stance)
    except FormErrors as error:
        errors |= error.errors
    try:
        text = required_text(text, "opinion", _("请填写意见"), OPINION_MAX)
    except FormErrors as error:
        errors |= error.errors
    if errors:
        raise FormErrors(errors)
    opinion = RecordOpinion(record_id=row.record.id, author_id=actor.user_id, role=role.value, stance=stance,
                            text=text, given_at=clock.now())
    db.add(opinion)
    await db.flush()
    await audit.record(db, clock, actor, role.value, "record.opinion", "record", row.record.id,
                       {"role": role.value, "stance": stance})
    return opinion


async def recommendable(db: AsyncSession, actor: Actor, project_id: int) -> tuple[Project, Challenge, dict[int, str]]:
    """A project of the actor's challenge, with whom it may recommend: the lead and the confirmed
    team members (cadre id → duty; the lead's duty is ""). Anyone else's project: not found."""
    found = (await db.execute(select(Project, Challenge).join(Challenge, Challenge.id == Project.challenge_id)
                              .where(Project.id == project_id))).tuples().first() if valid_id(project_id) else None
    if found is None or not policy.may_recommend(actor, found[1].organizer_id):
        raise NotFound(_("该项目不存在，或不属于你发布的榜单。"))
    project, challenge = found
    people = {project.lead_id: ""} | await proposals._members(db, project)
    return project, challenge, people


async def recommend(db: AsyncSession, clock: Clock, actor: Actor, project_id: int, cadre_id: int | str,
                    record_type: str, opinion: str) -> Record:
    """The organizer recommends a promotion or an award (推荐) for the lead or a confirmed member
    of an accepted project, with their opinion (推荐意见). The record waits for the 组织部门 that
    covers the cadre's unit like a proposal made by a rule."""
    project, challenge, people = await recommendable(db, actor, project_id)
    if project.status != ProjectStatus.CONCLUDED.value:
        raise DomainError(_("项目验收后才能推荐结果运用"))
    errors: dict[str, str] = {}
    cadre = int(cadre_id) if str(cadre_id).isdigit() and len(str(cadre_id)) < 15 else 0
    if cadre not in people:
        errors["cadre"] = _("请选择该项目的负责人或团队成员")
    if record_type not in PUBLICIZED_TYPES:
        errors["record_type"] = _("请选择推荐的结果运用类型（提拔或奖励）")
    try:
        text = required_text(opinion, "opinion", _("请填写推荐意见"), OPINION_MAX)
    except FormErrors as error:
        errors |= error.errors
    if errors:
        raise FormErrors(errors)
    pending = await db.scalar(select(func.count()).select_from(Record).where(
        Record.project_id == project.id, Record.cadre_id == cadre, Record.record_type == record_type,
        Record.status.in_([RecordStatus.PROPOSED.value, RecordStatus.HEARING.value, RecordStatus.PUBLICITY.value,
                           RecordStatus.EFFECTIVE.value])))
    if pending:
        raise FormErrors({"record_type": _("该干部在本项目已有这一结果运用建议或记录")})
    earlier = int(await db.scalar(select(func.count()).select_from(Record).where(
        Record.project_id == project.id, Record.cadre_id == cadre, Record.origin == Origin.RECOMMENDED.value)) or 0)
    now = clock.now()
    recipient = (Recipient.LEAD if cadre == project.lead_id else Recipient.MEMBERS).value
    facts: dict[str, object] = {
        "trigger": Trigger.RECOMMENDED.value,
        "challenge": {"id": challenge.id, "number": challenge.number, "title": challenge.title},
        "project": {"id": project.id, "status": project.status},
        "exemptions": await proposals._exemptions(db, project),
        "role": {"recipient": recipient, "duty": people[cadre]},
    }
    if project.grade:
        facts["acceptance"] = {"grade": project.grade, "score": str(project.acceptance_score), "thresholds": {
            "excellent": str(challenge.grade_excellent), "good": str(challenge.grade_good),
            "qualified": str(challenge.grade_qualified)}}
    department = (await proposals.departments_of(db, {cadre})).get(cadre)
    record = Record(proposal_key=f"recommended:{project.id}:{earlier + 1}:{cadre}:{record_type}", cadre_id=cadre,
                    challenge_id=challenge.id, project_id=project.id, tolerance_request_id=None, rule_id=None,
                    trigger=Trigger.RECOMMENDED.value, recipient=recipient,
                    record_type=record_type, proposed_type=record_type, facts=proposals.canonical(facts),
                    proposed_at=now, origin=Origin.RECOMMENDED.value, org_department_id=department)
    db.add(record)
    await db.flush()
    db.add(RecordOpinion(record_id=record.id, author_id=actor.user_id, role=OpinionRole.ORGANIZER.value,
                         stance=Stance.AGREE.value, text=text, given_at=now))
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "record.recommend", "record", record.id, {
        "project": project.id, "cadre": cadre, "type": record_type})
    name = await db.scalar(select(Cadre.name).where(Cadre.id == cadre))
    await notify(db, clock, await proposals.department_members(db, department), "record.proposed",
                 _("结果运用推荐待审批：{title}").format(title=challenge.title),
                 _("发榜单位推荐{name}“{type}”，请审批。").format(name=name, type=_(RECORD_TYPE_LABELS[record_type])),
                 f"/records/{record.id}")
    return record

