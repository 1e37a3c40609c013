"""The cadre's side of their records: what was proposed about them and how it was decided, and
the hearing (陈述申辩) before an accountability record (诫勉, 岗位调整, 岗位退出).

The 组织部门 opens the hearing (records.transitions: start_hearing), which fixes its period on the
working-day calendar. Until the period ends the cadre may file a statement with evidence and
revise it, or waive the hearing; either way the department is told. After the period or a waiver
the statement is frozen and the department may decide.

The cadre never reads an opinion (RecordOpinion) nor who objected to a record: nothing here
loads them (records.policy: the cadre reads their own records on their own pages).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.clock import Clock, day_of
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound, required_text
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.records import policy
from arena.records.enums import RecordStatus
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import Record, RecordStatement, RecordStatementEvidence
from arena.units import orgdept
from arena.units.models import Cadre, OrgDepartmentMember, Unit
from arena.workdays.days import MissingYear, working_days_between
from arena.workdays.service import load_calendar

STATEMENT_MAX = 8000
MAX_EVIDENCE = 10
"""Evidence files on one statement, over all its revisions."""
UPLOADS_AT_ONCE = 5


@dataclass(frozen=True)
class MyRecord:
    """One of the cadre's records with what their pages show (never an opinion)."""

    record: Record
    challenge: Challenge
    statement: RecordStatement | None = None
    cadre: Cadre | None = None
    unit: Unit | None = None
    remaining_days: int | None = None  # working days left in a running hearing, when the calendar knows

    @property
    def facts(self) -> dict[str, Any]:
        return dict(json.loads(self.record.facts))

    @property
    def path(self) -> str:
        return policy.path_of(self.record.record_type)


def hearing_open(record: Record, now: datetime) -> bool:
    """The cadre may still file, revise or waive: the hearing runs, its period has not ended and
    it was not waived."""
    return (record.status == RecordStatus.HEARING.value and record.hearing_ends_at is not None
            and now < record.hearing_ends_at and record.hearing_waived_at is None)


def hearing_closed_message(record: Record, now: datetime) -> str:
    """Why the statement can no longer be filed or changed."""
    if record.hearing_waived_at is not None:
        return _("你已放弃陈述申辩，不能再提交或修改陈述。")
    if record.status == RecordStatus.HEARING.value and record.hearing_ends_at is not None \
            and now >= record.hearing_ends_at:
        return _("陈述申辩期已于 {day} 结束，不能再提交或修改陈述。").format(
            day=record.hearing_last_day.isoformat() if record.hearing_last_day else "")
    return _("该结果运用建议当前不在陈述申辩期内。")


# --- reading ------------------------------------------------------------------------------------

async def my_records(db: AsyncSession, actor: Actor) -> list[MyRecord]:
    """Every record about the actor's cadre, newest first, with its statement (two queries)."""
    if actor.user_id is None:
        return []
    rows = (await db.execute(
        select(Record, Challenge, RecordStatement)
        .join(Cadre, Cadre.id == Record.cadre_id).join(Challenge, Challenge.id == Record.challenge_id)
        .outerjoin(RecordStatement, RecordStatement.record_id == Record.id)
        .where(Cadre.user_id == actor.user_id)
        .options(selectinload(RecordStatement.evidence))
        .order_by(Record.id.desc()).limit(500))).tuples().all()
    return [MyRecord(record, challenge, statement) for record, challenge, statement in rows]


async def _load(db: AsyncSession, actor: Actor, record_id: int) -> tuple[Record, Challenge, Cadre, Unit]:
    row = (await db.execute(
        select(Record, Challenge, Cadre, Unit).join(Cadre, Cadre.id == Record.cadre_id)
        .join(Unit, Unit.id == Cadre.unit_id).join(Challenge, Challenge.id == Record.challenge_id)
        .where(Record.id == record_id))).tuples().first() if valid_id(record_id) else None
    if row is None or not policy.may_state(actor, row[2].user_id):
        raise NotFound(_("该结果运用记录不存在，或不是关于你的。"))
    return row


async def _statement(db: AsyncSession, record_id: int) -> RecordStatement | None:
    return await db.scalar(select(RecordStatement).where(RecordStatement.record_id == record_id).options(
        selectinload(RecordStatement.evidence).joinedload(RecordStatementEvidence.file)))


async def remaining_working_days(db: AsyncSession, record: Record, today: date) -> int | None:
    """Working days left in the hearing, today included once the period has begun (the day the
    hearing opened does not count); None when the calendar does not know the years."""
    if record.hearing_last_day is None or record.hearing_started_at is None or today > record.hearing_last_day:
        return None
    opened_on = day_of(record.hearing_started_at)
    count_after = today if today <= opened_on else today - timedelta(days=1)
    try:
        calendar = await load_calendar(db, count_after, record.hearing_last_day)
        return working_days_between(count_after, record.hearing_last_day, calendar)
    except MissingYear:
        return None


async def my_record(db: AsyncSession, actor: Actor, record_id: int, today: date | None = None) -> MyRecord:
    """One record about the actor (policy.may_state); anyone else's is not found."""
    record, challenge, cadre, unit = await _load(db, actor, record_id)
    remaining = None
    if today is not None and record.status == RecordStatus.HEARING.value and record.hearing_waived_at is None:
        remaining = await remaining_working_days(db, record, today)
    return MyRecord(record, challenge, await _statement(db, record.id), cadre, unit, remaining)


# --- the hearing ---------------------------------------------------------------------------------

async def _department_members(db: AsyncSession, record: Record) -> list[int]:
    if record.org_department_id is None:
        return []
    return list((await db.scalars(select(OrgDepartmentMember.user_id).where(
        OrgDepartmentMember.org_department_id == record.org_department_id))).all())


async def _tell_department(db: AsyncSession, clock: Clock, found: MyRecord, kind: str, title: str, body: str) -> None:
    record = found.record
    await notify(db, clock, await _department_members(db, record), kind, title, body,
                 f"/orgdept/records/{record.id}")


async def file_statement(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, text: str,
                         files: list[tuple[str, StoredFile]]) -> RecordStatement:
    """File the statement (陈述申辩) or revise it, adding evidence, while the hearing is open.
    The audit event says how many files and whether it was a revision — never the text."""
    found = await my_record(db, actor, record_id)
    record, now = found.record, clock.now()
    if not hearing_open(record, now):
        raise DomainError(hearing_closed_message(record, now))
    body = required_text(text, "statement", _("请写明陈述和申辩的事实与理由"), STATEMENT_MAX)
    statement = found.statement
    existing = len(statement.evidence) if statement is not None else 0
    if existing + len(files) > MAX_EVIDENCE:
        raise FormErrors({"evidence": _("证明材料最多 {n} 个文件（已提交 {m} 个）").format(n=MAX_EVIDENCE, m=existing)})
    revised = statement is not None
    if statement is None:
        statement = RecordStatement(record_id=record.id, text=body, submitted_at=now, revised_at=now)
        statement.evidence = []
        db.add(statement)
    else:
        statement.text, statement.revised_at = body, now
    statement.evidence.extend(RecordStatementEvidence(file_id=f.id, title=(title or f.filename)[:200])
                              for title, f in files)
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "record.statement", "record", record.id,
                       {"evidence": len(files), "revised": revised})
    kind = _("结果运用：{type}").format(type=_(RECORD_TYPE_LABELS[record.record_type]))
    await _tell_department(
        db, clock, found, "record.statement",
        _("陈述申辩已修改：{name}").format(name=found.cadre.name if found.cadre else "") if revised
        else _("收到陈述申辩：{name}").format(name=found.cadre.name if found.cadre else ""),
        (_("{kind}（{title}）：当事干部修改了陈述申辩。") if revised
         else _("{kind}（{title}）：当事干部提交了陈述申辩。")).format(kind=kind, title=found.challenge.title))
    return statement


async def waive(db: AsyncSession, clock: Clock, actor: Actor, record_id: int) -> Record:
    """Waive the hearing (放弃陈述申辩) while it is open: the department may then decide at once,
    and a statement already filed stays as it is."""
    found = await my_record(db, actor, record_id)
    record, now = found.record, clock.now()
    if not hearing_open(record, now):
        raise DomainError(hearing_closed_message(record, now))
    record.hearing_waived_at = now
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "record.waive", "record", record.id,
                       {"type": record.record_type, "statement": found.statement is not None})
    await _tell_department(
        db, clock, found, "record.waive",
        _("当事干部放弃陈述申辩：{name}").format(name=found.cadre.name if found.cadre else ""),
        _("{type}（{title}）：当事干部已放弃陈述申辩，可以作出决定。").format(
            type=_(RECORD_TYPE_LABELS[record.record_type]), title=found.challenge.title))
    return record


async def readable_evidence(db: AsyncSession, actor: Actor, record_id: int,
                            evidence_id: int) -> RecordStatementEvidence:
    """A file of the statement, for the cadre who filed it and whoever may read the record
    (policy.may_read_record: the deciding department, the challenge's organizer, inspectors)."""
    row = (await db.execute(
        select(RecordStatementEvidence, Record, Challenge, Cadre)
        .join(RecordStatement, RecordStatement.id == RecordStatementEvidence.statement_id)
        .join(Record, Record.id == RecordStatement.record_id).join(Challenge, Challenge.id == Record.challenge_id)
        .join(Cadre, Cadre.id == Record.cadre_id)
        .where(RecordStatementEvidence.id == evidence_id, Record.id == record_id)
        .options(joinedload(RecordStatementEvidence.file)))).tuples().first() \
        if valid_id(record_id) and valid_id(evidence_id) else None
    if row is not None:
        evidence, record, challenge, cadre = row
        if policy.may_state(actor, cadre.user_id) or policy.may_read_record(
                actor, challenge.organizer_id, record.org_department_id, await orgdept.member_of(db, actor)):
            return evidence
    raise NotFound(_("材料不存在"))


# --- the stepper ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    label: str
    state: str  # done | current | upcoming | stopped (the stepper's classes)
    note: str = ""


def steps(record: Record) -> list[Step]:
    """Where the record stands on its path (records.policy.path_of), for a small stepper."""
    s, path = RecordStatus(record.status), policy.path_of(record.record_type)
    middle = {"publicity": [(RecordStatus.PUBLICITY, _("公示"))], "hearing": [(RecordStatus.HEARING, _("陈述申辩"))],
              "direct": []}[path]
    order = [(RecordStatus.PROPOSED, _("建议")), *middle, (RecordStatus.EFFECTIVE, _("生效"))]
    ended = {RecordStatus.REJECTED: _("未批准"), RecordStatus.WITHDRAWN: _("已撤回"),
             RecordStatus.REVOKED: _("已撤销")}
    if s in ended:
        # the stop is shown where it happened: rejected after the proposal or the hearing,
        # withdrawn in the 公示, revoked after taking effect
        reached = {RecordStatus.REJECTED: RecordStatus.HEARING if record.hearing_started_at else RecordStatus.PROPOSED,
                   RecordStatus.WITHDRAWN: RecordStatus.PUBLICITY, RecordStatus.REVOKED: RecordStatus.EFFECTIVE}[s]
        keys = [k for k, _label in order]
        at = keys.index(reached) if reached in keys else 0
        out = [Step(label, "done") for _k, label in order[:at + 1]]
        return [*out, Step(ended[s], "stopped")]
    keys = [k for k, _label in order]
    at = keys.index(s) if s in keys else 0
    return [Step(label, "done" if i < at or s == RecordStatus.EFFECTIVE else "current" if i == at else "upcoming")
            for i, (_k, label) in enumerate(order)]
