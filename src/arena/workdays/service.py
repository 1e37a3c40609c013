"""The working-day calendar's rules: load it, show a year, let an admin enter a year's
official arrangement (on the page or from Excel). Every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import offload
from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.clock import Clock
from arena.errors import DomainError, FormErrors
from arena.excel import new_workbook, workbook_bytes
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.units.import_rows import ImportProblem, ImportRejected
from arena.workdays.days import Calendar, MissingYear
from arena.workdays.models import CalendarSource, WorkdayException, WorkdayYear
from arena.workdays.sheet import (
    HOLIDAY,
    SHOWN_PROBLEMS,
    WORKDAY,
    CalendarFile,
    parse_day,
    read_calendar_workbook,
)

register_actions({"calendar.year": lazy("录入年度工作日安排"), "calendar.import": lazy("导入年度工作日安排")})

LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|—|-{2})\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(.*)$")
HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                 "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}


PACKAGE_YEARS = frozenset(range(2004, 2027))  # what chinese-calendar 1.11 knows (STACK.md)


def package_exceptions(year: int) -> dict[date, tuple[bool, str]]:
    """chinese-calendar's arrangement for a year it knows: holidays (weekends inside a holiday
    included, so the ranges read as announced) and make-up working days, with their names."""
    found: dict[date, tuple[bool, str]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
        if (on_holiday and name) or workday != (day.weekday() < 5):
            found[day] = (workday, HOLIDAY_NAMES.get(name or "", name or ""))
        day += timedelta(days=1)
    return found


async def load_calendar(db: AsyncSession, first: date, last: date) -> Calendar:
    """The calendar for the days from `first` to `last` (two queries): years entered by an admin
    as stored, the others chinese-calendar's."""
    entered = frozenset((await db.scalars(select(WorkdayYear.year))).all())
    rows = (await db.execute(select(WorkdayException.day, WorkdayException.workday)
                             .where(WorkdayException.day >= first, WorkdayException.day <= last))).all()
    exceptions = {day: workday for day, workday in rows}
    for year in range(first.year, last.year + 1):
        if year in PACKAGE_YEARS and year not in entered:
            exceptions |= {d: w for d, (w, _n) in package_exceptions(year).items()}
    return Calendar(entered | PACKAGE_YEARS, exceptions)


def missing_year_message(error: MissingYear) -> str:
    return _("{year} 年的节假日安排尚未录入：请系统管理员在“工作日历”中录入国务院办公厅公布的 {year} 年"
             "放假和调休上班日期后再试").format(year=error.year)


@dataclass
class YearRow:
    year: int
    source: str
    note: str
    holidays: int
    workdays: int


async def years(db: AsyncSession) -> list[YearRow]:
    """Every year with an arrangement, newest first, with its counts (two queries)."""
    counts = dict(((y, w), n) for y, w, n in (await db.execute(
        select(func.extract("year", WorkdayException.day).label("y"), WorkdayException.workday, func.count())
        .group_by("y", WorkdayException.workday))).all())
    rows = (await db.scalars(select(WorkdayYear).order_by(WorkdayYear.year.desc()))).all()
    found = [YearRow(r.year, r.source, r.note, counts.get((r.year, False), 0), counts.get((r.year, True), 0))
             for r in rows]
    entered = {r.year for r in rows}
    for year in sorted(PACKAGE_YEARS - entered, reverse=True)[:3]:  # the recent built-in years
        days = package_exceptions(year)
        found.append(YearRow(year, CalendarSource.PACKAGE.value, "",
                             sum(1 for w, _n in days.values() if not w), sum(1 for w, _n in days.values() if w)))
    return sorted(found, key=lambda r: -r.year)


async def year_lines(db: AsyncSession, year: int) -> tuple[str, str]:
    """The year's holidays and make-up working days as the form shows them: one line per run
    of consecutive days with the same name."""
    if year in PACKAGE_YEARS and not await db.scalar(select(WorkdayYear.id).where(WorkdayYear.year == year)):
        built_in = sorted((d, w, n) for d, (w, n) in package_exceptions(year).items())
        return (_runs([(d, n) for d, w, n in built_in if not w]), _runs([(d, n) for d, w, n in built_in if w]))
    rows = (await db.execute(select(WorkdayException.day, WorkdayException.workday, WorkdayException.name)
                             .where(WorkdayException.day >= date(year, 1, 1),
                                    WorkdayException.day <= date(year, 12, 31))
                             .order_by(WorkdayException.day))).all()
    return (_runs([(d, n) for d, w, n in rows if not w]), _runs([(d, n) for d, w, n in rows if w]))


def _runs(days: list[tuple[date, str]]) -> str:
    lines: list[tuple[date, date, str]] = []
    for day, name in days:
        if lines and lines[-1][1] + timedelta(days=1) == day and lines[-1][2] == name:
            lines[-1] = (lines[-1][0], day, name)
        else:
            lines.append((day, day, name))
    return "\n".join((f"{a.isoformat()}~{b.isoformat()}" if a != b else a.isoformat()) + (f" {n}" if n else "")
                     for a, b, n in lines)


def parse_lines(year: int, text: str, workday: bool, field: str) -> tuple[dict[date, str], list[str]]:
    """Days (with their names) from the form's lines; the problems, each naming its line."""
    days: dict[date, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = LINE.match(line)
        first = parse_day(match.group(1)) if match else None
        last = parse_day(match.group(2)) if match and match.group(2) else first
        if match is None or first is None or last is None:
            problems.append(_("{field}第 {n} 行：日期应写作 2027-10-01，或 2027-10-01~2027-10-07").format(
                field=field, n=number))
            continue
        if last < first or first.year != year or last.year != year:
            problems.append(_("{field}第 {n} 行：日期须在 {year} 年内，且结束不早于开始").format(
                field=field, n=number, year=year))
            continue
        name = match.group(3).strip()[:40]
        day = first
        while day <= last:
            if workday and day.weekday() < 5:
                problems.append(_("{field}第 {n} 行：{day} 本就是工作日，无需列为调休上班").format(
                    field=field, n=number, day=day.isoformat()))
                break
            days[day] = name
            day += timedelta(days=1)
    return days, problems


async def save_year(db: AsyncSession, clock: Clock, actor: Actor, year: int, holidays_text: str,
                    workdays_text: str, note: str, source: CalendarSource = CalendarSource.ADMIN) -> None:
    """Replace a year's arrangement with the one entered. Nothing is written if any line is wrong."""
    if not 2000 <= year <= 2100:
        raise FormErrors({"year": _("请填写 2000–2100 之间的年份")})
    holidays, problems = parse_lines(year, holidays_text, False, _("放假日期"))
    workdays, more = parse_lines(year, workdays_text, True, _("调休上班日期"))
    problems += more
    problems += [_("{day} 不能既放假又上班").format(day=d.isoformat()) for d in sorted(set(holidays) & set(workdays))]
    if problems:
        raise FormErrors({"holidays": "；".join(problems[:20]) + (_("（另有 {n} 处）").format(n=len(problems) - 20)
                                                                 if len(problems) > 20 else "")})
    if not holidays:
        raise FormErrors({"holidays": _("请至少录入一个放假日期（如元旦）")})
    await _replace(db, year, holidays, workdays, note, source)
    await audit.record(db, clock, actor, "admin", f"calendar.{'import' if source == CalendarSource.IMPORT else 'year'}",
                       "workday_year", year, {"holidays": len(holidays), "workdays": len(workdays), "note": note})


async def _replace(db: AsyncSession, year: int, holidays: dict[date, str], workdays: dict[date, str], note: str,
                   source: CalendarSource) -> None:
    await db.execute(delete(WorkdayException).where(WorkdayException.day >= date(year, 1, 1),
                                                    WorkdayException.day <= date(year, 12, 31)))
    db.add_all([WorkdayException(day=d, workday=False, name=n) for d, n in holidays.items()]
               + [WorkdayException(day=d, workday=True, name=n) for d, n in workdays.items()])
    row = await db.scalar(select(WorkdayYear).where(WorkdayYear.year == year))
    if row is None:
        db.add(WorkdayYear(year=year, source=source.value, note=note.strip()))
    else:
        row.source, row.note = source.value, note.strip()
    await db.flush()


# --- Excel ------------------------------------------------------------------------------------

HEADERS = ("日期", "类型", "名称")


def template() -> bytes:
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "工作日安排"
    sheet.append(HEADERS)
    for row in (("2027-01-01", HOLIDAY, "元旦"), ("2027-02-06", HOLIDAY, "春节"), ("2027-02-14", WORKDAY, "春节")):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 14
    return workbook_bytes(book)


async def read_calendar_file(data: bytes) -> CalendarFile:
    """read_calendar_workbook in the child process (one workbook at a time per serving process,
    arena.offload), after the size limits of arena.excel; a file that kills the child is refused
    like any other. Touches no database: call it before the import's write transaction begins."""
    try:
        return await offload.run_in_process(offload.WORKBOOKS, read_calendar_workbook, data)
    except offload.ChildFailed as exc:
        raise ImportRejected([ImportProblem("", 0, "", _("表格过大或格式异常，无法读取"))]) from exc


async def import_workbook(db: AsyncSession, clock: Clock, actor: Actor, read: CalendarFile) -> list[int]:
    """All rows valid → each year in the file replaced; any row wrong → nothing written."""
    found, problems = read
    if problems:
        raise DomainError("；".join(problems[:SHOWN_PROBLEMS]))
    for year, (holidays, workdays) in sorted(found.items()):
        await save_year(db, clock, actor, year, _runs(sorted(holidays.items())), _runs(sorted(workdays.items())),
                        _("Excel 导入"), CalendarSource.IMPORT)
    return sorted(found)
