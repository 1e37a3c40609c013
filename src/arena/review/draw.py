"""The verifiable draw (随机抽取), as plain functions anyone can redo by hand (DESIGN §5).

At commitment Arena publishes `commitment(seed)` together with the frozen candidate list (expert
codes, sorted, canonical JSON) and its hash, and names an outside public random source (a
beacon: e.g. a lottery result of a named later date). At the draw the inspector enters the
beacon; the draw's randomness is `mix(seed, beacon, candidates_sha256, scope)` — SHA-256 of the
canonical JSON of those four — and the candidates are ordered by SHA-256 of "randomness:code":
the first `size` are the panel, the next `reserves` wait in that order.

Why both: the server's seed alone could be read from the database before the draw (and the
panel foreseen); the beacon alone is public and could be looked up in advance. Neither the
server, the organizer nor the inspector knows the mix before the beacon is drawn, and nobody
can change the list after seeing it, because its hash was published first.

Draws committed before beacons existed (`METHOD_SEED`) ordered by "seed:code" directly; they
still verify by that rule.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from arena.canonical import canonical_json

METHOD_SEED = "seed"  # before 2026-12: the seed alone (kept so old draws still verify)
METHOD_BEACON = "beacon"  # the seed mixed with a public beacon entered at the draw


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def canonical_candidates(codes: Sequence[str]) -> str:
    """The candidate list as it is hashed and published: sorted, JSON, no spaces."""
    return json.dumps(sorted(codes), ensure_ascii=False, separators=(",", ":"))


def candidates_hash(codes: Sequence[str]) -> str:
    return hashlib.sha256(canonical_candidates(codes).encode()).hexdigest()


def normalize_beacon(text: str) -> str:
    """The beacon as it is mixed and published: runs of white space made one space, trimmed, so
    "03 07  12" typed twice the same way gives the same randomness."""
    return " ".join(text.split())


def mix(seed: str, beacon: str, candidates_sha256: str, scope: str) -> str:
    """The draw's randomness: SHA-256 of canonical JSON {beacon, candidates_sha256, scope, seed}.

    `scope` names the draw (challenge, panel purpose, commitment number) so the same seed and
    beacon never give two draws the same order."""
    text = canonical_json({"beacon": normalize_beacon(beacon), "candidates_sha256": candidates_sha256,
                           "scope": scope, "seed": seed})
    return hashlib.sha256(text.encode()).hexdigest()


def scope_of(challenge_id: int, purpose: str, ordinal: int) -> str:
    """e.g. "challenge:12:bid:1" — which draw of which challenge a commitment is."""
    return f"challenge:{challenge_id}:{purpose}:{ordinal}"


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


@dataclass(frozen=True)
class Published:
    """Everything a commitment publishes, as the verification page and `arena draw verify` read
    it. `seed` and `beacon` are None until revealed; `drawn` is None until drawn."""

    method: str
    scope: str
    seed_commitment: str
    candidates_json: str | None
    candidates_sha256: str | None
    size: int
    reserves: int
    seed: str | None
    beacon: str | None
    drawn: Sequence[str] | None


def randomness(p: Published) -> str | None:
    """The string the candidates are ordered by: the seed itself (old method) or the mix."""
    if p.seed is None:
        return None
    if p.method == METHOD_SEED:
        return p.seed
    if p.beacon is None or p.candidates_sha256 is None:
        return None
    return mix(p.seed, p.beacon, p.candidates_sha256, p.scope)


def verify_published(p: Published) -> list[str]:
    """What does not match in one drawn commitment ("seed", "candidates", "beacon", "result");
    empty when the draw checks out. Each check is one the page explains in words."""
    problems = []
    if p.seed is None or commitment(p.seed) != p.seed_commitment:
        problems.append("seed")
    codes: list[str] = []
    try:
        codes = json.loads(p.candidates_json or "null")
        ok = isinstance(codes, list) and canonical_candidates(codes) == p.candidates_json \
            and candidates_hash(codes) == p.candidates_sha256
    except (ValueError, TypeError):
        ok = False
    if not ok:
        problems.append("candidates")
        codes = codes if isinstance(codes, list) else []
    if p.method == METHOD_BEACON and not p.beacon:
        problems.append("beacon")
    mixed = randomness(p)
    if mixed is None or p.drawn is None or list(draw(mixed, codes, p.size, p.reserves).drawn) != list(p.drawn):
        problems.append("result")
    return problems
