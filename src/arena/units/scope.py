"""Which organization department (组织部门) covers a unit — pure, over the unit tree as a map of
parents, so it is tested without a database (arena.units.orgdept loads the map).

A department covers the subtree under its root unit. When departments nest (a city's covers
the whole city, a district's its district), the nearest one above the cadre's unit decides:
the department that manages the cadre (干部管理权限).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def ancestors(unit_id: int, parents: Mapping[int, int | None]) -> list[int]:
    """The unit itself, then its parent, and so on up to the root (a cycle in bad data stops)."""
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def covering(unit_id: int, parents: Mapping[int, int | None], roots: Mapping[int, int]) -> int | None:
    """The department (by id) nearest above `unit_id`; `roots` maps a department's root unit to
    the department. None: no department covers the unit."""
    return next((roots[u] for u in ancestors(unit_id, parents) if u in roots), None)


def subtree(root: int, parents: Mapping[int, int | None]) -> frozenset[int]:
    """Every unit under `root`, itself included."""
    return frozenset(u for u in parents if root in ancestors(u, parents))


def units_decided_by(department_root: int, parents: Mapping[int, int | None],
                     other_roots: Iterable[int]) -> frozenset[int]:
    """The units whose cadres the department decides: its subtree, less the subtrees of nearer
    departments nested inside it."""
    others = set(other_roots) - {department_root}
    return frozenset(u for u in subtree(department_root, parents)
                     if next((a for a in ancestors(u, parents) if a == department_root or a in others),
                             None) == department_root)
