"""The organizer's decisions on proposals, and the proposal rules they configure.

Only the organizer of the proposal's challenge decides it: approve with a document number (文号)
and its date, reject with a reason, or change the record type with a reason while it is still
proposed. Each decision moves the record through its state machine and writes an audit event
in the same transaction; an approved honour gets its certificate at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.challenges.models import Challenge
from arena.challenges.queries import like_pattern, managed_by
from arena.clock import Clock
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound, required_text
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.records import certificates, policy
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import (
    CERTIFIED_TYPES,
    Certificate,
    Recipient,
    Record,
    RecordRule,
    RecordStatus,
    RecordType,
    Trigger,
)
from arena.records.proposals import rules_in_force
from arena.records.transitions import RECORD
from arena.units.models import Cadre, Unit

REASON_MAX = 2000
DOCUMENT_NUMBER_MAX = 64


@dataclass(frozen=True)
class RecordRow:
    """A record with what its lists show."""

    record: Record
    cadre: Cadre
    unit: Unit
    challenge: Challenge
    certificate: Certificate | None

    @property
    def facts(self) -> dict[str, Any]:
        return dict(json.loads(self.record.facts))


def row_query() -> Select[*tuple[Any, ...]]:
    return (select(Record, Cadre, Unit, Challenge, Certificate)
            .join(Cadre, Cadre.id == Record.cadre_id).join(Unit, Unit.id == Cadre.unit_id)
            .join(Challenge, Challenge.id == Record.challenge_id)
            .outerjoin(Certificate, Certificate.record_id == Record.id))


def rows(result: Any) -> list[RecordRow]:
    return [RecordRow(*row) for row in result]


def keyword_condition(q: str) -> ColumnElement[bool]:
    """关键词 on a records list (row_query): the cadre's name or staff number, the challenge's
    title or number, or the 文号. `q` is cleaned by challenges.queries.clean_search."""
    pattern = like_pattern(q)
    return or_(*(column.like(pattern, escape="\\") for column in (
        Cadre.name, Cadre.code, Challenge.title, Challenge.number, Record.document_number)))


def organizer_queue(actor: Actor, status: str | None, q: str = "") -> Select[*tuple[Any, ...]]:
    """Records of the organizer's challenges: proposals first (oldest first) by default."""
    stmt = row_query().where(managed_by(actor))  # the SQL twin of policy.may_decide
    if q:
        stmt = stmt.where(keyword_condition(q))
    if status in {s.value for s in RecordStatus}:
        stmt = stmt.where(Record.status == status)
    elif status != "all":
        stmt = stmt.where(Record.status == RecordStatus.PROPOSED.value)
    if status in (None, "", RecordStatus.PROPOSED.value):
        return stmt.order_by(Record.proposed_at, Record.id)
    return stmt.order_by(Record.id.desc())


async def organizer_record(db: AsyncSession, actor: Actor, record_id: int) -> RecordRow:
    """A record of one of the actor's challenges (policy.may_decide); anything else is answered
    as not found."""
    row = (await db.execute(row_query().where(Record.id == record_id))).tuples().first() \
        if valid_id(record_id) else None
    if row is None or not policy.may_decide(actor, row[3].organizer_id):
        raise NotFound(_("该结果运用建议不存在，或不属于你发布的榜单。"))
    return RecordRow(*row)


def _reason(value: str, field: str, required: str) -> str:
    return required_text(value, field, required, REASON_MAX)


def _document(number: str, raw_date: str, today: date) -> tuple[str, date]:
    errors: dict[str, str] = {}
    number = number.strip()
    if not number:
        errors["document_number"] = _("请填写文号")
    elif len(number) > DOCUMENT_NUMBER_MAX or "\x00" in number:
        errors["document_number"] = _("文号最多 {n} 个字符").format(n=DOCUMENT_NUMBER_MAX)
    day: date | None = None
    if not raw_date.strip():
        errors["document_date"] = _("请填写发文日期")
    else:
        try:
            day = date.fromisoformat(raw_date.strip())
        except ValueError:
            errors["document_date"] = _("发文日期不是有效日期（格式：2026-01-31）")
        else:
            if day > today:
                errors["document_date"] = _("发文日期不能晚于今天")
    if errors:
        raise FormErrors(errors)
    assert day is not None
    return number, day


async def approve(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, document_number: str,
                  document_date: str) -> RecordRow:
    row = await organizer_record(db, actor, record_id)
    record = row.record
    RECORD.check("approve", record.status)
    today = clock.today()
    record.document_number, record.document_date = _document(document_number, document_date, today)
    record.decided_at, record.decided_by_id = clock.now(), actor.user_id
    await RECORD.move(db, clock, actor, "organizer", record, "approve", {
        "type": record.record_type, "document_number": record.document_number,
        "document_date": record.document_date.isoformat()})
    if record.record_type in CERTIFIED_TYPES:
        await certificates.issue(db, clock, actor, record)
    await notify(db, clock, [row.cadre.user_id], "record.approved",
                 _("结果运用：{type}").format(type=_(RECORD_TYPE_LABELS[record.record_type])),
                 _("“{title}”的结果运用记录已批准（{number}），已记入你的实绩档案。").format(
                     title=row.challenge.title, number=record.document_number), "/dossier")
    return row


async def reject(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, reason: str) -> RecordRow:
    row = await organizer_record(db, actor, record_id)
    RECORD.check("reject", row.record.status)
    row.record.decision_reason = _reason(reason, "reason", _("请写明不批准的理由"))
    row.record.decided_at, row.record.decided_by_id = clock.now(), actor.user_id
    await RECORD.move(db, clock, actor, "organizer", row.record, "reject", {"type": row.record.record_type})
    return row


async def retype(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, new_type: str,
                 reason: str) -> RecordRow:
    """Change a proposal's type (e.g. admonishment → post exit); the rule's choice stays in
    `proposed_type`, and the reason is kept and audited."""
    row = await organizer_record(db, actor, record_id)
    record = row.record
    if record.status != RecordStatus.PROPOSED.value:
        raise DomainError(_("只有待审批的建议才能修改类型"))
    if new_type not in {t.value for t in RecordType}:
        raise FormErrors({"record_type": _("请选择结果运用类型")})
    if new_type == record.record_type:
        raise FormErrors({"record_type": _("新的类型与当前类型相同")})
    why = _reason(reason, "type_reason", _("请写明修改类型的理由"))
    before = record.record_type
    record.record_type, record.type_change_reason = new_type, why
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "record.retype", "record", record.id,
                       {"from": before, "to": new_type, "reason": why})
    return row


# --- rules -------------------------------------------------------------------------------------

async def update_rules(db: AsyncSession, clock: Clock, actor: Actor, active: set[int],
                       unless_exempted: set[int]) -> int:
    """Switch rules on or off and set their exemption condition; returns how many changed.
    Rules are never deleted, so every past proposal still names the rule it came from."""
    changed = 0
    for rule in await rules_in_force(db):
        new_active, new_unless = rule.id in active, rule.id in unless_exempted
        if (new_active, new_unless) == (rule.active, rule.unless_exempted):
            continue
        before = {"active": rule.active, "unless_exempted": rule.unless_exempted}
        rule.active, rule.unless_exempted = new_active, new_unless
        await db.flush()
        await audit.record(db, clock, actor, "organizer", "record.rule", "record_rule", rule.id,
                           {"from": before, "to": {"active": new_active, "unless_exempted": new_unless}})
        changed += 1
    return changed


async def add_rule(db: AsyncSession, clock: Clock, actor: Actor, trigger: str, recipient: str, record_type: str,
                   unless_exempted: bool) -> RecordRule:
    errors: dict[str, str] = {}
    if trigger not in {t.value for t in Trigger}:
        errors["trigger"] = _("请选择触发情形")
    if recipient not in {r.value for r in Recipient}:
        errors["recipient"] = _("请选择适用对象")
    if record_type not in {t.value for t in RecordType}:
        errors["new_record_type"] = _("请选择结果运用类型")
    if errors:
        raise FormErrors(errors)
    rules = await rules_in_force(db)
    if any((r.trigger, r.recipient, r.record_type) == (trigger, recipient, record_type) for r in rules):
        raise FormErrors({"new_record_type": _("已有相同的规则；如已停用，请在上表中重新启用")})
    rule = RecordRule(trigger=trigger, recipient=recipient, record_type=record_type,
                      unless_exempted=unless_exempted, active=True)
    db.add(rule)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "record.rule", "record_rule", rule.id, {
        "to": {"trigger": trigger, "recipient": recipient, "record_type": record_type,
               "unless_exempted": unless_exempted, "active": True}})
    return rule
