"""Every status change goes through a state machine (arena.statemachine, STYLE: state and rules).

A static scan of src/arena: no module but arena/statemachine.py writes an attribute or column
named `status` — no `x.status = …` (alone, in a tuple, augmented or annotated), no
`.values(status=…)` or `.values({"status": …})` on an UPDATE, no `setattr(x, "status", …)`.
A constructor's `status=` for the initial state is allowed: creating is not a change.

And an area moves only its own machines: another area's rows change through that area's
functions (a bid's award outcome through bids.service, a challenge through
challenges.transitions.transition), never by calling its `Machine` directly.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator

import pytest

from arena import PROJECT_ROOT
from arena.statemachine import Machine

SOURCE = PROJECT_ROOT / "src" / "arena"
ALLOWED = {SOURCE / "statemachine.py"}
FIELD = "status"


def _targets(node: ast.expr) -> Iterator[ast.expr]:
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _names_status(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == FIELD


def status_writes(source: str) -> list[int]:
    """The lines of `source` that write a `status` other than through a state machine."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == FIELD for target in targets for t in _targets(target)):
            found.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "values" and (
                any(k.arg == FIELD for k in node.keywords)
                or any(isinstance(a, ast.Dict) and any(k is not None and _names_status(k) for k in a.keys)
                       for a in node.args)):
            found.append(node.lineno)
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2 and _names_status(node.args[1]):
            found.append(node.lineno)
    return found


def test_no_module_but_the_state_machines_writes_a_status():
    offenders = [f"{path.relative_to(PROJECT_ROOT)}:{line}"
                 for path in sorted(SOURCE.rglob("*.py")) if path not in ALLOWED
                 for line in status_writes(path.read_text(encoding="utf-8"))]
    assert not offenders, "status changed outside a Machine (use its move):\n" + "\n".join(offenders)


@pytest.mark.parametrize("planted", [
    "bid.status = 'won'",
    "bid.status, bid.reason = 'won', ''",
    "(a, [b.status]) = 1, [2]",
    "bid.status += 'x'",
    "bid.status: str = 'won'",
    "stmt = update(Bid).values(status='won')",
    "stmt = update(Bid).where(Bid.id == 1).values({'status': 'won', 'n': 1})",
    "setattr(bid, 'status', 'won')",
])
def test_the_scan_finds_a_planted_status_write(planted):
    assert status_writes(f"x = 1\n{planted}\n") == [2]


@pytest.mark.parametrize("allowed", [
    "bid = Bid(status='draft')",
    "rows = select(Bid).where(Bid.status == 'won')",
    "label = labels[bid.status]",
    "stmt = update(Bid).values(revision=Bid.revision + 1)",
    "setattr(bid, name, value)",
    "status = 'won'",
])
def test_the_scan_leaves_creation_and_reading_alone(allowed):
    assert status_writes(allowed) == []


MOVES = frozenset({"move", "move_quietly", "record", "moving"})


def _area(module: str) -> str:
    return module.split(".")[1]  # arena.<area>.…


def foreign_moves(source: str, area: str) -> list[int]:
    """The lines of a module in `area` that move another area's Machine (imported from its
    `transitions` module by name, or reached through the module)."""
    machines: set[str] = set()  # local names bound to another area's Machine
    modules: set[str] = set()  # local names bound to another area's transitions module
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module or not node.module.startswith("arena."):
            continue
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            if full.endswith(".transitions") and _area(full) != area:
                modules.add(alias.asname or alias.name)
            elif node.module.endswith(".transitions") and _area(node.module) != area:
                value = getattr(importlib.import_module(node.module), alias.name, None)
                if isinstance(value, Machine):
                    machines.add(alias.asname or alias.name)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MOVES):
            continue
        owner = node.func.value
        if (isinstance(owner, ast.Name) and owner.id in machines) or (
                isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) and owner.value.id in modules):
            found.append(node.lineno)
    return found


def test_an_area_moves_only_its_own_machines():
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).parts
        if len(parts) < 2:  # the core (statemachine.py itself, app.py, ...) belongs to no area
            continue
        offenders += [f"{path.relative_to(PROJECT_ROOT)}:{line}"
                      for line in foreign_moves(path.read_text(encoding="utf-8"), parts[0])]
    assert not offenders, "another area's Machine moved directly (call that area's function):\n" + "\n".join(offenders)


@pytest.mark.parametrize("planted", [
    "from arena.bids.transitions import BID\nawait BID.move(db, clock, actor, 'organizer', bid, 'win')",
    "from arena.bids.transitions import BID as B\nB.move_quietly(bid, 'win')",
    "from arena.bids import transitions as t\nawait t.BID.move(db, clock, actor, 'organizer', bid, 'win')",
])
def test_the_scan_finds_a_planted_move_of_another_areas_machine(planted):
    assert foreign_moves(planted, "execution") == [2]
    assert foreign_moves(planted, "bids") == []


def test_reading_another_areas_labels_is_no_move():
    source = "from arena.execution.transitions import PROJECT\nlabels = {k: PROJECT.label(k) for k in PROJECT.labels}"
    assert foreign_moves(source, "records") == []
