"""The expert's own sheets of a panel, in order and side by side: the sheet page's 上一份 / 下一份,
where 保存并下一份 goes, and the overview of one's own scores (我的评分一览) to compare before
submitting.

Only the actor's own sheets: every query here filters on the actor's expert row, so no other
expert's score can reach these pages (sealing, DESIGN §5). Bids appear by review code; the lead's
name only when review is not blind — a blind panel's query does not even join the bidder
(review/blind.py). The panel's order is the order of the panel page: by review code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import null, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.bids.models import Bid
from arena.challenges.models import Challenge, Criterion
from arena.review import service, sheets
from arena.review.models import Panel, PanelPurpose, Score, ScoreSheet, SheetStatus
from arena.units.models import Cadre

SCORED = (SheetStatus.DRAFT.value, SheetStatus.SUBMITTED.value)
"""The sheets an expert works on; recused (and any other not owed) are left out, as on the panel page."""

CENT = Decimal("0.01")


# --- the sheets in order: navigation and 保存并下一份 --------------------------------------------

@dataclass(frozen=True)
class Step:
    sheet_id: int
    code: str
    status: str

    @property
    def open(self) -> bool:
        return self.status == SheetStatus.DRAFT.value


@dataclass(frozen=True)
class Steps:
    """The expert's sheets of one panel in the panel's order, seen from one of them."""

    steps: list[Step]
    current: int  # the sheet the page shows
    panel_id: int

    @property
    def index(self) -> int:
        return next((i for i, s in enumerate(self.steps) if s.sheet_id == self.current), -1)

    @property
    def previous(self) -> Step | None:
        return self.steps[self.index - 1] if self.index > 0 else None

    @property
    def next(self) -> Step | None:
        return self.steps[self.index + 1] if 0 <= self.index < len(self.steps) - 1 else None

    @property
    def next_open(self) -> Step | None:
        """Where 保存并下一份 goes: the first unsubmitted sheet after this one, None on the last."""
        return next_open(self.steps, self.current)

    @property
    def open_count(self) -> int:
        return sum(1 for s in self.steps if s.open)

    def code_of(self, sheet_id: int) -> str | None:
        return next((s.code for s in self.steps if s.sheet_id == sheet_id), None)


def next_open(steps: list[Step], current: int) -> Step | None:
    """The first sheet still to submit after `current`, in order. It does not wrap around: after
    the last sheet the expert goes back to the panel's list, which shows what is left."""
    after = False
    for step in steps:
        if after and step.open:
            return step
        after = after or step.sheet_id == current
    return None


def after_save(found: Steps, submitted: bool) -> str:
    """Where 保存并下一份 / 提交并下一份 leads once the sheet is saved: the next unsubmitted sheet,
    which says what became of this one, or after the last the panel's list, which says so."""
    done = "submitted" if submitted else "saved"
    step = found.next_open
    if step is None:
        return f"/review/panels/{found.panel_id}?done=last-{done}"
    return f"/review/sheets/{step.sheet_id}?done=next-{done}&from={found.current}"


async def steps(db: AsyncSession, sheet: ScoreSheet | sheets.Draft) -> Steps:
    """The sheet's siblings (same panel, same expert) in one query; the caller has checked that
    the sheet is the actor's own (sheets.expert_sheet)."""
    rows = (await db.execute(
        select(ScoreSheet.id, Bid.review_code, ScoreSheet.status).join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == sheet.panel_id, ScoreSheet.expert_id == sheet.expert_id,
               ScoreSheet.status.in_(SCORED))
        .order_by(Bid.review_code, ScoreSheet.id))).all()
    return Steps([Step(i, code or "", status) for i, code, status in rows], sheet.id, sheet.panel_id)


# --- 我的评分一览 ----------------------------------------------------------------------------------

@dataclass
class Row:
    sheet_id: int
    code: str
    status: str
    total: Decimal | None
    lead: str | None = None  # only when review is not blind
    scores: dict[int, Decimal] = field(default_factory=dict)  # criterion id → the expert's own score


@dataclass
class Overview:
    panel: Panel
    challenge: Challenge
    criteria: list[Criterion]
    rows: list[Row]
    blind: bool
    sort: str  # "code" (the panel's order) or "total" (highest first, unscored last)

    @property
    def max_total(self) -> Decimal:
        return sum((c.points for c in self.criteria), Decimal(0))

    @property
    def means(self) -> dict[int, Decimal]:
        """The expert's own mean per criterion, over the sheets where they entered it."""
        found: dict[int, Decimal] = {}
        for criterion in self.criteria:
            values = [r.scores[criterion.id] for r in self.rows if criterion.id in r.scores]
            if values:
                found[criterion.id] = (sum(values, Decimal(0)) / len(values)).quantize(CENT)
        return found

    @property
    def mean_total(self) -> Decimal | None:
        totals = [r.total for r in self.rows if r.total is not None]
        return (sum(totals, Decimal(0)) / len(totals)).quantize(CENT) if totals else None

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.status == SheetStatus.SUBMITTED.value)


SORTS = ("code", "total")


async def my_overview(db: AsyncSession, actor: Actor, panel_id: int, sort: str = "code") -> Overview:
    """The actor's own sheets of a panel they sit on, with every score they entered: one query for
    the sheets and their scores together (a row per score), whatever the number of bids."""
    panel, challenge, _seat, expert = await sheets.expert_panel(db, actor, panel_id)
    blind = challenge.blind_review and panel.purpose == PanelPurpose.BID.value
    # Blind: the lead's column is a NULL and the bidder is not joined at all.
    lead_name = null().label("lead") if blind else Cadre.name
    stmt = (select(ScoreSheet.id, Bid.review_code, ScoreSheet.status, ScoreSheet.total, Score.criterion_id,
                   Score.value, lead_name)
            .join(Bid, Bid.id == ScoreSheet.bid_id).outerjoin(Score, Score.sheet_id == ScoreSheet.id)
            .where(ScoreSheet.panel_id == panel.id, ScoreSheet.expert_id == expert.id,
                   ScoreSheet.status.in_(SCORED))
            .order_by(Bid.review_code, ScoreSheet.id))
    if not blind:
        stmt = stmt.join(Cadre, Cadre.id == Bid.lead_id)
    rows: dict[int, Row] = {}
    for sheet_id, code, status, total, criterion_id, value, lead in (await db.execute(stmt)).all():
        row = rows.get(sheet_id)
        if row is None:
            row = rows[sheet_id] = Row(sheet_id, code or "", status, total, lead)
        if criterion_id is not None:
            row.scores[criterion_id] = value
    ordered = list(rows.values())
    sort = sort if sort in SORTS else "code"
    if sort == "total":
        ordered.sort(key=lambda r: (r.total is None, -(r.total or 0)))
    return Overview(panel, challenge, service.criteria_for(challenge, panel.purpose), ordered, blind, sort)
