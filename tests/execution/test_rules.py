"""Execution's pure rules and its transition tables: acceptance grades, the horse race's ranking,
and a refused transition naming the states it needs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arena.errors import DomainError
from arena.execution.grades import Thresholds, grade_for
from arena.execution.models import Grade
from arena.execution.ranking import last_placed, rank_teams
from arena.execution.transitions import CHECKPOINT, MILESTONE, PLAN_CHANGE, PROJECT, REPORT, TOLERANCE
from arena.publicity.transitions import OBJECTION, PUBLICITY

LINES = Thresholds(Decimal(90), Decimal(80), Decimal(60))


@pytest.mark.parametrize(("score", "grade"), [
    ("100", Grade.EXCELLENT), ("90", Grade.EXCELLENT), ("89.99", Grade.GOOD), ("80", Grade.GOOD),
    ("79.99", Grade.QUALIFIED), ("60", Grade.QUALIFIED), ("59.99", Grade.UNQUALIFIED), ("0", Grade.UNQUALIFIED)])
def test_grades_follow_the_thresholds_inclusively(score, grade):
    assert grade_for(Decimal(score), LINES) is grade


@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_a_higher_score_never_gets_a_lower_grade(a, b):
    order = [Grade.UNQUALIFIED, Grade.QUALIFIED, Grade.GOOD, Grade.EXCELLENT]
    low, high = sorted((a, b))
    assert order.index(grade_for(low, LINES)) <= order.index(grade_for(high, LINES))


def test_teams_rank_by_their_mean_score_ties_share_and_unassessed_teams_come_last():
    ranking = rank_teams({1: [Decimal("80"), Decimal("90")], 2: [Decimal("85")], 3: [], 4: [Decimal("70.005")] * 2})
    assert [(r.project_id, r.mean, r.rank) for r in ranking] == [
        (1, Decimal("85.00"), 1), (2, Decimal("85.00"), 1), (4, Decimal("70.01"), 3), (3, None, 4)]
    assert last_placed(ranking) == [3]
    assert last_placed(rank_teams({5: [Decimal(60)], 6: [Decimal(60)]})) == [5, 6]
    assert last_placed([]) == []


@given(st.dictionaries(st.integers(1, 50), st.lists(st.decimals(min_value=0, max_value=100, places=1), max_size=5),
                       max_size=8))
def test_the_ranking_is_ordered_and_contains_every_team_once(scores):
    ranking = rank_teams(scores)
    assert sorted(r.project_id for r in ranking) == sorted(scores)
    ranks = [r.rank for r in ranking]
    assert ranks == sorted(ranks) and (not ranks or ranks[0] == 1)
    means = [r.mean for r in ranking if r.mean is not None]
    assert means == sorted(means, reverse=True)


MACHINES = [PUBLICITY, OBJECTION, PROJECT, MILESTONE, REPORT, CHECKPOINT, PLAN_CHANGE, TOLERANCE]


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.prefix)
def test_every_transition_is_allowed_only_from_its_sources(machine):
    for action, transition in machine.transitions.items():
        for state in machine.labels:
            if state in transition.sources:
                assert machine.check(action, state) == transition.target
            else:
                with pytest.raises(DomainError) as refused:
                    machine.check(action, state)
                assert machine.label(state) in refused.value.message  # it says where the thing is


def test_a_refusal_names_the_states_the_action_needs():
    with pytest.raises(DomainError, match="只有“待考核”的进展报告才能考核进展报告（当前：已考核）"):
        REPORT.check("assess", "assessed")
    with pytest.raises(DomainError, match="待纪检监察意见"):
        TOLERANCE.check("opine", "granted")
