"""The statistics page (统计报表): its sections, each a chart with the table of the same numbers.

One aggregate statement per section (queries.py), shaped here into what the template shows:
display strings and SVG. The Excel exports (workbooks.py) read the same statements, so the page
and the files always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from arena.challenges.models import ChallengeStatus
from arena.challenges.transitions import STATUS_LABELS
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import RecordType
from arena.reports import charts, queries, stats
from arena.reports.queries import Priorities, RecordCount, Scope

# In page order; the keys are also the names of the exports (/organizer/reports/{name}.xlsx).
SECTION_TITLES: dict[str, str] = {
    "challenges": lazy("榜单状态与领域"),
    "bids": lazy("揭榜数量"),
    "award": lazy("发榜到挂帅用时"),
    "priorities": lazy("三个优先"),
    "records": lazy("结果运用记录"),
}


@dataclass(frozen=True)
class Table:
    caption: str
    head: list[str]  # the first column holds each row's header
    rows: list[list[str]]
    foot: list[str] | None = None  # a totals row


@dataclass(frozen=True)
class Figure:
    heading: str | None  # when a section has several charts
    chart: Markup
    table: Table
    wide: bool = False  # the table goes under the chart (many columns)


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    note: str
    figures: list[Figure]
    facts: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False


@dataclass(frozen=True)
class Report:
    year: int | None
    years: list[int]  # with data, newest first (plus the chosen one)
    sections: list[Section]


# --- labels shared with the exports ----------------------------------------------------------------

def status_label(status: str) -> str:
    try:
        return _(STATUS_LABELS[ChallengeStatus(status)])
    except ValueError:
        return status


def field_label(name: str | None) -> str:
    return name if name is not None else _("未设领域")


def record_type_label(record_type: str) -> str:
    label = RECORD_TYPE_LABELS.get(record_type)
    return _(label) if label is not None else record_type


def status_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Statuses that occur, in lifecycle order (unknown ones last)."""
    known = [s.value for s in ChallengeStatus]
    return sorted(((s, n) for s, n in counts.items() if n), key=lambda item: (
        known.index(item[0]) if item[0] in known else len(known), item[0]))


@dataclass(frozen=True)
class RecordPivot:
    """Approved records as a table: record types down (in RecordType order), document years
    across (a column for records without a date last), for the page and the export alike."""

    counts: Sequence[RecordCount]

    @property
    def kinds(self) -> list[str]:
        order = [t.value for t in RecordType]
        present = {c.record_type for c in self.counts}
        return sorted(present, key=lambda t: (order.index(t) if t in order else len(order), t))

    @property
    def years(self) -> list[int | None]:
        years = sorted({c.year for c in self.counts if c.year is not None})
        return [*years, *([None] if any(c.year is None for c in self.counts) else [])]

    def cell(self, kind: str, year: int | None) -> int:
        return sum(c.records for c in self.counts if c.record_type == kind and c.year == year)

    def kind_total(self, kind: str) -> int:
        return sum(c.records for c in self.counts if c.record_type == kind)

    def year_total(self, year: int | None) -> int:
        return sum(c.records for c in self.counts if c.year == year)

    @property
    def total(self) -> int:
        return sum(c.records for c in self.counts)


def year_label(year: int | None) -> str:
    return str(year) if year is not None else _("未填日期")


@dataclass(frozen=True)
class PriorityRow:
    """One group (bidders or winners) of the 三个优先 section."""

    group: str
    people: int
    young: int
    frontline: int

    @property
    def young_share(self) -> Decimal | None:
        return stats.share(self.young, self.people)

    @property
    def frontline_share(self) -> Decimal | None:
        return stats.share(self.frontline, self.people)


def priority_rows(p: Priorities) -> list[PriorityRow]:
    return [PriorityRow(_("揭榜干部"), p.bidders, p.young_bidders, p.frontline_bidders),
            PriorityRow(_("挂帅干部"), p.winners, p.young_winners, p.frontline_winners)]


def priorities_note(young_age: int) -> str:
    return _("年轻干部：提交揭榜之日未满 {age} 周岁；基层一线干部：人员信息中标为基层一线；每人只计一次。").format(
        age=young_age)


def export_link(name: str, year: int | None) -> str:
    return f"/organizer/reports/{name}.xlsx" + (f"?year={year}" if year is not None else "")


# --- the page ---------------------------------------------------------------------------------------

async def load_report(db: AsyncSession, organizer_id: int, year: int | None, young_age: int) -> Report:
    """Every section for one organizer and year: a fixed number of statements (one per section,
    one for the year choices)."""
    scope = Scope(organizer_id, year)
    years = await queries.publishing_years(db, scope)
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    sections = [await challenges_section(db, scope), await bids_section(db, scope),
                await award_section(db, scope), await priorities_section(db, scope, young_age),
                await records_section(db, scope)]
    return Report(year, years, sections)


def _count_table(caption: str, head: Sequence[str], rows: Sequence[tuple[str, int]]) -> Table:
    return Table(caption, list(head), [[label, str(n)] for label, n in rows],
                 [_("合计"), str(sum(n for _label, n in rows))])


async def challenges_section(db: AsyncSession, scope: Scope) -> Section:
    statuses = [(status_label(s), n) for s, n in status_order(await queries.by_status(db, scope))]
    fields = [(field_label(name), n) for name, n in await queries.by_field(db, scope)]
    total = sum(n for _label, n in statuses)
    by_status, by_field = _("各状态的榜单数"), _("各领域的榜单数")
    figures = [
        Figure(_("按状态"), charts.bar_chart(by_status, [s for s, _n in statuses], [n for _s, n in statuses]),
               _count_table(by_status, [_("状态"), _("榜单数")], statuses)),
        Figure(_("按领域"), charts.bar_chart(by_field, [f for f, _n in fields], [n for _f, n in fields]),
               _count_table(by_field, [_("领域"), _("榜单数")], fields)),
    ]
    note = _("我发布的榜单，按当前状态和所属领域统计（草稿没有发榜年份，按年份查看时不计入）。")
    return _section("challenges", note, figures, [(_("榜单总数"), str(total))], empty=total == 0)


def _section(name: str, note: str, figures: list[Figure], facts: list[tuple[str, str]], *, empty: bool) -> Section:
    return Section(name, _(SECTION_TITLES[name]), note, figures, facts, empty)


def _histogram(title: str, head: Sequence[str], buckets: Sequence[stats.Bucket], freq: dict[int, int]) -> Figure:
    counts = stats.bucket_counts(freq, buckets)
    labels = [b.label for b in buckets]
    return Figure(None, charts.bar_chart(title, labels, counts),
                  _count_table(title, head, list(zip(labels, counts, strict=True))))


def _number(value: Decimal | None) -> str:
    return charts.format_value(value) if value is not None else "—"


async def bids_section(db: AsyncSession, scope: Scope) -> Section:
    freq = await queries.bid_frequencies(db, scope)
    figure = _histogram(_("收到不同揭榜数的榜单数"), [_("揭榜数"), _("榜单数")], stats.BID_BUCKETS, freq)
    facts = [(_("已发布榜单"), str(stats.total(freq))), (_("平均每榜揭榜数"), _number(stats.mean(freq))),
             (_("揭榜数中位数"), _number(stats.median(freq)))]
    note = _("每个已发布榜单收到的揭榜申报数：提交过即计入，含后来撤回或未通过资格审查的。")
    return _section("bids", note, [figure], facts, empty=stats.total(freq) == 0)


async def award_section(db: AsyncSession, scope: Scope) -> Section:
    freq = await queries.award_day_frequencies(db, scope)
    figure = _histogram(_("发榜到挂帅用时（天）的分布"), [_("用时（天）"), _("榜单数")], stats.DAY_BUCKETS, freq)
    facts = [(_("已挂帅榜单"), str(stats.total(freq))), (_("用时中位数（天）"), _number(stats.median(freq))),
             (_("平均用时（天）"), _number(stats.mean(freq)))]
    note = _("从发榜之日到首次确定挂帅人之日的自然日数（北京时间）。")
    return _section("award", note, [figure], facts, empty=stats.total(freq) == 0)


async def priorities_section(db: AsyncSession, scope: Scope, young_age: int) -> Section:
    found = await queries.priorities(db, scope, young_age)
    figure = share_figure(_("揭榜干部和挂帅干部中年轻干部、基层一线干部的占比"), priority_rows(found))
    return _section("priorities", priorities_note(young_age), [figure], [], empty=found.bidders == 0)


def share_figure(title: str, rows: Sequence[PriorityRow]) -> Figure:
    """The shares of young and 基层一线 cadres in each group: a chart in percent with "40.0% · 2/5"
    on each bar, and the table of the counts (also the 组织部门's statistics, reports.orgdept)."""
    chart = charts.grouped_bar_chart(
        title, [r.group for r in rows], [_("年轻干部"), _("基层一线干部")],
        [[_percent(r.young_share), _percent(r.frontline_share)] for r in rows],
        value_labels=[[_share_text(r.young_share, r.young, r.people),
                       _share_text(r.frontline_share, r.frontline, r.people)] for r in rows],
        axis_max=100, unit="%")
    table = Table(title, [_("人员"), _("人数"), _("年轻干部"), _("占比"), _("基层一线干部"), _("占比")],
                  [[r.group, str(r.people), str(r.young), stats.percent_text(r.young_share), str(r.frontline),
                    stats.percent_text(r.frontline_share)] for r in rows])
    return Figure(None, chart, table, wide=True)  # six columns: the table goes under the chart


def _percent(share: Decimal | None) -> Decimal:
    return (share or Decimal(0)) * 100


def _share_text(share: Decimal | None, part: int, whole: int) -> str:
    """What a bar prints: "40.0% · 2/5"."""
    return f"{stats.percent_text(share)} · {part}/{whole}"


async def records_section(db: AsyncSession, scope: Scope) -> Section:
    pivot = RecordPivot(await queries.approved_records(db, scope))
    kinds, years = pivot.kinds, pivot.years
    labels = [record_type_label(k) for k in kinds]
    table = Table(_("已批准的结果运用记录数（按类型和文件年份）"), [_("记录类型"), *map(year_label, years), _("合计")],
                  [[label, *(str(pivot.cell(k, y)) for y in years), str(pivot.kind_total(k))]
                   for k, label in zip(kinds, labels, strict=True)],
                  [_("合计"), *(str(pivot.year_total(y)) for y in years), str(pivot.total)])
    chart = charts.bar_chart(_("已批准的结果运用记录数（按类型）"), labels, [pivot.kind_total(k) for k in kinds])
    note = _("已批准的结果运用记录，按记录类型和文件（文号）日期的年份。")
    return _section("records", note, [Figure(None, chart, table, wide=len(years) > 3)],
                    [(_("已批准记录"), str(pivot.total))], empty=pivot.total == 0)
