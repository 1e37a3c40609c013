"""任前公示 and 表彰公示: an approved promotion or award is published for its department's number
of working days (records.decisions approves it), anyone logged in may object, the deciding
组织部门 answers every objection, and the record takes effect when the period has ended with no
objection open — by the department's button or the worker (`conclude_due`); an award gets its
certificate (荣誉证书) only then. An upheld objection withdraws the record (已撤回) with the
reply as its public reason; the department may also withdraw it during its 公示, and revoke
(撤销) an effective record, with a reason that /verify shows.

Anonymity: who objected is for the deciding department and the inspectors only
(policy.may_read_objectors). Nothing the public pages, the notice PDF or the honour roll read
loads an objector; the audit event of an objection names its objector only to inspectors
(audit.redaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import SYSTEM, Actor
from arena.audit import service as audit
from arena.auth.models import User
from arena.challenges.models import Challenge
from arena.clock import Clock, day_of
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound, required_text
from arena.execution.models import Project
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.notify.service import notify
from arena.records import certificates, policy, service
from arena.records.enums import AWARD_TYPES, CERTIFIED_TYPES, PUBLICIZED_TYPES, ObjectionStatus, RecordStatus
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import Certificate, Record, RecordObjection
from arena.records.transitions import RECORD, RECORD_OBJECTION
from arena.units.models import Cadre, OrgDepartment, OrgDepartmentMember, Unit

REASON_MAX = 2000
REPLY_MAX = 2000
ROLE = "org_dept"


# --- reading (public) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeRow:
    """A publicized record as the public reads it: never an objector."""

    record: Record
    cadre: Cadre
    unit: Unit
    challenge: Challenge
    department: OrgDepartment | None
    grade: str | None  # the project's acceptance grade (验收等次)
    objections: int
    answered: int

    def running(self, now: datetime) -> bool:
        """Objections may be filed: in its 公示 and before the period's end."""
        return (self.record.status == RecordStatus.PUBLICITY.value and self.record.publicity_ends_at is not None
                and now < self.record.publicity_ends_at)

    @property
    def kind(self) -> str:
        """表彰公示 for an award, 任前公示 for a promotion (msgid)."""
        return lazy("表彰公示") if self.record.record_type in AWARD_TYPES else lazy("任前公示")

    @property
    def is_award(self) -> bool:
        return self.record.record_type in AWARD_TYPES


def _counts() -> Any:
    answered = case((RecordObjection.status != ObjectionStatus.OPEN.value, 1), else_=0)
    return (select(RecordObjection.record_id, func.count().label("total"), func.sum(answered).label("answered"))
            .group_by(RecordObjection.record_id).subquery())


def _notice_query() -> Select[Any]:
    """Publicized records after their approval, with what the public pages show, in one statement."""
    counts = _counts()
    return (select(Record, Cadre, Unit, Challenge, OrgDepartment, Project.grade, counts.c.total, counts.c.answered)
            .join(Cadre, Cadre.id == Record.cadre_id).join(Unit, Unit.id == Cadre.unit_id)
            .join(Challenge, Challenge.id == Record.challenge_id).join(Project, Project.id == Record.project_id)
            .outerjoin(OrgDepartment, OrgDepartment.id == Record.org_department_id)
            .outerjoin(counts, counts.c.record_id == Record.id)
            .where(Record.record_type.in_(sorted(PUBLICIZED_TYPES)), Record.status.in_(sorted(policy.PUBLIC_STATUSES)),
                   Record.publicity_ends_at.is_not(None)))


def notice_rows(result: Any) -> list[NoticeRow]:
    return [NoticeRow(record, cadre, unit, challenge, department, grade, int(total or 0), int(answered or 0))
            for record, cadre, unit, challenge, department, grade, total, answered in result]


def public_notices(kind: str = "") -> Select[Any]:
    """Every 任前公示 / 表彰公示: those running first (ending soonest first), then those that ended,
    newest first. `kind`: "award" or "promotion" narrows the list."""
    stmt = _notice_query()
    if kind == "award":
        stmt = stmt.where(Record.record_type.in_(sorted(AWARD_TYPES)))
    elif kind == "promotion":
        stmt = stmt.where(Record.record_type.in_(sorted(PUBLICIZED_TYPES - AWARD_TYPES)))
    running = case((Record.status == RecordStatus.PUBLICITY.value, 0), else_=1)
    return stmt.order_by(running, Record.publicity_first_day.desc(), Record.id.desc())


async def public_notice(db: AsyncSession, record_id: int) -> NoticeRow:
    """One publicized record for its public page and notice PDF; anything else is not found."""
    found = notice_rows((await db.execute(_notice_query().where(Record.id == record_id))).all()) \
        if valid_id(record_id) else []
    if not found:
        raise NotFound(_("该公示不存在"))
    return found[0]


def honours() -> Select[Any]:
    """The honour roll (光荣榜): awards that passed their 表彰公示 and stand (not revoked), newest first."""
    return (_notice_query().where(Record.record_type.in_(sorted(AWARD_TYPES)),
                                  Record.status == RecordStatus.EFFECTIVE.value)
            .order_by(Record.effective_at.desc(), Record.id.desc()))


# --- reading (the deciding department) -----------------------------------------------------------

@dataclass(frozen=True)
class ObjectionView:
    objection: RecordObjection
    objector: str | None  # display name: only for policy.may_read_objectors


@dataclass(frozen=True)
class Panel:
    """What the record page's 公示 section shows (templates/records/_record_objections.html)."""

    record: Record
    objections: list[ObjectionView]
    may_decide: bool
    show_objectors: bool
    now: datetime

    @property
    def open_count(self) -> int:
        return sum(1 for o in self.objections if o.objection.status == ObjectionStatus.OPEN.value)

    @property
    def running(self) -> bool:
        return (self.record.status == RecordStatus.PUBLICITY.value and self.record.publicity_ends_at is not None
                and self.now < self.record.publicity_ends_at)

    @property
    def may_take_effect(self) -> bool:
        ends = self.record.publicity_ends_at
        return (self.may_decide and self.record.status == RecordStatus.PUBLICITY.value and ends is not None
                and self.now >= ends and not self.open_count)


async def panel(db: AsyncSession, clock: Clock, actor: Actor, record: Record, member_of: frozenset[int]) -> Panel:
    """The 公示 section of a record's page for a reader the caller has let read it (records.service
    readable_record / department_record): objectors' names only for policy.may_read_objectors."""
    show = policy.may_read_objectors(actor, record.org_department_id, member_of)
    where = (RecordObjection.record_id == record.id,)
    if show:
        named = (await db.execute(select(RecordObjection, User.display_name)
                                  .join(User, User.id == RecordObjection.objector_id)
                                  .where(*where).order_by(RecordObjection.seq))).tuples().all()
        views = [ObjectionView(o, name) for o, name in named]
    else:  # the objector is never loaded
        views = [ObjectionView(o, None) for o in (await db.scalars(
            select(RecordObjection).where(*where).order_by(RecordObjection.seq))).all()]
    return Panel(record, views, policy.may_decide(actor, record.org_department_id, member_of), show, clock.now())


async def my_objections(db: AsyncSession, actor: Actor) -> list[tuple[RecordObjection, Record, Cadre]]:
    """The objections the actor filed, with their answers (the objector reads their own)."""
    if actor.user_id is None:
        return []
    rows = (await db.execute(
        select(RecordObjection, Record, Cadre).join(Record, Record.id == RecordObjection.record_id)
        .join(Cadre, Cadre.id == Record.cadre_id).where(RecordObjection.objector_id == actor.user_id)
        .order_by(RecordObjection.id.desc()).limit(200))).tuples().all()
    return list(rows)


# --- objections ----------------------------------------------------------------------------------

async def _department_members(db: AsyncSession, department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return list((await db.scalars(select(OrgDepartmentMember.user_id).where(
        OrgDepartmentMember.org_department_id == department_id))).all())


async def file_objection(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, reason: str) -> RecordObjection:
    """Anyone logged in objects while the 公示 runs; the public never learns who."""
    if not policy.may_object(actor):
        raise DomainError(_("请登录后提出异议"))
    row = await public_notice(db, record_id)
    now = clock.now()
    if not row.running(now):
        raise DomainError(_("当前不在公示期内，不能提出异议"))
    text = required_text(reason, "reason", _("请写明异议的事实和理由"), REASON_MAX)
    # Two objections at once would both read the same last number: the record's row lock makes
    # the second wait for the first to commit (SQLite's single writer does the same by itself).
    await db.execute(select(Record.id).where(Record.id == row.record.id).with_for_update())
    seq = int(await db.scalar(select(func.coalesce(func.max(RecordObjection.seq), 0))
                              .where(RecordObjection.record_id == row.record.id)) or 0) + 1
    objection = RecordObjection(record_id=row.record.id, seq=seq, objector_id=actor.user_id, reason=text,
                                status=ObjectionStatus.OPEN.value, filed_at=now)
    db.add(objection)
    await db.flush()
    # the actor is the objector: the log shows them to inspectors only (audit.redaction)
    await audit.record(db, clock, actor, "user", "record.object", "record", row.record.id, {"seq": seq})
    await notify(db, clock, await _department_members(db, row.record.org_department_id), "record.objection",
                 _("公示收到异议：{name}").format(name=row.cadre.name),
                 _("“{type}”公示期间收到第 {n} 件异议，请核实后答复；异议全部答复后才能生效。").format(
                     type=_(RECORD_TYPE_LABELS[row.record.record_type]), n=seq),
                 f"/records/{row.record.id}#objections")
    return objection


async def answer_objection(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, objection_id: int,
                           outcome: str, reply: str) -> RecordObjection:
    """The deciding department answers: upheld (成立) withdraws the record, with the reply as its
    public reason; dismissed (不成立) leaves it in its 公示. The objector reads the answer."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    objection = await db.scalar(select(RecordObjection).where(
        RecordObjection.id == objection_id, RecordObjection.record_id == record.id)) \
        if valid_id(objection_id) else None
    if objection is None:
        raise NotFound(_("该异议不存在"))
    errors: dict[str, str] = {}
    if outcome not in (ObjectionStatus.UPHELD.value, ObjectionStatus.DISMISSED.value):
        errors["outcome"] = _("请选择异议是否成立")
    text = reply.strip()
    if not text:
        errors["reply"] = _("请填写答复意见（异议人可以看到）")
    elif len(text) > REPLY_MAX or "\x00" in text:
        errors["reply"] = _("最多 {n} 个字符").format(n=REPLY_MAX)
    if errors:
        raise FormErrors(errors)
    upheld = outcome == ObjectionStatus.UPHELD.value
    RECORD_OBJECTION.move_quietly(objection, "uphold" if upheld else "dismiss")
    objection.reply, objection.answered_at, objection.answered_by_id = text, clock.now(), actor.user_id
    await db.flush()
    await audit.record(db, clock, actor, ROLE, "record.answer", "record", record.id,
                       {"seq": objection.seq, "outcome": outcome})
    if upheld and record.status == RecordStatus.PUBLICITY.value:
        await _withdraw(db, clock, actor, row, _("异议成立：{reply}").format(reply=text), objection.seq)
    await notify(db, clock, [objection.objector_id], "record.objection_answered",
                 _("异议已答复：{name}的{type}公示").format(
                     name=row.cadre.name, type=_(RECORD_TYPE_LABELS[record.record_type])),
                 (_("经核实，异议成立，该公示已撤回。") if upheld else _("经核实，异议不成立。"))
                 + _("答复意见：{reply}").format(reply=text), f"/publicity/records/{record.id}")
    return objection


# --- withdraw, take effect, revoke ---------------------------------------------------------------

async def _withdraw(db: AsyncSession, clock: Clock, actor: Actor, row: service.RecordRow, reason: str,
                    objection: int | None = None) -> None:
    record = row.record
    RECORD.check("withdraw", record.status)
    record.closed_at, record.closed_reason, record.closed_by_id = clock.now(), reason, actor.user_id
    summary: dict[str, Any] = {"reason": reason}
    if objection is not None:
        summary["objection"] = objection
    await RECORD.move(db, clock, actor, ROLE, record, "withdraw", summary)
    await notify(db, clock, [row.cadre.user_id], "record.withdrawn",
                 _("结果运用已撤回：{type}").format(type=_(RECORD_TYPE_LABELS[record.record_type])),
                 _("“{title}”的{type}在公示期间撤回。理由：{reason}").format(
                     title=row.challenge.title, type=_(RECORD_TYPE_LABELS[record.record_type]), reason=reason),
                 f"/my/records/{record.id}")


async def withdraw(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, reason: str) -> Record:
    """The department withdraws a record during its 公示, with a public reason."""
    row, _member_of = await service.department_record(db, actor, record_id)
    RECORD.check("withdraw", row.record.status)
    why = required_text(reason, "withdraw_reason", _("请写明撤回的理由（将在公示页面公开）"), REASON_MAX)
    await _withdraw(db, clock, actor, row, why)
    return row.record


async def open_objections(db: AsyncSession, record_id: int) -> int:
    return int(await db.scalar(select(func.count()).select_from(RecordObjection).where(
        RecordObjection.record_id == record_id, RecordObjection.status == ObjectionStatus.OPEN.value)) or 0)


def _day(moment: datetime | None) -> str:
    return day_of(moment).isoformat() if moment else ""


async def _take_effect(db: AsyncSession, clock: Clock, actor: Actor, row: service.RecordRow) -> bool:
    """Move the record to effective (and certify an award) if nobody has yet; False when another
    worker or person got there first. The caller has checked the period and the objections."""
    record, now = row.record, clock.now()
    # compare-and-set: of two workers (or a worker and the button), one moves it
    moved = await db.execute(RECORD.moving(update(Record).where(Record.id == record.id), Record.status,
                                           "take_effect").values(effective_at=now)
                             .execution_options(synchronize_session=False))
    if not moved.rowcount:  # type: ignore[attr-defined]
        return False
    await db.refresh(record)
    await RECORD.record(db, clock, actor, ROLE, record, "take_effect", RecordStatus.PUBLICITY.value,
                        {"type": record.record_type})
    certified = ""
    if record.record_type in CERTIFIED_TYPES and not await db.scalar(
            select(Certificate.id).where(Certificate.record_id == record.id)):
        await certificates.issue(db, clock, actor, record, ROLE)
        certified = _("荣誉证书已颁发，可在实绩档案中下载。")
    await notify(db, clock, [row.cadre.user_id], "record.effective",
                 _("结果运用已生效：{type}").format(type=_(RECORD_TYPE_LABELS[record.record_type])),
                 _("“{title}”的{type}（{number}）公示期满，已生效并记入你的实绩档案。").format(
                     title=row.challenge.title, type=_(RECORD_TYPE_LABELS[record.record_type]),
                     number=record.document_number or "") + certified, f"/my/records/{record.id}")
    return True


async def _refusal(db: AsyncSession, record: Record, now: datetime) -> str | None:
    """Why the record may not take effect yet, or None."""
    if record.publicity_ends_at is None or now < record.publicity_ends_at:
        return _("公示期至 {day} 结束，期满后才能生效").format(
            day=record.publicity_last_day.isoformat() if record.publicity_last_day else _day(record.publicity_ends_at))
    if waiting := await open_objections(db, record.id):
        return _("还有 {n} 件异议未答复，全部答复后才能生效").format(n=waiting)
    return None


async def take_effect(db: AsyncSession, clock: Clock, actor: Actor, record_id: int) -> Record:
    """The department's button: the 公示 has ended and every objection is answered."""
    row, _member_of = await service.department_record(db, actor, record_id)
    RECORD.check("take_effect", row.record.status)
    if (refusal := await _refusal(db, row.record, clock.now())) is not None:
        raise DomainError(refusal)
    if not await _take_effect(db, clock, actor, row):
        raise DomainError(_("该记录已生效"))
    return row.record


async def conclude_due(db: AsyncSession, clock: Clock) -> int:
    """The worker's pass: every record whose 公示 has ended with no objection open takes effect.
    Returns how many this pass moved."""
    now = clock.now()
    waiting = exists().where(RecordObjection.record_id == Record.id,
                             RecordObjection.status == ObjectionStatus.OPEN.value)
    due = (await db.execute(service.row_query().where(
        Record.status == RecordStatus.PUBLICITY.value, Record.publicity_ends_at <= now, ~waiting)
        .order_by(Record.publicity_ends_at, Record.id).limit(200))).tuples().all()
    moved = 0
    for found in due:
        moved += await _take_effect(db, clock, SYSTEM, service.RecordRow(*found))
    return moved


async def revoke(db: AsyncSession, clock: Clock, actor: Actor, record_id: int, reason: str) -> Record:
    """The department revokes an effective record (撤销), with a reason /verify and the public
    pages show; a certificate stays on file and verifies as revoked."""
    row, _member_of = await service.department_record(db, actor, record_id)
    record = row.record
    RECORD.check("revoke", record.status)
    why = required_text(reason, "revoke_reason", _("请写明撤销的理由（将公开显示）"), REASON_MAX)
    record.closed_at, record.closed_reason, record.closed_by_id = clock.now(), why, actor.user_id
    await RECORD.move(db, clock, actor, ROLE, record, "revoke", {"type": record.record_type, "reason": why})
    await notify(db, clock, [row.cadre.user_id], "record.revoked",
                 _("结果运用已撤销：{type}").format(type=_(RECORD_TYPE_LABELS[record.record_type])),
                 _("“{title}”的{type}已撤销。理由：{reason}").format(
                     title=row.challenge.title, type=_(RECORD_TYPE_LABELS[record.record_type]), reason=why),
                 f"/my/records/{record.id}")
    return record
