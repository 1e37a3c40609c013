"""Scoring math (DESIGN §4): aggregation, ranking, deviation, agreement — pure functions.

Everything is exact: scores come in as Decimals, arithmetic runs on Fractions, and rounding
(half up, 2 places; 4 for alpha) happens once, at the end. Ranking uses the rounded figures,
the ones people see and the documents print, so two bids shown with the same score are never
ranked apart by a hidden third decimal: they go to the criteria tie-break, then share a rank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

METHODS = ("trimmed_mean", "mean", "median")


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Exact half-up rounding (half away from zero for negatives)."""
    scale = 10**places
    magnitude = abs(value) * scale
    rounded = int(magnitude + Fraction(1, 2))  # floor of a non-negative number
    result = Decimal(rounded).scaleb(-places)
    return -result if value < 0 else result


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    position: int
    points: Decimal


@dataclass(frozen=True)
class SheetScores:
    expert: str
    bid: str
    scores: Mapping[int, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.scores.values(), Decimal(0))


@dataclass(frozen=True)
class Rule:
    method: str = "trimmed_mean"
    trim_k: int | None = None
    deviation_share: Decimal = Decimal("0.20")
    pass_score: Decimal | None = None
    winners: int = 1


def trim_count(n: int, trim_k: int | None) -> int:
    k = trim_k if trim_k is not None else (1 if n >= 5 else 0)
    return k if 2 * k < n else (n - 1) // 2


def aggregate(values: Sequence[Fraction], method: str, trim_k: int | None) -> Fraction:
    if not values:
        raise ValueError("no values to aggregate")
    ordered = sorted(values)
    if method == "mean":
        return sum(ordered, Fraction(0)) / len(ordered)
    if method == "median":
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    if method == "trimmed_mean":
        k = trim_count(len(ordered), trim_k)
        kept = ordered[k:len(ordered) - k]
        return sum(kept, Fraction(0)) / len(kept)
    raise ValueError(f"unknown aggregation method: {method}")


@dataclass(frozen=True)
class BidResult:
    bid: str
    sheets: int
    aggregate: Decimal
    criteria: dict[int, Decimal]
    rank: int
    passes: bool
    winner: bool
    deviating: tuple[str, ...]


@dataclass(frozen=True)
class PanelResult:
    bids: tuple[BidResult, ...]
    alpha: Decimal | None
    leniency: dict[str, Decimal]
    leave_one_out: dict[str, tuple[str, ...]]
    winners: tuple[str, ...]

    def winners_change_without(self, expert: str) -> bool:
        return self.leave_one_out.get(expert, self.winners) != self.winners


def _by_bid(sheets: Sequence[SheetScores]) -> dict[str, list[SheetScores]]:
    grouped: dict[str, list[SheetScores]] = defaultdict(list)
    for sheet in sheets:
        grouped[sheet.bid].append(sheet)
    return grouped


def _tie_order(criteria: Sequence[CriterionSpec]) -> list[int]:
    """Criteria in tie-break order: most points first, then the rubric's order."""
    return [c.id for c in sorted(criteria, key=lambda c: (-c.points, c.position))]


def _rank(criteria: Sequence[CriterionSpec], sheets: Sequence[SheetScores], rule: Rule
          ) -> list[tuple[str, int, Decimal, dict[int, Decimal], int]]:
    """(bid, sheets, aggregate, criteria aggregates, rank) in rank order."""
    rows = []
    for bid, own in _by_bid(sheets).items():
        total = round_half_up(aggregate([_fraction(s.total) for s in own], rule.method, rule.trim_k))
        per_criterion = {c.id: round_half_up(aggregate([_fraction(s.scores[c.id]) for s in own], rule.method,
                                                       rule.trim_k)) for c in criteria}
        rows.append((bid, len(own), total, per_criterion))
    order = _tie_order(criteria)

    def key(row: tuple[str, int, Decimal, dict[int, Decimal]]) -> tuple[Decimal, ...]:
        return (row[2], *(row[3][c] for c in order))

    rows.sort(key=lambda row: (tuple(-v for v in key(row)), row[0]))
    ranked: list[tuple[str, int, Decimal, dict[int, Decimal], int]] = []
    for index, row in enumerate(rows):
        rank = ranked[-1][4] if index and key(rows[index - 1]) == key(row) else index + 1
        ranked.append((*row, rank))
    return ranked


def _winners(ranked: list[tuple[str, int, Decimal, dict[int, Decimal], int]], rule: Rule) -> tuple[str, ...]:
    return tuple(sorted(bid for bid, _n, total, _c, rank in ranked if rank <= rule.winners and _passes(total, rule)))


def _passes(total: Decimal, rule: Rule) -> bool:
    return rule.pass_score is None or total >= rule.pass_score


def _means(sheets: Sequence[SheetScores]) -> dict[str, Fraction]:
    return {bid: sum((_fraction(s.total) for s in own), Fraction(0)) / len(own)
            for bid, own in _by_bid(sheets).items()}


def _deviating(criteria: Sequence[CriterionSpec], sheets: Sequence[SheetScores], rule: Rule) -> dict[str, list[str]]:
    limit = _fraction(rule.deviation_share) * sum((_fraction(c.points) for c in criteria), Fraction(0))
    means = _means(sheets)
    flagged: dict[str, list[str]] = defaultdict(list)
    for sheet in sheets:
        if abs(_fraction(sheet.total) - means[sheet.bid]) > limit:
            flagged[sheet.bid].append(sheet.expert)
    return flagged


def krippendorff_alpha(sheets: Sequence[SheetScores]) -> Fraction | None:
    """Interval alpha on the totals; units are bids, coders experts; missing values allowed."""
    units = [[_fraction(s.total) for s in own] for own in _by_bid(sheets).values()]
    units = [values for values in units if len(values) >= 2]
    pairable = [v for values in units for v in values]
    n = len(pairable)
    if n < 2:
        return None
    observed = sum((sum(((a - b) ** 2 for a in values for b in values), Fraction(0)) / (len(values) - 1)
                    for values in units), Fraction(0)) / n
    expected = sum(((a - b) ** 2 for a in pairable for b in pairable), Fraction(0)) / (n * (n - 1))
    if expected == 0:
        return None
    return 1 - observed / expected


def _leniency(sheets: Sequence[SheetScores]) -> dict[str, Decimal]:
    means = _means(sheets)
    offsets: dict[str, list[Fraction]] = defaultdict(list)
    for sheet in sheets:
        offsets[sheet.expert].append(_fraction(sheet.total) - means[sheet.bid])
    return {expert: round_half_up(sum(values, Fraction(0)) / len(values)) for expert, values in offsets.items()}


def ranks(criteria: Sequence[CriterionSpec], sheets: Sequence[SheetScores], rule: Rule) -> dict[str, int]:
    """Each bid's rank, as `compute` ranks them (without the rest of what it computes)."""
    return {bid: rank for bid, _count, _total, _per_criterion, rank in _rank(criteria, sheets, rule)}


def compute(criteria: Sequence[CriterionSpec], sheets: Sequence[SheetScores], rule: Rule) -> PanelResult:
    ranked = _rank(criteria, sheets, rule)
    flagged = _deviating(criteria, sheets, rule)
    winners = _winners(ranked, rule)
    bids = tuple(BidResult(bid, count, total, per_criterion, rank, _passes(total, rule), bid in winners,
                           tuple(sorted(flagged.get(bid, []))))
                 for bid, count, total, per_criterion, rank in ranked)
    experts = sorted({s.expert for s in sheets})
    leave_one_out = {e: _winners(_rank(criteria, [s for s in sheets if s.expert != e], rule), rule) for e in experts}
    alpha = krippendorff_alpha(sheets)
    return PanelResult(bids, None if alpha is None else round_half_up(alpha, 4), _leniency(sheets), leave_one_out,
                       winners)


def snapshot_dict(result: PanelResult) -> dict[str, Any]:
    """Plain JSON-able data, Decimals as strings; equal inputs give equal output."""
    return {
        "bids": [{"bid": b.bid, "sheets": b.sheets, "aggregate": str(b.aggregate),
                  "criteria": {str(k): str(v) for k, v in sorted(b.criteria.items())}, "rank": b.rank,
                  "passes": b.passes, "winner": b.winner, "deviating": list(b.deviating)} for b in result.bids],
        "alpha": None if result.alpha is None else str(result.alpha),
        "leniency": {k: str(v) for k, v in sorted(result.leniency.items())},
        "leave_one_out": {k: list(v) for k, v in sorted(result.leave_one_out.items())},
        "winners": list(result.winners),
    }
