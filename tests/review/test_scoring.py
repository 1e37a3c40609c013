"""The scoring math (DESIGN §4): worked examples, properties, and alpha against `krippendorff`."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from arena.review.scoring import (
    CriterionSpec,
    Rule,
    SheetScores,
    aggregate,
    compute,
    krippendorff_alpha,
    round_half_up,
    snapshot_dict,
)

CRITERIA = [CriterionSpec(1, 1, Decimal(30)), CriterionSpec(2, 2, Decimal(25)), CriterionSpec(3, 3, Decimal(25)),
            CriterionSpec(4, 4, Decimal(20))]


def sheet(expert: str, bid: str, *scores: str) -> SheetScores:
    return SheetScores(expert, bid, {c.id: Decimal(s) for c, s in zip(CRITERIA, scores, strict=True)})


def F(*values: int | str) -> list[Fraction]:
    return [Fraction(v) for v in values]


def test_aggregation_methods():
    assert aggregate(F(80, 85, 90, 70, 95), "trimmed_mean", None) == 85  # drop 95 and 70
    assert aggregate(F(80, 85, 90, 70), "trimmed_mean", None) == Fraction(325, 4)  # fewer than 5: k = 0
    assert aggregate(F(80, 85, 90, 70, 95, 60, 99), "trimmed_mean", 2) == 85
    assert aggregate(F(80, 90), "trimmed_mean", 3) == 85  # k reduced so one value remains at least
    assert aggregate(F(70, 80, 95), "median", None) == 80
    assert aggregate(F(70, 80, 90, 95), "median", None) == 85
    assert aggregate(F(1, 2), "mean", None) == Fraction(3, 2)
    with pytest.raises(ValueError):
        aggregate([], "mean", None)


@pytest.mark.parametrize("value,expected", [(Fraction("85.335"), "85.34"), (Fraction(2, 3), "0.67"),
                                            (Fraction("-0.005"), "-0.01"), (Fraction("85.334999"), "85.33"),
                                            (Fraction(1, 8), "0.13")])
def test_round_half_up_is_exact(value, expected):
    assert round_half_up(value) == Decimal(expected)


def test_ranking_ties_pass_score_and_deviation():
    sheets = [
        # A and B tie on the total (80); A is better on the 30-point criterion, so A ranks first.
        sheet("e1", "A", "26", "18", "18", "18"), sheet("e2", "A", "26", "18", "18", "18"),
        sheet("e1", "B", "24", "20", "18", "18"), sheet("e2", "B", "24", "20", "18", "18"),
        # C and D tie on everything: they share rank 3, and the next would be 5.
        sheet("e1", "C", "20", "15", "15", "10"), sheet("e2", "C", "20", "15", "15", "10"),
        sheet("e1", "D", "20", "15", "15", "10"), sheet("e2", "D", "20", "15", "15", "10"),
        # E: e1 gives 90, e2 gives 40; mean 65, both 25 away > 20% of 100: both deviate.
        sheet("e1", "E", "30", "25", "20", "15"), sheet("e2", "E", "10", "10", "10", "10"),
    ]
    result = compute(CRITERIA, sheets, Rule(method="mean", pass_score=Decimal(70)))
    ranks = {b.bid: b.rank for b in result.bids}
    assert ranks == {"A": 1, "B": 2, "C": 4, "D": 4, "E": 3}
    assert [b.bid for b in result.bids] == ["A", "B", "E", "C", "D"]
    assert result.winners == ("A",)
    by_bid = {b.bid: b for b in result.bids}
    assert not by_bid["C"].passes and by_bid["E"].deviating == ("e1", "e2") and by_bid["A"].deviating == ()
    # A pass score above every aggregate leaves no winner.
    assert compute(CRITERIA, sheets, Rule(method="mean", pass_score=Decimal(95))).winners == ()
    # Horse race: the top two win.
    assert compute(CRITERIA, sheets, Rule(method="mean", winners=2)).winners == ("A", "B")


def test_leniency_and_perfect_agreement():
    sheets = [sheet("e1", b, "20", "20", "20", s) for b, s in (("A", "20"), ("B", "10"))] + \
             [sheet("e2", b, "20", "20", "20", s) for b, s in (("A", "18"), ("B", "8"))]
    result = compute(CRITERIA, sheets, Rule(method="mean"))
    assert result.leniency == {"e1": Decimal("1.00"), "e2": Decimal("-1.00")}
    same = [sheet(e, b, "20", "20", "20", s) for e in ("e1", "e2", "e3") for b, s in (("A", "20"), ("B", "10"))]
    assert compute(CRITERIA, same, Rule()).alpha == Decimal(1)


score_1dp = st.integers(0, 200).map(lambda n: Decimal(n) / 10)  # 0.0 … 20.0, within every criterion


@st.composite
def panels(draw, min_experts=1, allow_missing=True):
    experts = [f"e{i}" for i in range(draw(st.integers(min_experts, 7)))]
    bids = [f"P{i:02d}" for i in range(draw(st.integers(1, 6)))]
    sheets = []
    for expert in experts:
        for bid in bids:
            if allow_missing and draw(st.booleans()) and draw(st.booleans()):
                continue
            sheets.append(SheetScores(expert, bid, {c.id: draw(score_1dp) for c in CRITERIA}))
    assume(sheets)
    return sheets


@settings(max_examples=100, deadline=None)
@given(values=st.lists(score_1dp.map(Fraction), min_size=1, max_size=12),
       method=st.sampled_from(["trimmed_mean", "mean", "median"]), k=st.none() | st.integers(0, 4))
def test_aggregate_lies_between_min_and_max(values, method, k):
    assert min(values) <= aggregate(values, method, k) <= max(values)


@settings(max_examples=100, deadline=None)
@given(sheets=panels(), method=st.sampled_from(["trimmed_mean", "mean", "median"]), data=st.data())
def test_compute_does_not_depend_on_the_order_of_the_sheets(sheets, method, data):
    rule = Rule(method=method, pass_score=Decimal(40), winners=data.draw(st.integers(1, 3)))
    shuffled = data.draw(st.permutations(sheets))
    assert snapshot_dict(compute(CRITERIA, sheets, rule)) == snapshot_dict(compute(CRITERIA, shuffled, rule))


@settings(max_examples=100, deadline=None)
@given(sheets=panels(min_experts=2), method=st.sampled_from(["trimmed_mean", "mean", "median"]))
def test_leave_one_out_is_the_ranking_without_that_expert(sheets, method):
    rule = Rule(method=method, pass_score=Decimal(30))
    result = compute(CRITERIA, sheets, rule)
    for expert in {s.expert for s in sheets}:
        without = [s for s in sheets if s.expert != expert]
        expected = compute(CRITERIA, without, rule).winners if without else ()
        assert result.leave_one_out[expert] == expected
        assert result.winners_change_without(expert) == (expected != result.winners)


@settings(max_examples=100, deadline=None)
@given(sheets=panels(min_experts=2))
def test_alpha_matches_the_krippendorff_package(sheets):
    experts = sorted({s.expert for s in sheets})
    bids = sorted({s.bid for s in sheets})
    data = np.full((len(experts), len(bids)), np.nan)
    for s in sheets:
        data[experts.index(s.expert), bids.index(s.bid)] = float(s.total)
    ours = krippendorff_alpha(sheets)
    try:
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    except (ValueError, ZeroDivisionError):
        assume(False)
    assume(ours is not None and not math.isnan(theirs))
    assert abs(float(ours) - theirs) < 1e-6
