"""The statistics' Excel exports: one workbook per section of the page, from the same statements.

Numbers are written as numbers, shares as fractions with a percent format and dates as dates,
so the sheets can be summed and charted in Excel; headers follow the user's language.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from arena.errors import NotFound
from arena.excel import new_workbook, workbook_bytes
from arena.i18n import gettext as _
from arena.reports import queries, service, stats
from arena.reports.queries import Scope, beijing_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT, DAY = "0.0%", "yyyy-mm-dd"
BOLD = Font(bold=True)
Cell = str | int | Decimal | date | None


def add_sheet(book: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]],
              formats: dict[int, str] | None = None) -> Worksheet:
    """A sheet with a bold header row, `rows` under it, number formats by 0-based column, and
    columns wide enough for their longest text."""
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append(list(row))
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cell.number_format = number_format
    for column in sheet.columns:
        widest = max(_width(c.value) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = max(8, min(60, widest + 2))
    sheet.freeze_panes = "A2"
    return sheet


def _width(value: Any) -> float:
    """Excel column width units: a CJK character takes about two."""
    if value is None:
        return 0
    text = value.isoformat() if isinstance(value, date) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.1 for ch in text)


def blank_book() -> Workbook:
    book = new_workbook()
    book.remove(book.active)  # every sheet is made by add_sheet
    return book


# --- one builder per section --------------------------------------------------------------------------

async def _challenges(db: AsyncSession, scope: Scope, _young_age: int) -> Workbook:
    book = blank_book()
    statuses = service.status_order(await queries.by_status(db, scope))
    add_sheet(book, _("按状态"), [_("状态"), _("榜单数")],
              [*[(service.status_label(s), n) for s, n in statuses], (_("合计"), sum(n for _s, n in statuses))])
    fields = await queries.by_field(db, scope)
    add_sheet(book, _("按领域"), [_("领域"), _("榜单数")],
              [*[(service.field_label(name), n) for name, n in fields], (_("合计"), sum(n for _f, n in fields))])
    return book


def _distribution(book: Workbook, head: str, buckets: Sequence[stats.Bucket], freq: dict[int, int],
                  facts: Sequence[tuple[str, Decimal | None]]) -> None:
    counts = stats.bucket_counts(freq, buckets)
    rows: list[tuple[Cell, Cell]] = [(b.label, n) for b, n in zip(buckets, counts, strict=True)]
    rows += [(_("合计"), stats.total(freq)), (None, None), *facts]
    add_sheet(book, _("分布"), [head, _("榜单数")], rows)


async def _bids(db: AsyncSession, scope: Scope, _young_age: int) -> Workbook:
    book = blank_book()
    found = await queries.bids_by_challenge(db, scope)
    add_sheet(book, _("各榜揭榜数"), [_("榜单编号"), _("榜单名称"), _("状态"), _("发榜日期"), _("揭榜数")],
              [(c.number, c.title, service.status_label(c.status), beijing_date(c.published_at), c.bids)
               for c in found],
              {3: DAY})
    freq = Counter(c.bids for c in found)
    _distribution(book, _("揭榜数"), stats.BID_BUCKETS, freq,
                  [(_("平均每榜揭榜数"), stats.mean(freq)), (_("揭榜数中位数"), stats.median(freq))])
    return book


async def _award(db: AsyncSession, scope: Scope, _young_age: int) -> Workbook:
    book = blank_book()
    found = await queries.awards_by_challenge(db, scope)
    add_sheet(book, _("各榜用时"), [_("榜单编号"), _("榜单名称"), _("发榜日期"), _("挂帅日期"), _("用时（天）")],
              [(c.number, c.title, beijing_date(c.published_at), beijing_date(c.awarded_at), c.days) for c in found],
              {2: DAY, 3: DAY})
    freq = Counter(c.days for c in found)
    _distribution(book, _("用时（天）"), stats.DAY_BUCKETS, freq,
                  [(_("用时中位数（天）"), stats.median(freq)), (_("平均用时（天）"), stats.mean(freq))])
    return book


async def _priorities(db: AsyncSession, scope: Scope, young_age: int) -> Workbook:
    book = blank_book()
    rows = service.priority_rows(await queries.priorities(db, scope, young_age))
    sheet = add_sheet(book, _("三个优先"), [_("人员"), _("人数"), _("年轻干部"), _("年轻干部占比"), _("基层一线干部"),
                                         _("基层一线干部占比")],
                      [(r.group, r.people, r.young, r.young_share, r.frontline, r.frontline_share) for r in rows],
                      {3: PERCENT, 5: PERCENT})
    sheet.append([])
    sheet.append([service.priorities_note(young_age)])
    return book


async def _records(db: AsyncSession, scope: Scope, _young_age: int) -> Workbook:
    book = blank_book()
    pivot = service.RecordPivot(await queries.approved_records(db, scope))
    rows: list[list[Cell]] = [[service.record_type_label(k), *(pivot.cell(k, y) for y in pivot.years),
                               pivot.kind_total(k)] for k in pivot.kinds]
    rows.append([_("合计"), *(pivot.year_total(y) for y in pivot.years), pivot.total])
    add_sheet(book, _("结果运用记录"), [_("记录类型"), *map(service.year_label, pivot.years), _("合计")], rows)
    return book


BUILDERS: dict[str, Callable[[AsyncSession, Scope, int], Awaitable[Workbook]]] = {
    "challenges": _challenges, "bids": _bids, "award": _award, "priorities": _priorities, "records": _records,
}


async def export(db: AsyncSession, scope: Scope, filename: str, young_age: int) -> tuple[bytes, str, str]:
    """The workbook for `{name}.xlsx` with its file name and ASCII fallback; NotFound for others."""
    name = filename.removesuffix(".xlsx")
    if name == filename or name not in BUILDERS:
        raise NotFound(_("没有这份报表"))
    book = await BUILDERS[name](db, scope, young_age)
    year = str(scope.year) if scope.year is not None else _("全部年份")
    return (workbook_bytes(book), f"{_('统计报表')}-{_(service.SECTION_TITLES[name])}-{year}.xlsx",
            f"report-{name}-{scope.year or 'all'}.xlsx")
