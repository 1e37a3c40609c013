"""Reading a working-day arrangement from an uploaded workbook — no database, no web.

arena.workdays.service runs read_calendar_workbook in a child process (arena.offload): this
module imports neither SQLAlchemy nor the models, so the child starts quickly and stays small.
arena.excel has refused a workbook larger than an import can need before openpyxl sees it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arena.i18n import gettext as _
from arena.units.import_rows import ImportProblem, ImportRejected, open_workbook

HOLIDAY, WORKDAY = "放假", "上班"
CalendarFile = tuple[dict[int, tuple[dict[date, str], dict[date, str]]], list[str]]
"""Per year: (holidays, make-up working days), each day with its name; then the problems."""
SHOWN_PROBLEMS = 30


def parse_day(text: str) -> date | None:
    """2027-10-01 (or 2027-10-1) as a date; None when it is not one."""
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def _cell_day(value: Any) -> date | None:
    if isinstance(value, datetime):  # Excel dates arrive as datetimes
        return value.date()
    if isinstance(value, date):
        return value
    return parse_day(str(value or "").strip())


def read_workbook(book: Any) -> CalendarFile:
    """Per year: (holidays, make-up working days); the problems, each naming its row."""
    sheet = book.worksheets[0]
    problems: list[str] = []
    found: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if not any(row):
            continue
        day, kind, name = [*list(row), None, None, None][:3]
        parsed = _cell_day(day)
        kind_text = str(kind or "").strip()
        if parsed is None:
            problems.append(_("第 {n} 行“日期”：应写作 2027-10-01").format(n=number))
            continue
        if kind_text not in (HOLIDAY, WORKDAY):
            problems.append(_("第 {n} 行“类型”：应为“放假”或“上班”").format(n=number))
            continue
        if kind_text == WORKDAY and parsed.weekday() < 5:
            problems.append(_("第 {n} 行：{day} 本就是工作日，无需列为调休上班").format(
                n=number, day=parsed.isoformat()))
            continue
        holidays, workdays = found.setdefault(parsed.year, ({}, {}))
        (workdays if kind_text == WORKDAY else holidays)[parsed] = str(name or "").strip()[:40]
    if not found and not problems:
        problems.append(_("表格中没有数据行"))
    return found, problems


def read_calendar_workbook(data: bytes) -> CalendarFile:
    """The file's days by year and its first SHOWN_PROBLEMS problems; ImportRejected when it is
    no workbook, too large or damaged. CPU-heavy: read_calendar_file runs it in a child process."""
    book = open_workbook(data)
    try:
        found, problems = read_workbook(book)
    except Exception as exc:  # read-only openpyxl parses the sheet while its rows are read
        raise ImportRejected([ImportProblem("", 0, "", _("文件已损坏或无法读取"))]) from exc
    finally:
        book.close()
    return found, problems[:SHOWN_PROBLEMS]


