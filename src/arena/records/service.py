"""Records as the pages load them — each loader answers "not found" to whoever may not see the
record (records.policy) — and the proposal rules organizers configure. The decisions themselves
(approve, hear, decide, reject, retype, opinions, recommendations) are in records.decisions.
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
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.db import valid_id
from arena.errors import FormErrors, NotFound
from arena.i18n import gettext as _
from arena.pagination import like_pattern
from arena.records import policy
from arena.records.enums import OPEN_STATUSES
from arena.records.models import (
    Certificate,
    Recipient,
    Record,
    RecordRule,
    RecordStatus,
    RecordType,
    Trigger,
)
from arena.records.proposals import rules_in_force
from arena.records.rules import allowed as rule_allowed
from arena.units import orgdept
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
    title or number, or the 文号. `q` is cleaned by pagination.clean_search."""
    pattern = like_pattern(q)
    return or_(*(column.like(pattern, escape="\\") for column in (
        Cadre.name, Cadre.code, Challenge.title, Challenge.number, Record.document_number)))


def organizer_queue(actor: Actor, status: str | None, q: str = "") -> Select[*tuple[Any, ...]]:
    """Records of the organizer's challenges (the SQL twin of policy.may_recommend), every state
    unless one is asked for; the newest first. The organizer follows them and gives opinions;
    the 组织部门 decides."""
    stmt = row_query().where(managed_by(actor))
    if q:
        stmt = stmt.where(keyword_condition(q))
    if status in {s.value for s in RecordStatus}:
        stmt = stmt.where(Record.status == status)
    elif status == "open":
        stmt = stmt.where(Record.status.in_(sorted(OPEN_STATUSES)))
    return stmt.order_by(Record.id.desc())


def inspector_queue(status: str | None, q: str = "") -> Select[*tuple[Any, ...]]:
    """Records of every department waiting for a decision (inspectors give opinions on them),
    oldest first; or those in one state, or all (`status="all"`), newest first."""
    stmt = row_query()
    if q:
        stmt = stmt.where(keyword_condition(q))
    if status in {s.value for s in RecordStatus}:
        return stmt.where(Record.status == status).order_by(Record.id.desc())
    if status == "all":
        return stmt.order_by(Record.id.desc())
    return stmt.where(Record.status.in_(sorted(OPEN_STATUSES))).order_by(Record.proposed_at, Record.id)


async def department_record(db: AsyncSession, actor: Actor, record_id: int) -> tuple[RecordRow, frozenset[int]]:
    """A record the actor's 组织部门 decides (policy.may_decide), with the departments the actor
    acts for; anything else — another department's record, an organizer, a bad id — is answered
    as not found, so a department outside the cadre's scope learns nothing."""
    member_of = await orgdept.member_of(db, actor)
    row = (await db.execute(row_query().where(Record.id == record_id))).tuples().first() \
        if valid_id(record_id) and member_of else None
    if row is None or not policy.may_decide(actor, row[0].org_department_id, member_of):
        raise NotFound(_("该结果运用建议不存在，或不由你所在的组织部门审批。"))
    return RecordRow(*row), member_of


async def readable_record(db: AsyncSession, actor: Actor, record_id: int) -> tuple[RecordRow, frozenset[int]]:
    """A record whose page the actor may read (policy.may_read_record): the deciding department,
    the challenge's organizer, inspectors. Anyone else: not found."""
    member_of = await orgdept.member_of(db, actor)
    row = (await db.execute(row_query().where(Record.id == record_id))).tuples().first() \
        if valid_id(record_id) else None
    if row is None or not policy.may_read_record(actor, row[3].organizer_id, row[0].org_department_id, member_of):
        raise NotFound(_("该结果运用建议不存在，或你无权查看。"))
    return RecordRow(*row), member_of


def department_queue(member_of: frozenset[int], status: str | None, q: str = "") -> Select[*tuple[Any, ...]]:
    """Records the actor's departments decide (the SQL twin of policy.may_decide): those waiting
    for a decision first, oldest first, by default."""
    stmt = row_query().where(Record.org_department_id.in_(sorted(member_of) or [0]))
    if q:
        stmt = stmt.where(keyword_condition(q))
    if status in {s.value for s in RecordStatus}:
        stmt = stmt.where(Record.status == status)
    elif status != "all":
        stmt = stmt.where(Record.status.in_(sorted(OPEN_STATUSES)))
    if status in (None, "", RecordStatus.PROPOSED.value, RecordStatus.HEARING.value):
        return stmt.order_by(Record.proposed_at, Record.id)
    return stmt.order_by(Record.id.desc())


def parse_document(number: str, raw_date: str, today: date) -> tuple[str, date]:
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


# --- rules -------------------------------------------------------------------------------------

async def update_rules(db: AsyncSession, clock: Clock, actor: Actor, active: set[int],
                       unless_exempted: set[int]) -> int:
    """Switch rules on or off and set their exemption condition; returns how many changed.
    Rules are never deleted, so every past proposal still names the rule it came from."""
    changed = 0
    for rule in await rules_in_force(db):
        # a rule elimination may not have (accountability on elimination) is never switched on
        new_active = rule.id in active and rule_allowed(rule.trigger, rule.record_type)
        new_unless = rule.id in unless_exempted
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
    if not rule_allowed(trigger, record_type):
        raise FormErrors({"new_record_type": _(
            "赛马末位淘汰不是过错，不能据此建议诫勉、岗位调整或岗位退出；请选择其他类型")})
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
