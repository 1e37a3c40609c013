"""The score summary sheet (评分汇总表) as PDF and Excel, and the results chart (SVG).

Both documents are printed from the frozen snapshot, never recomputed, and carry its SHA-256
in the footer. Where review was blind, bids appear by review code only — in every copy, since
the panel signs the same sheet the organizer files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.errors import NotFound
from arena.excel import new_workbook, workbook_bytes
from arena.files.store import Download, content_disposition
from arena.i18n import gettext as _
from arena.pdf import render_pdf
from arena.review import opinion
from arena.review.models import Panel, PanelPurpose, PanelSeat, ReviewResult, SeatStatus
from arena.units.models import Cadre, Expert

if TYPE_CHECKING:
    from jinja2 import Environment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Summary:
    challenge: Challenge
    result: ReviewResult
    snapshot: dict[str, Any]
    blind: bool
    experts: dict[str, str]  # code → name, panel members who scored
    bidders: dict[str, str]  # review code → "number 牵头人", empty when blind
    frozen_at: Any
    purpose: str = PanelPurpose.BID.value

    @property
    def acceptance(self) -> bool:
        return self.purpose == PanelPurpose.ACCEPTANCE.value

    @property
    def grades(self) -> dict[str, str]:
        """Review code → grade (验收等次), for an acceptance panel."""
        return dict(self.snapshot.get("grades", {}).get("bids", {}))

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return list(self.snapshot["criteria"])

    @property
    def ranking(self) -> list[dict[str, Any]]:
        return list(self.snapshot["result"]["bids"])

    def sheets_of(self, code: str) -> list[dict[str, Any]]:
        return [s for s in self.snapshot["sheets"] if s["bid"] == code]

    def bid_label(self, code: str) -> str:
        return code if self.blind else f"{code} {self.bidders.get(code, '')}".strip()

    @property
    def chair_opinion(self) -> dict[str, Any] | None:
        """The chair's 专家组综合意见 as frozen ({"text", "at"}), None when there was none."""
        return opinion.frozen(self.snapshot)

    def lead_of(self, code: str) -> str:
        """The lead's name alone (acceptance reports name projects by their lead)."""
        return self.bidders.get(code, code).split(" ", 1)[-1]


async def load_summary(db: AsyncSession, challenge: Challenge, panel: Panel) -> Summary:
    result = await db.scalar(select(ReviewResult).where(ReviewResult.panel_id == panel.id,
                                                        ReviewResult.superseded_at.is_(None))
                             .order_by(ReviewResult.id.desc()).limit(1))
    if result is None:
        raise NotFound(_("评审结束后才能下载评分汇总表"))
    snapshot = json.loads(result.snapshot)
    experts = dict((await db.execute(
        select(Expert.code, Expert.name).join(PanelSeat, PanelSeat.expert_id == Expert.id)
        .where(PanelSeat.panel_id == panel.id, PanelSeat.status == SeatStatus.ACCEPTED.value)
        .order_by(PanelSeat.drawn_rank))).tuples().all())
    bidders: dict[str, str] = {}
    acceptance = panel.purpose == PanelPurpose.ACCEPTANCE.value
    if acceptance or not challenge.blind_review:  # acceptance is of named projects, never blind
        rows = (await db.execute(select(Bid.review_code, Bid.number, Cadre.name).join(Cadre, Cadre.id == Bid.lead_id)
                                 .where(Bid.challenge_id == challenge.id, Bid.review_code.is_not(None)))).all()
        bidders = {code or "": f"{number} {name}" for code, number, name in rows}
    return Summary(challenge, result, snapshot, challenge.blind_review and not acceptance, experts, bidders,
                   result.frozen_at, panel.purpose)


async def summary_pdf(env: Environment, db: AsyncSession, challenge: Challenge, panel: Panel,
                      *, for_expert: bool) -> Download:
    summary = await load_summary(db, challenge, panel)
    if for_expert and not summary.acceptance:
        summary.bidders, summary.blind = ({}, True) if challenge.blind_review else (summary.bidders, False)
    template = "documents/acceptance_report.html" if summary.acceptance else "documents/score_summary.html"
    html = env.get_template(template).render(s=summary)
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    number = challenge.number or str(challenge.id)
    names = (f"验收报告-{number}.pdf", f"acceptance-report-{number}.pdf") if summary.acceptance else (
        f"评分汇总表-{number}.pdf", f"score-summary-{number}.pdf")
    return Download(pdf, "application/pdf", content_disposition(*names, inline=True))


async def summary_xlsx(db: AsyncSession, challenge: Challenge, panel: Panel, *, for_expert: bool) -> Download:
    summary = await load_summary(db, challenge, panel)
    data = summary_workbook(summary)
    number = challenge.number or str(challenge.id)
    return Download(data, XLSX, content_disposition(f"评分汇总表-{number}.xlsx", f"score-summary-{number}.xlsx"))


def summary_workbook(s: Summary) -> bytes:
    book = new_workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="F3E3E3")
    ranking = book.active
    assert ranking is not None
    ranking.title = _("汇总")
    ranking.append([_("评分汇总表"), s.challenge.number or "", s.challenge.title])
    ranking.append([])
    header = [_("名次"), _("评审编号") if s.blind else _("揭榜"), _("综合得分"), _("有效评分表"), _("达到合格线"),
              _("拟入选")] + [c["name"] for c in s.criteria] + [_("评分偏离的专家")]
    ranking.append(header)
    for row in s.ranking:
        ranking.append([row["rank"], s.bid_label(row["bid"]), Decimal(row["aggregate"]), row["sheets"],
                        _("是") if row["passes"] else _("否"), _("是") if row["winner"] else _("否")]
                       + [Decimal(row["criteria"][str(c["id"])]) for c in s.criteria]
                       + ["、".join(row["deviating"])])
    _style_header(ranking, 3, len(header), bold, head_fill)
    sheets = book.create_sheet(_("评分明细"))
    header = [_("评审编号") if s.blind else _("揭榜"), _("专家编号"), _("专家")] + [
        f"{c['name']}（{c['points']}）" for c in s.criteria] + [_("合计")]
    sheets.append(header)
    for sheet in s.snapshot["sheets"]:
        sheets.append([s.bid_label(sheet["bid"]), sheet["expert"], s.experts.get(sheet["expert"], "")]
                      + [Decimal(sheet["scores"][str(c["id"])]) for c in s.criteria] + [Decimal(sheet["total"])])
    _style_header(sheets, 1, len(header), bold, head_fill)
    agreement = book.create_sheet(_("一致性"))
    result = s.snapshot["result"]
    agreement.append([_("Krippendorff α（区间）"), result["alpha"] or _("无法计算")])
    agreement.append([])
    agreement.append([_("专家编号"), _("专家"), _("宽严度（与组均值之差的平均）"), _("去掉该专家后入选者")])
    for code, leniency in sorted(result["leniency"].items()):
        agreement.append([code, s.experts.get(code, ""), Decimal(leniency),
                          "、".join(result["leave_one_out"].get(code, [])) or _("无")])
    for ws in book.worksheets:
        ws.append([])
        ws.append([_("结果快照 SHA-256"), s.result.sha256])
        for column in ws.columns:
            letter = column[0].column_letter
            ws.column_dimensions[letter].width = max(10, min(40, max(len(str(c.value or "")) for c in column) + 4))
    return workbook_bytes(book)


def _style_header(ws: Any, row: int, width: int, bold: Font, fill: PatternFill) -> None:
    for col in range(1, width + 1):
        cell = ws.cell(row=row, column=col)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")


# --- the chart: each bid's totals by expert ------------------------------------------------------

@dataclass(frozen=True)
class ChartDot:
    x: float
    expert: str
    total: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    dots: list[ChartDot]
    aggregate_x: float
    aggregate: str


CHART_LEFT, CHART_WIDTH, ROW_HEIGHT, CHART_TOP = 120.0, 480.0, 34.0, 28.0


def chart_rows(summary: Summary) -> tuple[list[ChartRow], list[tuple[float, str]], float]:
    """Rows for the SVG (one per bid, in rank order), the axis ticks and the chart's height."""
    maximum = sum((Decimal(c["points"]) for c in summary.criteria), Decimal(0)) or Decimal(100)

    def x_of(value: str) -> float:
        return round(CHART_LEFT + float(Decimal(value) / maximum) * CHART_WIDTH, 1)

    rows = []
    for index, bid in enumerate(summary.ranking):
        dots = [ChartDot(x_of(s["total"]), s["expert"], s["total"]) for s in summary.sheets_of(bid["bid"])]
        rows.append(ChartRow(bid["bid"], CHART_TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2, dots,
                             x_of(bid["aggregate"]), bid["aggregate"]))
    ticks = [(x_of(str(maximum * i / 5)), f"{(maximum * i / 5).normalize():f}") for i in range(6)]
    return rows, ticks, CHART_TOP + len(rows) * ROW_HEIGHT + 30
