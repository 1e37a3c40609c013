"""Acceptance grades (验收等次) — a pure function of the aggregate and the challenge's thresholds.

优秀 at or above the excellent line, 良好 at or above the good line, 合格 at or above the
qualified line, else 不合格 (DESIGN §2.8). Thresholds are Decimals, as scores are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from arena.execution.enums import Grade
from arena.i18n import lazy

GRADE_LABELS: dict[str, str] = {
    Grade.EXCELLENT: lazy("优秀"),
    Grade.GOOD: lazy("良好"),
    Grade.QUALIFIED: lazy("合格"),
    Grade.UNQUALIFIED: lazy("不合格"),
}


@dataclass(frozen=True)
class Thresholds:
    excellent: Decimal
    good: Decimal
    qualified: Decimal

    @classmethod
    def of(cls, challenge: Any) -> Thresholds:
        return cls(challenge.grade_excellent, challenge.grade_good, challenge.grade_qualified)

    def as_dict(self) -> dict[str, str]:
        """Two places, as stored: the same text whether read from the database or not."""
        two = Decimal("0.01")
        return {"excellent": str(self.excellent.quantize(two)), "good": str(self.good.quantize(two)),
                "qualified": str(self.qualified.quantize(two))}


def grade_for(score: Decimal, thresholds: Thresholds) -> Grade:
    if score >= thresholds.excellent:
        return Grade.EXCELLENT
    if score >= thresholds.good:
        return Grade.GOOD
    if score >= thresholds.qualified:
        return Grade.QUALIFIED
    return Grade.UNQUALIFIED
