"""Which 组织部门 covers a unit: pure functions over the unit tree (arena.units.scope)."""

from __future__ import annotations

import pytest

from arena.units import scope

# 市 1 ─┬─ 区 2 ─── 街道 3 ─── 社区 4
#       └─ 县 5 ─── 镇 6
#  另一个市 7
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 3, 5: 1, 6: 5, 7: None}


def test_ancestors_start_at_the_unit_and_climb_to_the_top():
    assert scope.ancestors(4, PARENTS) == [4, 3, 2, 1]
    assert scope.ancestors(1, PARENTS) == [1]


def test_an_unknown_unit_is_its_own_only_ancestor():
    assert scope.ancestors(99, PARENTS) == [99]


CITY, DISTRICT = 10, 20


@pytest.mark.parametrize(("unit", "expected"), [(1, CITY), (5, CITY), (6, CITY), (2, DISTRICT), (3, DISTRICT),
                                                (4, DISTRICT), (7, None)])
def test_the_nearest_department_above_a_unit_decides(unit, expected):
    assert scope.covering(unit, PARENTS, {1: CITY, 2: DISTRICT}) == expected


def test_no_department_covers_a_unit_outside_every_subtree():
    assert scope.covering(4, PARENTS, {5: 10}) is None
    assert scope.covering(4, PARENTS, {}) is None


def test_a_cycle_in_bad_data_stops_the_climb():
    looped = {1: 3, 2: 1, 3: 2}
    assert scope.ancestors(1, looped) == [1, 3, 2]
    assert scope.covering(1, looped, {2: 20}) == 20
    assert scope.covering(1, looped, {9: 90}) is None
    assert scope.subtree(2, looped) == frozenset({1, 2, 3})


def test_subtree_holds_the_root_and_everything_under_it():
    assert scope.subtree(2, PARENTS) == frozenset({2, 3, 4})
    assert scope.subtree(1, PARENTS) == frozenset({1, 2, 3, 4, 5, 6})
    assert scope.subtree(4, PARENTS) == frozenset({4})


def test_a_department_decides_its_subtree_less_nested_departments():
    roots = [1, 2]
    assert scope.units_decided_by(1, PARENTS, roots) == frozenset({1, 5, 6})
    assert scope.units_decided_by(2, PARENTS, roots) == frozenset({2, 3, 4})


def test_a_nested_department_deeper_down_takes_only_its_own_subtree():
    assert scope.units_decided_by(1, PARENTS, [1, 3]) == frozenset({1, 2, 5, 6})
    assert scope.units_decided_by(3, PARENTS, [1, 3]) == frozenset({3, 4})


def test_alone_a_department_decides_its_whole_subtree():
    assert scope.units_decided_by(5, PARENTS, []) == frozenset({5, 6})
    assert scope.units_decided_by(5, PARENTS, [5]) == frozenset({5, 6})


def test_every_unit_is_decided_by_exactly_the_department_covering_it():
    roots = {1: 100, 3: 300, 5: 500}
    for department_root, department in roots.items():
        decided = scope.units_decided_by(department_root, PARENTS, roots)
        assert decided == {u for u in PARENTS if scope.covering(u, PARENTS, roots) == department}
