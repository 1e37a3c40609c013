"""The verifiable draw (随机抽取), as plain functions anyone can redo by hand.

Before the draw Arena publishes `commitment(seed)`. The draw then orders the candidates (expert
codes, sorted) by SHA-256 of "seed:code" and takes them in that order: the first `size` are the
panel, the next `reserves` wait in that order. Because the seed was fixed (and its hash public)
before the candidate list was read, no one could pick a seed to suit the list; because the seed
is revealed afterwards, anyone can recompute the result from the published list.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def canonical_candidates(codes: Sequence[str]) -> str:
    """The candidate list as it is hashed and published: sorted, JSON, no spaces."""
    return json.dumps(sorted(codes), ensure_ascii=False, separators=(",", ":"))


def candidates_hash(codes: Sequence[str]) -> str:
    return hashlib.sha256(canonical_candidates(codes).encode()).hexdigest()


def draw_key(seed: str, code: str) -> str:
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def draw_order(seed: str, codes: Sequence[str]) -> list[str]:
    """Every candidate, in drawn order (ties in the hash are impossible in practice; the code
    breaks them anyway so the order is total)."""
    return sorted(sorted(codes), key=lambda code: (draw_key(seed, code), code))


@dataclass(frozen=True)
class DrawResult:
    members: tuple[str, ...]
    reserves: tuple[str, ...]

    @property
    def drawn(self) -> tuple[str, ...]:
        return self.members + self.reserves


def draw(seed: str, codes: Sequence[str], size: int, reserves: int) -> DrawResult:
    order = draw_order(seed, codes)
    return DrawResult(tuple(order[:size]), tuple(order[size:size + reserves]))


def verify(seed: str, seed_commitment: str, candidates_json: str, candidates_sha256: str,
           drawn: Sequence[str], size: int, reserves: int) -> list[str]:
    """What does not match (empty: the draw checks out). Messages are plain English for the CLI
    and the page translates each kind of failure itself."""
    problems = []
    if commitment(seed) != seed_commitment:
        problems.append("seed")
    codes = json.loads(candidates_json)
    if canonical_candidates(codes) != candidates_json or candidates_hash(codes) != candidates_sha256:
        problems.append("candidates")
    if list(draw(seed, codes, size, reserves).drawn) != list(drawn):
        problems.append("result")
    return problems
