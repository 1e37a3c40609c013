"""The 组织部门's statistics (三个优先, issue 20 §4): who bids, leads, wins, passes acceptance and
is promoted, awarded or held accountable on the challenges of the department's units — by 基层一线,
young, rank and unit — and the cadres with strong verified results who have no promotion or award
yet (应予考虑). The page and its workbook read the same statements (reports.orgdept_queries) and
reuse the organizer's report pieces: sections, SVG charts, shares and sheets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.excel import workbook_bytes
from arena.execution.grades import GRADE_LABELS
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.pagination import Page, paginate
from arena.reports import charts
from arena.reports import orgdept_queries as q
from arena.reports.orgdept_queries import Candidate, Department, Facts, Group, GroupCount
from arena.reports.queries import UnitScope, publishing_years
from arena.reports.service import Figure, PriorityRow, Section, Table, priorities_note, share_figure
from arena.reports.workbooks import PERCENT, Cell, add_sheet, blank_book
from arena.units import orgdept
from arena.units.ranks import RANK_LABELS, Rank

GROUP_LABELS: dict[Group, str] = {
    Group.BIDDERS: lazy("揭榜干部"),
    Group.LEADS: lazy("牵头揭榜干部"),
    Group.WINNERS: lazy("挂帅干部"),
    Group.ACCEPTED: lazy("验收通过负责人"),
    Group.PROMOTED: lazy("提拔使用"),
    Group.AWARDED: lazy("表彰奖励"),
    Group.ACCOUNTABLE: lazy("问责"),
}
CHARTED = (Group.BIDDERS, Group.WINNERS, Group.PROMOTED, Group.AWARDED)
"""The groups a breakdown's chart compares (the palette has four colours; the table has them all)."""
CHART_ROWS = 15  # a breakdown's chart shows at most this many rows (the largest first); the table all


# --- pure shaping -------------------------------------------------------------------------------------

def share_rows(counts: Mapping[str, GroupCount]) -> list[PriorityRow]:
    """One row per group in page order (a group nobody is in shows zeros): the shares of young and
    基层一线 cadres among the bidders sit next to those among the promoted and the awarded."""
    return [PriorityRow(_(GROUP_LABELS[g]), c.people, c.young, c.frontline)
            for g in Group for c in [counts.get(g.value, GroupCount(0, 0, 0))]]


@dataclass(frozen=True)
class Breakdown:
    """Distinct cadres per group for each value of a dimension (a rank, a unit)."""

    rows: list[tuple[str, list[int]]]  # (label, one count per Group in order)

    def column(self, group: Group) -> list[int]:
        index = list(Group).index(group)
        return [counts[index] for _label, counts in self.rows]


def breakdown(counts: Mapping[tuple[str, str], int], order: Sequence[str] | None = None,
              label: Mapping[str, str] | None = None) -> Breakdown:
    """Pivot (group, key) → n into rows by key: in `order` when given (keys not in it after, by
    name), else the most bidders first, then by key."""
    keys = {key for _group, key in counts}
    if order is not None:
        ranked = [k for k in order if k in keys] + sorted(keys - set(order))
    else:
        ranked = sorted(keys, key=lambda k: (-counts.get((Group.BIDDERS.value, k), 0),
                                             -sum(counts.get((g.value, k), 0) for g in Group), k))
    names = label or {}
    return Breakdown([(names.get(k, k), [counts.get((g.value, k), 0) for g in Group]) for k in ranked])


def rank_label(value: str) -> str:
    try:
        return _(RANK_LABELS[Rank(value)])
    except ValueError:
        return value


def grade_label(value: str | None) -> str:
    return _(GRADE_LABELS[value]) if value in GRADE_LABELS else _("未验收")


def candidates_note() -> str:
    """What puts a cadre on the list (应予考虑), for the page and the workbook."""
    return _("管辖单位内的干部：负责或作为确认成员参与的项目验收优秀，或有里程碑考核为“已完成”且得分不低于 {score} 分"
             "（考核优秀），而尚无已生效的提拔使用或表彰奖励记录。不受年份筛选影响。").format(
        score=f"{q.EXCELLENT_ASSESSMENT:f}")


def role_label(value: str) -> str:
    return _("负责人") if value == "lead" else _("成员")


# --- the page -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgStats:
    departments: list[Department]
    department: Department | None  # None: the account acts for no department
    year: int | None
    years: list[int]
    facts: list[tuple[str, str]]
    sections: list[Section]
    candidates: Page[Candidate] | None

    @property
    def params(self) -> dict[str, object]:
        return {"department": self.department.id if self.department else None, "year": self.year}


def choose(found: list[Department], raw: str | None) -> Department | None:
    """The department asked for when the account acts for it, else the first one."""
    chosen = next((d for d in found if str(d.id) == (raw or "").strip()), None)
    return chosen or (found[0] if found else None)


@dataclass(frozen=True)
class Choice:
    departments: list[Department]  # those the account acts for
    department: Department | None  # the chosen one; None when there are none
    units: frozenset[int]  # its whole subtree


async def department_scope(db: AsyncSession, actor: Actor, raw: str | None) -> Choice:
    """The departments the actor acts for, the chosen one and its subtree of units: a department the
    actor does not act for is never chosen, whatever the address says."""
    found = await q.departments(db, await orgdept.member_of(db, actor))
    chosen = choose(found, raw)
    return Choice(found, chosen, await orgdept.scope_units(db, chosen.id) if chosen else frozenset())


def fact_rows(facts: Facts) -> list[tuple[str, int]]:
    return [(_("范围内已发布榜单"), facts.challenges), (_("已提交揭榜"), facts.bids), (_("挂帅项目"), facts.projects),
            (_("验收通过项目"), facts.accepted), (_("其中验收优秀"), facts.excellent),
            (_("已生效提拔使用记录"), facts.promotions), (_("已生效表彰奖励记录"), facts.awards),
            (_("已生效问责记录"), facts.accountability)]


async def load(db: AsyncSession, actor: Actor, raw_department: str | None, year: int | None, page: int,
               young_age: int) -> OrgStats:
    """Everything the page shows, in a fixed number of statements."""
    choice = await department_scope(db, actor, raw_department)
    chosen, units = choice.department, choice.units
    if chosen is None:
        return OrgStats(choice.departments, None, year, [], [], [], None)
    scope = UnitScope(units, year)
    years = await publishing_years(db, scope)
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    facts = await q.facts(db, scope)
    sections = [shares_section(await q.group_counts(db, scope, young_age), young_age),
                rank_section(await q.by_rank(db, scope)), unit_section(await q.by_unit(db, scope))]
    rows = await paginate(db, q.candidates_statement(units, young_age), page, scalars=False)
    candidates = Page([q.candidate(r) for r in rows.items], rows.number, rows.per_page, rows.total)
    shown = [(label, str(n)) for label, n in fact_rows(facts)]
    return OrgStats(choice.departments, chosen, year, years, shown, sections, candidates)


def shares_section(counts: Mapping[str, GroupCount], young_age: int) -> Section:
    rows = share_rows(counts)
    figure = share_figure(_("各类人员中年轻干部、基层一线干部的占比"), rows)
    note = _("揭榜、挂帅、验收通过的干部与已生效记录所涉干部，对照看年轻干部和基层一线干部的占比。{definitions}")
    note = note.format(definitions=priorities_note(young_age))
    return Section("shares", _("三个优先占比"), note, [figure], empty=all(r.people == 0 for r in rows))


def _breakdown_figure(title: str, head: str, found: Breakdown) -> Figure:
    shown = found.rows[:CHART_ROWS]
    index = [list(Group).index(g) for g in CHARTED]
    chart_title = title if len(found.rows) <= CHART_ROWS else _("{title}（人数最多的 {n} 个）").format(
        title=title, n=CHART_ROWS)
    chart = charts.grouped_bar_chart(chart_title, [label for label, _c in shown], [_(GROUP_LABELS[g]) for g in CHARTED],
                                     [[counts[i] for i in index] for _label, counts in shown])
    table = Table(title, [head, *(_(GROUP_LABELS[g]) for g in Group)],
                  [[label, *map(str, counts)] for label, counts in found.rows])
    return Figure(None, chart, table, wide=True)


def rank_breakdown(counts: Mapping[tuple[str, str], int]) -> Breakdown:
    """Highest rank first."""
    return breakdown(counts, [r.value for r in reversed(Rank)], {r.value: rank_label(r.value) for r in Rank})


def rank_section(counts: Mapping[tuple[str, str], int]) -> Section:
    found = rank_breakdown(counts)
    figure = _breakdown_figure(_("各职级的人数"), _("职级"), found)
    return Section("ranks", _("按职级"), _("按干部现任职级统计，每组每人只计一次。"), [figure], empty=not found.rows)


def unit_section(counts: Mapping[tuple[str, str], int]) -> Section:
    found = breakdown(counts)
    figure = _breakdown_figure(_("各单位的人数"), _("单位"), found)
    note = _("按干部现所在单位统计（含本范围以外单位的干部揭本范围内的榜），每组每人只计一次。")
    return Section("units", _("按单位"), note, [figure], empty=not found.rows)


# --- the workbook -------------------------------------------------------------------------------------

async def workbook(db: AsyncSession, actor: Actor, raw_department: str | None, year: int | None,
                   young_age: int) -> tuple[bytes, str, str] | None:
    """The page as a workbook (概况, 分类统计, 应予考虑名单), its name and ASCII fallback; None
    when the account acts for no department."""
    choice = await department_scope(db, actor, raw_department)
    chosen, units = choice.department, choice.units
    if chosen is None:
        return None
    scope = UnitScope(units, year)
    book = blank_book()
    overview(book, await q.facts(db, scope), share_rows(await q.group_counts(db, scope, young_age)), chosen, year,
             young_age)
    categories(book, await q.by_rank(db, scope), await q.by_unit(db, scope))
    candidate_sheet(book, await q.all_candidates(db, units, young_age))
    shown_year = str(year) if year is not None else _("全部年份")
    return (workbook_bytes(book), f"{_('三个优先统计')}-{chosen.name}-{shown_year}.xlsx",
            f"orgdept-stats-{chosen.id}-{year or 'all'}.xlsx")


def overview(book: Workbook, facts: Facts, rows: Sequence[PriorityRow], department: Department, year: int | None,
             young_age: int) -> None:
    head: list[tuple[Cell, ...]] = [(_("组织部门"), department.name),
                                    (_("发榜年份"), str(year) if year is not None else _("全部年份")),
                                    *fact_rows(facts), ()]
    sheet = add_sheet(book, _("概况"), [_("指标"), _("数值")], head)
    sheet.append([_("人员"), _("人数"), _("年轻干部"), _("年轻干部占比"), _("基层一线干部"), _("基层一线干部占比")])
    first = sheet.max_row + 1
    for r in rows:
        sheet.append([r.group, r.people, r.young, r.young_share, r.frontline, r.frontline_share])
    for line in sheet.iter_rows(min_row=first, min_col=4, max_col=6):
        line[0].number_format = line[2].number_format = PERCENT
    sheet.append([])
    sheet.append([_("范围：所属单位在本组织部门管辖单位（含下级单位）内的榜单。{definitions}").format(
        definitions=priorities_note(young_age))])
    sheet.append([candidates_note()])


def categories(book: Workbook, ranks: Mapping[tuple[str, str], int], units: Mapping[tuple[str, str], int]) -> None:
    rows: list[list[Cell]] = []
    rows += [[_("职级"), label, *counts] for label, counts in rank_breakdown(ranks).rows]
    rows += [[_("单位"), label, *counts] for label, counts in breakdown(units).rows]
    add_sheet(book, _("分类统计"), [_("分类"), _("类别"), *(_(GROUP_LABELS[g]) for g in Group)], rows)


def candidate_sheet(book: Workbook, found: Sequence[Candidate]) -> None:
    yes = _("是")
    add_sheet(book, _("应予考虑名单"), [_("姓名"), _("单位"), _("职级"), _("基层一线"), _("年轻干部"), _("角色"),
                                     _("榜单编号"), _("榜单名称"), _("验收等次"), _("优秀考核次数")],
              [(c.name, c.unit, rank_label(c.rank), yes if c.frontline else "", yes if c.young else "",
                role_label(c.role), c.challenge_number, c.challenge_title, grade_label(c.grade),
                c.excellent_assessments) for c in found])
