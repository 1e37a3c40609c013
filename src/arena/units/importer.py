"""Bulk import of cadres and experts from an Excel workbook (.xlsx).

All or nothing: every row of both sheets is checked first; one bad row means nothing is
written and the caller gets every problem (sheet, row, column, message). Rows are matched to
people by their number (工号 / 专家编号), so importing the same file twice changes nothing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth.models import User
from arena.clock import DISPLAY_TZ, Clock
from arena.i18n import gettext as _
from arena.units.models import RANK_BY_LABEL, RANK_LABELS, Cadre, Expert, Field, Rank, Unit

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
CADRE_SHEET = "干部"
EXPERT_SHEET = "专家"
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "n", "no", "false", "0", ""}
LIST_SEPARATORS = ("、", "，", ",", "；", ";", "/")


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool
    max_length: int = 100


CADRE_COLUMNS = [
    Column("工号", "code", True, 32), Column("姓名", "name", True, 64), Column("单位", "unit", True, 100),
    Column("职务", "position", True, 100), Column("职级", "rank", True, 24), Column("出生日期", "birth_date", True),
    Column("领域", "fields", False, 200), Column("基层一线", "frontline", False, 8),
    Column("账号", "username", False, 64),
]
EXPERT_COLUMNS = [
    Column("专家编号", "code", True, 32), Column("姓名", "name", True, 64), Column("单位", "unit", True, 100),
    Column("职称", "title", True, 64), Column("领域", "fields", True, 200),
    Column("年度评审上限", "cap", False, 8), Column("账号", "username", False, 64),
]


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int
    column: str
    message: str

    def describe(self) -> str:
        where = _("{sheet} 第 {row} 行").format(sheet=_(self.sheet), row=self.row)
        if self.column:
            where += _("「{column}」").format(column=_(self.column))
        return f"{where}：{self.message}"


class ImportRejected(Exception):
    """The file was not imported; `problems` lists every reason, row by row."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(_("导入未执行：发现 {n} 处问题").format(n=len(problems)))
        self.problems = problems


@dataclass
class ImportOutcome:
    created: dict[str, int] = field(default_factory=lambda: {"cadre": 0, "expert": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"cadre": 0, "expert": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"cadre": 0, "expert": 0})

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def describe(self) -> str:
        summary = _("导入完成：干部新增 {c1} 人、更新 {u1} 人、未变 {n1} 人；"
                    "专家新增 {c2} 人、更新 {u2} 人、未变 {n2} 人")
        return summary.format(
            c1=self.created["cadre"], u1=self.updated["cadre"], n1=self.unchanged["cadre"],
            c2=self.created["expert"], u2=self.updated["expert"], n2=self.unchanged["expert"])


# --- reading the workbook ---------------------------------------------------------------------

@dataclass(frozen=True)
class RawRow:
    number: int  # the row number as Excel shows it
    values: dict[str, Any]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _read_sheet(workbook: Any, sheet: str, columns: list[Column], problems: list[ImportProblem]) -> list[RawRow]:
    if sheet not in workbook.sheetnames:
        return []
    rows = workbook[sheet].iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [_cell_text(cell).rstrip("*＊ ") for cell in header]  # "工号*" marks a required column
    positions: dict[str, int] = {}
    for column in columns:
        if column.header in names:
            positions[column.key] = names.index(column.header)
        elif column.required:
            problems.append(ImportProblem(sheet, 1, column.header, _("缺少这一列（请使用下载的模板）")))
    if any(column.required and column.key not in positions for column in columns):
        return []
    found: list[RawRow] = []
    for number, cells in enumerate(rows, start=2):
        values = {key: (cells[index] if index < len(cells) else None) for key, index in positions.items()}
        if all(_cell_text(v) == "" for v in values.values()):
            continue
        if len(found) >= MAX_ROWS:
            problems.append(ImportProblem(sheet, number, "", _("一次最多导入 {n} 行").format(n=MAX_ROWS)))
            break
        found.append(RawRow(number, values))
    return found


def open_workbook(data: bytes) -> Any:
    """The workbook, or ImportRejected with one clear reason when the bytes are not an .xlsx."""
    if len(data) > MAX_BYTES:
        raise ImportRejected([ImportProblem("", 0, "", _("文件超过 5 MB，请拆分后导入"))])
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRejected([ImportProblem("", 0, "", _("文件不是 Excel（.xlsx）格式"))])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                raise ImportRejected([ImportProblem("", 0, "", _("文件不是 Excel（.xlsx）格式"))])
            # A zip bomb: refuse archives that would unpack to far more than they weigh.
            if sum(info.file_size for info in archive.infolist()) > 50 * MAX_BYTES:
                raise ImportRejected([ImportProblem("", 0, "", _("文件内容过大，无法导入"))])
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected([ImportProblem("", 0, "", _("文件已损坏或无法读取"))]) from exc


# --- checking rows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """What rows may refer to, loaded once: units by name and code, fields, accounts."""

    units: dict[str, int]
    fields: dict[str, Field]
    users: dict[str, int]


@dataclass
class RowReader:
    sheet: str
    row: RawRow
    columns: dict[str, Column]
    problems: list[ImportProblem]

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ImportProblem(self.sheet, self.row.number, self.columns[key].header, message))

    def text(self, key: str) -> str:
        value = _cell_text(self.row.values.get(key))
        column = self.columns[key]
        if not value and column.required:
            self.problem(key, _("不能为空"))
        elif len(value) > column.max_length:
            self.problem(key, _("最多 {n} 个字符（当前 {m} 个）").format(n=column.max_length, m=len(value)))
        elif "<" in value and ">" in value:
            self.problem(key, _("不能包含 HTML 标记"))
        return value


def _split_list(text: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def _fields(reader: RowReader, ref: Reference) -> list[Field]:
    chosen: list[Field] = []
    for name in _split_list(reader.text("fields")):
        if name not in ref.fields:
            reader.problem("fields", _("没有名为“{name}”的领域，可选：{options}").format(
                name=name, options="、".join(ref.fields)))
        elif ref.fields[name] not in chosen:
            chosen.append(ref.fields[name])
    return chosen


def _unit(reader: RowReader, ref: Reference) -> int | None:
    text = reader.text("unit")
    if text and text not in ref.units:
        reader.problem("unit", _("没有名称或代码为“{name}”的单位").format(name=text))
    return ref.units.get(text)


def _user(reader: RowReader, ref: Reference) -> int | None:
    text = reader.text("username")
    if text and text.lower() not in ref.users:
        reader.problem("username", _("没有名为“{name}”的账号").format(name=text))
    return ref.users.get(text.lower()) if text else None


def _birth_date(reader: RowReader, today: date) -> date | None:
    raw = reader.row.values.get("birth_date")
    if isinstance(raw, datetime):
        born = raw.date()
    elif isinstance(raw, date):
        born = raw
    else:
        text = reader.text("birth_date").replace("/", "-").replace(".", "-")
        if not text:
            return None
        try:
            year, month, day = (int(part) for part in text.split("-"))
            born = date(year, month, day)
        except ValueError:
            reader.problem("birth_date", _("“{value}”不是有效日期（格式：1990-01-31）").format(value=text[:20]))
            return None
    if not date(today.year - 80, 1, 1) <= born <= date(today.year - 16, 12, 31):
        reader.problem("birth_date", _("出生日期不合理：{value}").format(value=born.isoformat()))
        return None
    return born


@dataclass(frozen=True)
class CadreRow:
    number: int
    code: str
    name: str
    unit_id: int
    position: str
    rank: Rank
    birth_date: date
    fields: list[Field]
    frontline: bool
    user_id: int | None


@dataclass(frozen=True)
class ExpertRow:
    number: int
    code: str
    name: str
    unit_id: int
    title: str
    fields: list[Field]
    cap: int
    user_id: int | None


def _check_cadre(reader: RowReader, ref: Reference, today: date) -> CadreRow | None:
    code, name, position = reader.text("code"), reader.text("name"), reader.text("position")
    unit_id = _unit(reader, ref)
    rank_text = reader.text("rank")
    rank = RANK_BY_LABEL.get(rank_text) or (Rank(rank_text) if rank_text in Rank.__members__.values() else None)
    if rank_text and rank is None:
        reader.problem("rank", _("无法识别“{value}”，可选：{options}").format(
            value=rank_text, options="、".join(RANK_LABELS.values())))
    born = _birth_date(reader, today)
    fields = _fields(reader, ref)
    flag = reader.text("frontline").lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        reader.problem("frontline", _("请填写“是”或“否”"))
    user_id = _user(reader, ref)
    if unit_id is None or rank is None or born is None or not (code and name and position):
        return None
    return CadreRow(reader.row.number, code, name, unit_id, position, rank, born, fields, flag in TRUE_WORDS,
                    user_id)


def _check_expert(reader: RowReader, ref: Reference) -> ExpertRow | None:
    code, name, title = reader.text("code"), reader.text("name"), reader.text("title")
    unit_id = _unit(reader, ref)
    fields = _fields(reader, ref)
    cap_text = reader.text("cap") or "6"
    cap = int(cap_text) if cap_text.isdigit() else None
    if cap is None or not 0 <= cap <= 50:
        reader.problem("cap", _("必须是 0 到 50 之间的整数"))
    user_id = _user(reader, ref)
    if unit_id is None or cap is None or not (code and name and title and fields):
        return None
    return ExpertRow(reader.row.number, code, name, unit_id, title, fields, cap, user_id)


def _duplicates(sheet: str, rows: Iterable[CadreRow | ExpertRow], header: str,
                problems: list[ImportProblem]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            problems.append(ImportProblem(sheet, row.number, header, _("编号“{code}”与第 {row} 行重复").format(
                code=row.code, row=seen[row.code])))
        seen.setdefault(row.code, row.number)


async def _reference(session: AsyncSession) -> Reference:
    units: dict[str, int] = {}
    for unit_id, code, name in (await session.execute(select(Unit.id, Unit.code, Unit.name))).all():
        units[code] = unit_id
        units[name] = unit_id
    fields = {f.name: f for f in (await session.scalars(select(Field))).all()}
    users = {name.lower(): uid for uid, name in (await session.execute(select(User.id, User.username))).all()}
    return Reference(units, fields, users)


# --- writing ----------------------------------------------------------------------------------

def _cadre_values(row: CadreRow) -> dict[str, Any]:
    return {"name": row.name, "unit_id": row.unit_id, "position": row.position, "rank": row.rank.value,
            "birth_date": row.birth_date, "frontline": row.frontline, "user_id": row.user_id}


def _expert_values(row: ExpertRow) -> dict[str, Any]:
    return {"name": row.name, "unit_id": row.unit_id, "title": row.title, "annual_panel_cap": row.cap,
            "user_id": row.user_id}


def _changes(person: Cadre | Expert, values: dict[str, Any], fields: list[Field]) -> dict[str, Any]:
    changed = {key: {"before": str(getattr(person, key)), "after": str(value)}
               for key, value in values.items() if getattr(person, key) != value}
    before = sorted(f.name for f in person.fields)
    after = sorted(f.name for f in fields)
    if before != after:
        changed["fields"] = {"before": "、".join(before), "after": "、".join(after)}
    return changed


async def _existing(session: AsyncSession, model: type[Cadre] | type[Expert], codes: list[str]) -> dict[str, Any]:
    if not codes:
        return {}
    found = await session.scalars(select(model).where(model.code.in_(codes)).options(selectinload(model.fields)))
    return {str(person.code): person for person in found.all()}  # type: ignore[attr-defined]


async def _upsert(session: AsyncSession, clock: Clock, actor: Actor, kind: str, model: type[Cadre] | type[Expert],
                  rows: list[CadreRow] | list[ExpertRow], outcome: ImportOutcome) -> None:
    existing = await _existing(session, model, [row.code for row in rows])
    for row in rows:
        values = _cadre_values(row) if isinstance(row, CadreRow) else _expert_values(row)
        person = existing.get(row.code)
        if person is None:
            person = model(code=row.code, **values)
            person.fields = list(row.fields)
            session.add(person)
            await session.flush()
            outcome.created[kind] += 1
            await audit.record(session, clock, actor, "admin", f"{kind}.create", kind, person.id,
                               {"code": row.code, "via": "import"})
            continue
        changed = _changes(person, values, row.fields)
        if not changed:
            outcome.unchanged[kind] += 1
            continue
        for key, value in values.items():
            setattr(person, key, value)
        person.fields = list(row.fields)
        outcome.updated[kind] += 1
        await audit.record(session, clock, actor, "admin", f"{kind}.update", kind, person.id,
                           {"code": row.code, "via": "import", "changes": changed})


def _check_links(cadres: list[CadreRow], experts: list[ExpertRow], problems: list[ImportProblem]) -> None:
    """An account belongs to at most one cadre and one expert record."""
    for sheet, rows in ((CADRE_SHEET, cadres), (EXPERT_SHEET, experts)):
        seen: dict[int, int] = {}
        for row in rows:
            if row.user_id is not None and row.user_id in seen:
                problems.append(ImportProblem(sheet, row.number, "账号", _("该账号已在第 {row} 行使用").format(
                    row=seen[row.user_id])))
            if row.user_id is not None:
                seen.setdefault(row.user_id, row.number)


def _check_all(workbook: Any, ref: Reference, today: date) -> tuple[list[CadreRow], list[ExpertRow]]:
    problems: list[ImportProblem] = []
    if CADRE_SHEET not in workbook.sheetnames and EXPERT_SHEET not in workbook.sheetnames:
        raise ImportRejected([ImportProblem("", 0, "", _("工作簿中没有“干部”或“专家”工作表（请使用下载的模板）"))])
    cadre_columns = {c.key: c for c in CADRE_COLUMNS}
    expert_columns = {c.key: c for c in EXPERT_COLUMNS}
    cadres = [cadre for raw in _read_sheet(workbook, CADRE_SHEET, CADRE_COLUMNS, problems)
              if (cadre := _check_cadre(RowReader(CADRE_SHEET, raw, cadre_columns, problems), ref, today))]
    experts = [expert for raw in _read_sheet(workbook, EXPERT_SHEET, EXPERT_COLUMNS, problems)
               if (expert := _check_expert(RowReader(EXPERT_SHEET, raw, expert_columns, problems), ref))]
    _duplicates(CADRE_SHEET, cadres, "工号", problems)
    _duplicates(EXPERT_SHEET, experts, "专家编号", problems)
    _check_links(cadres, experts, problems)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.sheet != CADRE_SHEET, p.row)))
    return cadres, experts


async def _check_accounts_free(session: AsyncSession, cadres: list[CadreRow], experts: list[ExpertRow]) -> None:
    """An account already linked to another person's record may not be given to a second one."""
    problems: list[ImportProblem] = []
    for sheet, model, rows in ((CADRE_SHEET, Cadre, cadres), (EXPERT_SHEET, Expert, experts)):
        wanted: dict[int | None, CadreRow | ExpertRow] = {row.user_id: row for row in rows if row.user_id is not None}
        if not wanted:
            continue
        taken = (await session.execute(
            select(model.user_id, model.code).where(model.user_id.in_(list(wanted))))).all()
        for user_id, code in taken:
            row = wanted[user_id]
            if code != row.code:
                problems.append(ImportProblem(sheet, row.number, "账号", _("该账号已关联编号为 {code} 的人员").format(
                    code=code)))
    if problems:
        raise ImportRejected(problems)


async def import_people_file(session: AsyncSession, clock: Clock, actor: Actor, data: bytes) -> ImportOutcome:
    """Import every row, or none: raises ImportRejected with every problem found."""
    workbook = open_workbook(data)
    try:
        ref = await _reference(session)
        cadres, experts = _check_all(workbook, ref, clock.now().astimezone(DISPLAY_TZ).date())
    finally:
        workbook.close()
    await _check_accounts_free(session, cadres, experts)
    outcome = ImportOutcome()
    await _upsert(session, clock, actor, "cadre", Cadre, cadres, outcome)
    await _upsert(session, clock, actor, "expert", Expert, experts, outcome)
    if outcome.changed:
        await audit.record(session, clock, actor, "admin", "people.import", "unit", "*",
                           {"created": outcome.created, "updated": outcome.updated})
    return outcome


# --- the template -----------------------------------------------------------------------------

def _header(sheet: Any, columns: list[Column]) -> None:
    sheet.append([column.header + ("*" if column.required else "") for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="A61B1E")
    for index, column in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(12, column.max_length // 4 + 8)


def build_template(example_unit: str, example_fields: list[str]) -> bytes:
    """The import template: the two sheets with their headers, one example row each, and notes."""
    book = Workbook()
    cadres = book.active
    cadres.title = CADRE_SHEET
    _header(cadres, CADRE_COLUMNS)
    cadres.append(["GB9001", "示例干部", example_unit, "科长", RANK_LABELS[Rank.SECTION], "1990-01-31",
                   "、".join(example_fields[:2]), "否", ""])
    ranks = DataValidation(type="list", formula1='"' + ",".join(RANK_LABELS.values()) + '"', allow_blank=True)
    cadres.add_data_validation(ranks)
    ranks.add("E2:E5000")
    experts = book.create_sheet(EXPERT_SHEET)
    _header(experts, EXPERT_COLUMNS)
    experts.append(["ZJ9001", "示例专家", example_unit, "研究员", "、".join(example_fields[:1]), 6, ""])
    notes = book.create_sheet("说明")
    for line in _template_notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _template_notes() -> Iterator[str]:
    yield "干部与专家批量导入说明"
    yield "1. 带 * 的列必须填写；第一行为表头，请勿修改。示例行可删除或改成真实数据。"
    yield "2. 按“工号”（干部）或“专家编号”（专家）识别人员：编号已存在则更新，不存在则新增。"
    yield "   同一文件重复导入不会产生变化。"
    yield "3. “单位”填写单位全称或单位代码；“领域”可填多个，用顿号（、）分隔。"
    yield "4. “职级”可选：" + "、".join(RANK_LABELS.values()) + "。"
    yield "5. “出生日期”格式为 1990-01-31；“基层一线”填“是”或“否”；“账号”为已创建的登录账号，可不填。"
    yield "6. 任何一行有问题时，整个文件都不会导入，系统会逐行列出问题。"
