"""The audit log as inspectors read it (issue 22): filters in the reader's words, rows with
the actor's name and a readable summary, and the filtered log exported (Excel, CSV) with every
chain field, so anyone can recompute each event's hash offline with arena.audit.chain.

What a reader may see is decided once, by arena.audit.redaction, for the page and the exports
alike. A filter never finds by a withheld value: searching an actor by name skips the events
whose actor the reader may not see (who filed an objection), or the search itself would tell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from openpyxl.styles import Font
from sqlalchemy import Select, false, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import offload
from arena.actor import ROLE_LABELS, Role
from arena.audit import redaction, summary
from arena.audit.chain import format_moment
from arena.audit.labels import OBJECT_LABELS, action_label, actions_named, object_label
from arena.audit.models import AuditEvent
from arena.auth.models import User
from arena.clock import DISPLAY_TZ, to_display
from arena.errors import DomainError
from arena.excel import FORMULA_PREFIXES, new_workbook, workbook_bytes
from arena.i18n import gettext as _

PER_PAGE = 50
EXPORT_MAX = 20_000
"""Rows in one export: more asks for a narrower filter (a month of a busy province is well under)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_NAMES = ("from", "to", "actor", "role", "object_type", "object_id", "action")


@dataclass
class Filters:
    """The log's filters as typed (`values`, given back to the form) and as understood."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    since: datetime | None = None
    until: datetime | None = None

    def params(self) -> dict[str, str]:
        """The filters for links (pagination, exports): only those that are set and valid."""
        return {k: v for k, v in self.values.items() if v and k not in self.errors}


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse(query: Mapping[str, str]) -> Filters:
    """Filters from the query string; a malformed value is reported and not applied."""
    values = {name: (query.get(name) or "").replace("\x00", "").strip()[:64] for name in FILTER_NAMES}
    filters = Filters(values)
    for name in ("from", "to"):
        if values[name] and _day(values[name]) is None:
            filters.errors[name] = _("请按 年-月-日 填写日期，例如 2026-12-01")
    first, last = _day(values["from"]), _day(values["to"])
    if first and last and first > last:
        filters.errors["to"] = _("结束日期不能早于开始日期")
        last = None
    if first:  # Beijing dates: the day starts at 00:00 Asia/Shanghai
        filters.since = datetime.combine(first, time(), DISPLAY_TZ).astimezone(UTC)
    if last:
        filters.until = datetime.combine(last + timedelta(days=1), time(), DISPLAY_TZ).astimezone(UTC)
    if values["role"] and values["role"] not in ROLE_LABELS:
        filters.errors["role"] = _("请从列表中选择角色")
    if values["object_id"] and not values["object_type"]:
        filters.errors["object_id"] = _("按对象编号筛选时，请同时选择对象类型")
    return filters


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def hidden_actor_actions(roles: frozenset[Role]) -> list[str]:
    """The actions whose actor this reader may not see."""
    return [action for action in redaction.CONFIDENTIAL_ACTOR if not redaction.may_see_actor(action, roles)]


def query(filters: Filters, roles: frozenset[Role]) -> Select[*tuple[Any, ...]]:
    """Events matching the filters, newest first, each with its actor's display name."""
    stmt = (select(AuditEvent, User.display_name).outerjoin(User, User.id == AuditEvent.actor_id)
            .order_by(AuditEvent.seq.desc()))
    values = {k: v for k, v in filters.values.items() if v and k not in filters.errors}
    if filters.since is not None and "from" not in filters.errors:
        stmt = stmt.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None and "to" not in filters.errors:
        stmt = stmt.where(AuditEvent.occurred_at < filters.until)
    if "actor" in values:
        pattern = _like(values["actor"])
        stmt = stmt.where(or_(AuditEvent.actor_name.ilike(pattern, escape="\\"),
                              User.display_name.like(pattern, escape="\\")))
        hidden = hidden_actor_actions(roles)
        if hidden:
            stmt = stmt.where(not_(AuditEvent.action.in_(hidden)))
    if "role" in values:
        stmt = stmt.where(AuditEvent.actor_role == values["role"])
    if "object_type" in values:
        stmt = stmt.where(AuditEvent.object_type == values["object_type"][:32])
        if "object_id" in values:
            stmt = stmt.where(AuditEvent.object_id == values["object_id"])
    if "action" in values:
        codes = actions_named(values["action"])
        stmt = stmt.where(AuditEvent.action.in_(codes) if codes else false())
    return stmt


@dataclass(frozen=True)
class Row:
    """One event as this reader sees it, with what the page and the exports show."""

    event: redaction.ShownEvent
    actor_id: int | None
    prev_hash: str
    actor_display: str
    lines: list[summary.Line]

    @property
    def object_name(self) -> str:
        return object_label(self.event.object_type)


def rows(found: Sequence[Any], roles: frozenset[Role]) -> list[Row]:
    """(AuditEvent, display name) pairs as rows. Inspectors read each actor by name; other
    readers (the admin) by login, as stored. A withheld actor is withheld in every column."""
    out = []
    for stored, display_name in found:
        shown = redaction.shown(stored, roles)
        withheld = not redaction.may_see_actor(stored.action, roles)
        if withheld:
            actor_display, actor_id = redaction.WITHHELD, None
        elif Role.INSPECTOR in roles and display_name:
            actor_display, actor_id = display_name, stored.actor_id
        else:
            actor_display, actor_id = stored.actor_name, stored.actor_id
        lines = summary.lines(shown.object_type, shown.summary)
        out.append(Row(shown, actor_id, stored.prev_hash, actor_display, lines))
    return out


def object_choices() -> list[tuple[str, str]]:
    return sorted(((code, object_label(code)) for code in OBJECT_LABELS), key=lambda pair: pair[0])


def role_choices() -> list[tuple[str, str]]:
    return [(str(code), _(label)) for code, label in ROLE_LABELS.items()]


# --- exports ---------------------------------------------------------------------------------

async def export_rows(db: AsyncSession, filters: Filters, roles: frozenset[Role]) -> list[Row]:
    stmt = query(filters, roles).order_by(None).order_by(AuditEvent.seq)
    found = (await db.execute(stmt.limit(EXPORT_MAX + 1))).all()
    if len(found) > EXPORT_MAX:
        raise DomainError(_("筛选结果超过 {n} 条，请缩小日期范围后再导出").format(n=EXPORT_MAX))
    return rows(found, roles)


def _header() -> list[str]:
    return [_("序号"), _("时间（北京时间）"), _("操作人"), _("角色"), _("操作"), _("对象"), _("变更摘要"),
            "seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action", "object_type", "object_id",
            "summary", "prev_hash", "hash", _("可复算")]


NOTE = ("核验方法：第 8–17 列（seq 至 prev_hash）是审计链为每条事件计算哈希的原始字段。把它们组成 JSON 对象"
        "（键按字母排序、无空格、UTF-8、actor_id 与 seq 为整数、actor_id 为空时为 null），其 SHA-256 十六进制"
        "摘要应等于 hash 列，且每条的 prev_hash 等于上一序号事件的 hash。以单引号 ' 开头的单元格是为防止"
        "电子表格把内容当作公式而加的，复算前去掉。“可复算”为“否”的行有内容按您的权限隐去，无法复算。"
        "详见 README “Checking the audit log offline”。")


def _record(row: Row) -> list[Any]:
    e = row.event
    complete = not e.redacted
    return [e.seq, (to_display(e.occurred_at) or e.occurred_at).strftime("%Y-%m-%d %H:%M:%S"), row.actor_display,
            _(ROLE_LABELS[e.actor_role]) if e.actor_role in ROLE_LABELS else e.actor_role,
            action_label(e.action), f"{row.object_name} #{e.object_id}",
            "；".join(f"{line.label}：{line.value}" for line in row.lines),
            e.seq, format_moment(e.occurred_at), row.actor_id if complete else redaction.WITHHELD, e.actor_name,
            e.actor_role, e.action, e.object_type, e.object_id, e.summary, row.prev_hash, e.hash,
            _("是") if complete else _("否")]


def _xlsx(header: list[str], records: list[list[Any]], note: str, title: str) -> bytes:
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([note])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append(record)
    sheet.freeze_panes = "A3"
    return workbook_bytes(book)


def _safe(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading '."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def _csv(header: list[str], records: list[list[Any]], note: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([note])
    writer.writerow(header)
    for record in records:
        writer.writerow([_safe(value) for value in record])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8


async def export(db: AsyncSession, filters: Filters, roles: frozenset[Role], kind: str) -> tuple[bytes, str]:
    """The filtered log as .xlsx or .csv bytes and its media type; built off the event loop."""
    records = [_record(row) for row in await export_rows(db, filters, roles)]
    if kind == "xlsx":
        return await offload.run(offload.EXPORTS, _xlsx, _header(), records, _(NOTE), _("审计日志")), XLSX
    return await offload.run(offload.EXPORTS, _csv, _header(), records, _(NOTE)), "text/csv; charset=utf-8"

