"""Reading and checking the rows of a people import file (干部, 专家) — no database, no web.

This is what arena.units.importer runs in a child process (arena.offload.run_in_process): it
imports neither SQLAlchemy nor the models, so the child starts in a fraction of a second and
stays small. It gets plain data (the file's bytes, a Reference of names and ids, the day) and
sends back plain data: the checked rows, packed (arena.offload.pack), or ImportRejected with the
first SHOWN_PROBLEMS problems and their count. arena.excel has refused a workbook larger than an
import can need before openpyxl sees it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from arena import offload
from arena.excel import WorkbookTooLarge, check_workbook_limits
from arena.i18n import gettext as _
from arena.units.ranks import RANK_BY_LABEL, RANK_LABELS, Rank

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
SHOWN_PROBLEMS = 500
MAX_NEW_LOGINS = 200
"""Logins one file may create (新建账号): each costs an argon2 hash (~50 ms) before the import's
write transaction, one at a time so logins elsewhere keep their turn — at most ~10 s."""
"""Problems sent back and listed (the page says how many more there are)."""
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
    Column("账号", "username", False, 64), Column("新建账号", "new_username", False, 64),
]
EXPERT_COLUMNS = [
    Column("专家编号", "code", True, 32), Column("姓名", "name", True, 64), Column("单位", "unit", True, 100),
    Column("职称", "title", True, 64), Column("领域", "fields", True, 200),
    Column("年度评审上限", "cap", False, 8), Column("账号", "username", False, 64),
    Column("新建账号", "new_username", False, 64),
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
    """The file was not imported; `problems` lists the reasons, row by row: all of them, or the
    first SHOWN_PROBLEMS of `total`."""

    def __init__(self, problems: list[ImportProblem], total: int | None = None) -> None:
        self.total = len(problems) if total is None else total
        super().__init__(_("导入未执行：发现 {n} 处问题").format(n=self.total))
        self.problems = problems

    def __reduce__(self) -> tuple[Any, ...]:  # it comes back from the child process whole
        return (type(self), (self.problems, self.total))


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
    """The workbook (read-only), or ImportRejected with one clear reason when the bytes are not an
    .xlsx or pass a limit of arena.excel. CPU-bound: call it in the child process (arena.offload)."""
    if len(data) > MAX_BYTES:
        raise ImportRejected([ImportProblem("", 0, "", _("文件超过 5 MB，请拆分后导入"))])
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRejected([ImportProblem("", 0, "", _("文件不是 Excel（.xlsx）格式"))])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                raise ImportRejected([ImportProblem("", 0, "", _("文件不是 Excel（.xlsx）格式"))])
        check_workbook_limits(data)  # a zip bomb or a billion cells: refused before parsing
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except WorkbookTooLarge as exc:
        raise ImportRejected([ImportProblem("", 0, "", exc.message)]) from exc
    except ImportRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected([ImportProblem("", 0, "", _("文件已损坏或无法读取"))]) from exc


# --- checking rows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """What rows may refer to, loaded once: unit ids by name and code, field ids by name,
    account ids by lower-case name. Plain data: it goes to the child process."""

    units: dict[str, int]
    fields: dict[str, int]
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


def _fields(reader: RowReader, ref: Reference) -> list[str]:
    chosen: list[str] = []
    for name in _split_list(reader.text("fields")):
        if name not in ref.fields:
            reader.problem("fields", _("没有名为“{name}”的领域，可选：{options}").format(
                name=name, options="、".join(ref.fields)))
        elif name not in chosen:
            chosen.append(name)
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


def _new_login(reader: RowReader, user_id: int | None) -> str:
    """新建账号: a login to create for the person (the importer checks it by auth's rules)."""
    text = reader.text("new_username")
    if text and (user_id is not None or _cell_text(reader.row.values.get("username"))):
        reader.problem("new_username", _("“账号”（关联已有账号）与“新建账号”只能填写一个"))
    return text


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
    fields: list[str]
    frontline: bool
    user_id: int | None
    new_username: str = ""


@dataclass(frozen=True)
class ExpertRow:
    number: int
    code: str
    name: str
    unit_id: int
    title: str
    fields: list[str]
    cap: int
    user_id: int | None
    new_username: str = ""


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
    new_login = _new_login(reader, user_id)
    if unit_id is None or rank is None or born is None or not (code and name and position):
        return None
    return CadreRow(reader.row.number, code, name, unit_id, position, rank, born, fields, flag in TRUE_WORDS,
                    user_id, new_login)


def _check_expert(reader: RowReader, ref: Reference) -> ExpertRow | None:
    code, name, title = reader.text("code"), reader.text("name"), reader.text("title")
    unit_id = _unit(reader, ref)
    fields = _fields(reader, ref)
    cap_text = reader.text("cap") or "6"
    cap = int(cap_text) if cap_text.isdigit() else None
    if cap is None or not 0 <= cap <= 50:
        reader.problem("cap", _("必须是 0 到 50 之间的整数"))
    user_id = _user(reader, ref)
    new_login = _new_login(reader, user_id)
    if unit_id is None or cap is None or not (code and name and title and fields):
        return None
    return ExpertRow(reader.row.number, code, name, unit_id, title, fields, cap, user_id, new_login)


def _duplicates(sheet: str, rows: Iterable[CadreRow | ExpertRow], header: str,
                problems: list[ImportProblem]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            problems.append(ImportProblem(sheet, row.number, header, _("编号“{code}”与第 {row} 行重复").format(
                code=row.code, row=seen[row.code])))
        seen.setdefault(row.code, row.number)


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
    # A new login is created once, for one person of the whole file.
    logins: dict[str, tuple[str, int]] = {}
    for sheet, rows in ((CADRE_SHEET, cadres), (EXPERT_SHEET, experts)):
        for row in rows:
            if not row.new_username:
                continue
            first = logins.setdefault(row.new_username.lower(), (sheet, row.number))
            if first != (sheet, row.number):
                message = _("与{sheet}第 {row} 行的新建账号重复").format(sheet=_(first[0]), row=first[1])
                problems.append(ImportProblem(sheet, row.number, "新建账号", message))
            elif len(logins) == MAX_NEW_LOGINS + 1:
                problems.append(ImportProblem(sheet, row.number, "新建账号", _(
                    "一次最多新建 {n} 个账号，请把文件拆分后分批导入").format(n=MAX_NEW_LOGINS)))


@dataclass(frozen=True)
class CheckedPeople:
    """An import file's rows, read and checked against `reference` (what they name): all valid."""

    cadres: list[CadreRow]
    experts: list[ExpertRow]
    reference: Reference


@dataclass(frozen=True)
class PackedPeople:
    """CheckedPeople as it leaves the child process: its rows in pickled chunks (arena.offload.pack)."""

    cadres: list[bytes]
    experts: list[bytes]


def _check_all(workbook: Any, ref: Reference, today: date) -> tuple[list[CadreRow], list[ExpertRow]]:
    if CADRE_SHEET not in workbook.sheetnames and EXPERT_SHEET not in workbook.sheetnames:
        raise ImportRejected([ImportProblem("", 0, "", _("工作簿中没有“干部”或“专家”工作表（请使用下载的模板）"))])
    problems: list[ImportProblem] = []
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
        problems.sort(key=lambda p: (p.sheet != CADRE_SHEET, p.row))
        raise ImportRejected(problems[:SHOWN_PROBLEMS], len(problems))
    return cadres, experts


def read_and_check(data: bytes, ref: Reference, today: date) -> CheckedPeople:
    """The file's rows checked against `ref`, or ImportRejected naming every problem. CPU-heavy
    and touching no database: check_people_file runs it in a child process (read_and_pack)."""
    workbook = open_workbook(data)
    try:
        cadres, experts = _check_all(workbook, ref, today)
    except ImportRejected:
        raise
    except Exception as exc:  # read-only openpyxl parses a sheet while its rows are read
        raise ImportRejected([ImportProblem("", 0, "", _("文件已损坏或无法读取"))]) from exc
    finally:
        workbook.close()
    return CheckedPeople(cadres, experts, ref)


def read_and_pack(data: bytes, ref: Reference, today: date) -> PackedPeople:
    people = read_and_check(data, ref, today)
    return PackedPeople(offload.pack(people.cadres), offload.pack(people.experts))


