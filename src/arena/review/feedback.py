"""A bidder's own review (评审反馈): what the frozen results say about one bid, for its lead and
confirmed team members only (issue 21).

Every number comes from the frozen snapshot, so it equals the published result. Experts appear as
专家甲/乙/丙…: the letter comes from sorting the panel's experts by sha256(result sha256 + expert
code), an order that is the same on every bid of the panel and reveals neither the codes nor the
drawn order. A bidder sees only their own bid's sheets, never another bid's; the medians over
bids are the only figures about the others.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.bids.models import Bid, BidMember, MemberStatus
from arena.challenges.models import Challenge
from arena.db import get_or_none
from arena.errors import NotFound
from arena.i18n import gettext as _
from arena.review import policy, scoring, seal
from arena.review.models import Panel, PanelPurpose, ReviewResult, ScoreSheet
from arena.units.models import Cadre

STEMS = "甲乙丙丁戊己庚辛壬癸"


# --- pure rules --------------------------------------------------------------------------------

def expert_letters(result_sha256: str, experts: list[str] | set[str]) -> dict[str, str]:
    """Expert code → 甲, 乙, 丙…; the order depends only on the result's hash and the codes."""
    order = sorted(set(experts), key=lambda code: (hashlib.sha256((result_sha256 + code).encode()).hexdigest(), code))
    return {code: STEMS[i] if i < len(STEMS) else f"{STEMS[-1]}{i - len(STEMS) + 2}" for i, code in enumerate(order)}


def _inputs(snapshot: dict[str, Any]) -> tuple[list[scoring.CriterionSpec], list[scoring.SheetScores], scoring.Rule]:
    criteria = [scoring.CriterionSpec(int(c["id"]), position, Decimal(c["points"]))
                for position, c in enumerate(snapshot["criteria"], start=1)]
    sheets = [scoring.SheetScores(s["expert"], s["bid"], {int(k): Decimal(v) for k, v in s["scores"].items()})
              for s in snapshot["sheets"]]
    raw = snapshot["rule"]
    rule = scoring.Rule(method=raw["method"], trim_k=raw["trim_k"], deviation_share=Decimal(raw["deviation_share"]),
                        pass_score=None if raw["pass_score"] is None else Decimal(raw["pass_score"]),
                        winners=int(raw["winners"]))
    return criteria, sheets, rule


def recompute(snapshot: dict[str, Any]) -> scoring.PanelResult:
    """The results again from the snapshot's own inputs (they must equal its "result")."""
    return scoring.compute(*_inputs(snapshot))


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return scoring.round_half_up(scoring.aggregate([Fraction(v) for v in values], "median", None))


@dataclass(frozen=True)
class LeaveOneOut:
    letter: str
    rank: int | None  # None: without that expert the bid has no sheet left


def ranks_without_each(snapshot: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Expert code → every bid's rank were that expert's sheets left out."""
    criteria, sheets, rule = _inputs(snapshot)
    without: dict[str, dict[str, int]] = {}
    for code in sorted({s.expert for s in sheets}):
        kept = [s for s in sheets if s.expert != code]
        without[code] = scoring.ranks(criteria, kept, rule) if kept else {}
    return without


def leave_one_out(snapshot: dict[str, Any], bid_code: str, letters: dict[str, str],
                  without: dict[str, dict[str, int]] | None = None) -> list[LeaveOneOut]:
    """For each expert whose removal changes this bid's rank: the letter and the rank it would get.
    `without`: ranks_without_each(snapshot), when already known."""
    without = ranks_without_each(snapshot) if without is None else without
    current = {b["bid"]: b["rank"] for b in snapshot["result"]["bids"]}.get(bid_code)
    changes = []
    for code, letter in sorted(letters.items(), key=lambda item: (len(item[1]), STEMS.find(item[1][0]), item[1])):
        rank = without.get(code, {}).get(bid_code)
        if rank != current:
            changes.append(LeaveOneOut(letter, rank))
    return changes


# --- a frozen snapshot, read once per process ---------------------------------------------------

@dataclass(frozen=True)
class _Read:
    snapshot: dict[str, Any]
    without: dict[str, dict[str, int]]


SNAPSHOTS_KEPT = 32
_read: OrderedDict[str, _Read] = OrderedDict()


def _read_snapshot(text: str) -> _Read:
    """The parsed snapshot and its leave-one-out ranks, kept by the hash of the text itself: a
    frozen review never changes, and every bidder of the panel reads the same one (the ranks
    without each expert cost a full ranking per expert: most of the page's time). Never to be
    changed by a caller."""
    key = hashlib.sha256(text.encode()).hexdigest()
    found = _read.get(key)
    if found is None:
        snapshot = json.loads(text)
        found = _read[key] = _Read(snapshot, ranks_without_each(snapshot))
        while len(_read) > SNAPSHOTS_KEPT:
            _read.popitem(last=False)
    else:
        _read.move_to_end(key)
    return found


# --- the page's data ---------------------------------------------------------------------------

@dataclass
class ExpertSheet:
    letter: str
    label: str
    scores: dict[str, str]
    total: str
    comment: str


@dataclass
class CriterionLine:
    name: str
    points: str
    own: str
    median: str


@dataclass
class Feedback:
    bid: Bid
    challenge: Challenge
    result: ReviewResult | None
    reviewed: bool = False
    code: str = ""
    rank: int = 0
    ranked: int = 0
    total: str = ""
    median_total: str = ""
    pass_score: str | None = None
    passes: bool = False
    winner: bool = False
    method: str = ""
    criteria: list[dict[str, Any]] = field(default_factory=list)
    lines: list[CriterionLine] = field(default_factory=list)
    sheets: list[ExpertSheet] = field(default_factory=list)
    changes: list[LeaveOneOut] = field(default_factory=list)
    panel_size: int = 0

    @property
    def frozen(self) -> bool:
        return self.result is not None


async def own_bid(db: AsyncSession, actor: Actor, bid_id: int) -> Bid:
    """The bid if the actor may read its review (policy.may_read_feedback: its lead or a
    confirmed member of its team); otherwise not found."""
    bid = await get_or_none(db, Bid, bid_id)
    if bid is not None:
        lead = await db.scalar(select(Cadre.user_id).where(Cadre.id == bid.lead_id))
        confirmed = await db.scalars(select(Cadre.user_id).join(BidMember, BidMember.cadre_id == Cadre.id).where(
            BidMember.bid_id == bid.id, BidMember.status == MemberStatus.CONFIRMED.value))
        if policy.may_read_feedback(actor, lead, {user for user in confirmed if user is not None}):
            return bid
    raise NotFound(_("该揭榜申报不存在，或你不在其团队中。"))


async def load(db: AsyncSession, actor: Actor, bid_id: int) -> Feedback:
    bid = await own_bid(db, actor, bid_id)
    challenge = await db.get(Challenge, bid.challenge_id)
    assert challenge is not None
    result = await db.scalar(
        select(ReviewResult).join(Panel, Panel.id == ReviewResult.panel_id)
        .where(ReviewResult.challenge_id == challenge.id, Panel.purpose == PanelPurpose.BID.value,
               ReviewResult.superseded_at.is_(None)).order_by(ReviewResult.id.desc()).limit(1))
    feedback = Feedback(bid, challenge, result)
    if result is None:
        return feedback
    read = _read_snapshot(result.snapshot)
    snapshot = read.snapshot
    code = bid.review_code or ""
    ranking = snapshot["result"]["bids"]
    own = next((row for row in ranking if row["bid"] == code), None) if code else None
    if own is None:
        return feedback
    letters = expert_letters(result.sha256, {s["expert"] for s in snapshot["sheets"]})
    rule = snapshot["rule"]
    feedback.reviewed, feedback.code = True, code
    feedback.rank, feedback.ranked, feedback.total = own["rank"], len(ranking), own["aggregate"]
    feedback.median_total = str(_median([Decimal(row["aggregate"]) for row in ranking]))
    feedback.pass_score, feedback.passes, feedback.winner = rule["pass_score"], own["passes"], own["winner"]
    feedback.method = rule["method"]
    feedback.criteria = list(snapshot["criteria"])
    feedback.lines = [CriterionLine(c["name"], c["points"], own["criteria"][str(c["id"])],
                                    str(_median([Decimal(row["criteria"][str(c["id"])]) for row in ranking])))
                      for c in snapshot["criteria"]]
    own_sheets = [s for s in snapshot["sheets"] if s["bid"] == code]
    comments = await _comments(db, result.panel_id, bid.id, own_sheets)
    feedback.sheets = sorted((ExpertSheet(letters[s["expert"]], _("专家{letter}").format(letter=letters[s["expert"]]),
                                          dict(s["scores"]), s["total"], comments.get(s.get("sheet", -1), ""))
                              for s in own_sheets), key=lambda e: (len(e.letter), STEMS.find(e.letter[0]), e.letter))
    feedback.changes, feedback.panel_size = leave_one_out(snapshot, code, letters, read.without), len(letters)
    return feedback


async def _comments(db: AsyncSession, panel_id: int, bid_id: int, sheets: list[dict[str, Any]]) -> dict[int, str]:
    """Each frozen sheet's comment as written, when it still matches the digest frozen with it."""
    ids = [int(s["sheet"]) for s in sheets if "sheet" in s]
    if not ids:
        return {}
    rows = (await db.execute(select(ScoreSheet.id, ScoreSheet.comment).where(
        ScoreSheet.id.in_(ids), ScoreSheet.panel_id == panel_id, ScoreSheet.bid_id == bid_id))).tuples().all()
    digests = {int(s["sheet"]): s.get("comment_sha256") for s in sheets if "sheet" in s}
    return {sheet_id: comment or "" for sheet_id, comment in rows
            if digests.get(sheet_id) in (None, seal.comment_digest(comment or ""))}
