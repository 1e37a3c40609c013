"""One canonical JSON for everything hashed: its bytes never change, and nobody spells it again."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from arena.canonical import canonical_json

SRC = Path(__file__).resolve().parents[1] / "src" / "arena"


def test_the_spelling_is_fixed():
    value = {"b": [1, "二"], "a": {"d": date(2026, 12, 3), "c": Decimal("1.50")}}
    assert canonical_json(value) == '{"a":{"c":"1.50","d":"2026-12-03"},"b":[1,"二"]}'


def test_no_other_module_spells_canonical_json_by_hand():
    """A second spelling would hash the same value differently one day (issue 23)."""
    hand_made = re.compile(r"json\.dumps\([^)]*sort_keys=True[^)]*separators=\(\",\", \":\"\)", re.S)
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if path.name != "canonical.py" and hand_made.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
