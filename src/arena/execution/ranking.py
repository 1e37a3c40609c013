"""Horse-race ranking (赛马) at a checkpoint — pure: the active teams by the mean of their
assessment scores, exact until one half-up rounding to 2 places. A team with no assessed report
ranks below every team with one. Equal rounded means share a rank (as review ranks do)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from arena.review.scoring import round_half_up


@dataclass(frozen=True)
class TeamRank:
    project_id: int
    mean: Decimal | None
    assessments: int
    rank: int


def rank_teams(scores: Mapping[int, Sequence[Decimal]]) -> list[TeamRank]:
    means = {pid: round_half_up(sum((Fraction(v) for v in values), Fraction(0)) / len(values)) if values else None
             for pid, values in scores.items()}

    def key(pid: int) -> tuple[int, Decimal]:
        mean = means[pid]
        return (1, Decimal(0)) if mean is None else (0, -mean)

    ordered = sorted(scores, key=lambda pid: (key(pid), pid))
    ranked: list[TeamRank] = []
    for index, pid in enumerate(ordered):
        shared = index and key(ordered[index - 1]) == key(pid)
        rank = ranked[-1].rank if shared else index + 1
        ranked.append(TeamRank(pid, means[pid], len(scores[pid]), rank))
    return ranked


def last_placed(ranking: Sequence[TeamRank]) -> list[int]:
    """The projects sharing the last rank: who 末位淘汰 would remove (the organizer picks one if several)."""
    if not ranking:
        return []
    worst = max(r.rank for r in ranking)
    return [r.project_id for r in ranking if r.rank == worst]
