"""The draw is a pure, reproducible function of the seed and the candidate list."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from arena.review import draw

codes = st.lists(st.from_regex(r"ZJ[0-9]{4}", fullmatch=True), min_size=1, max_size=30, unique=True)
seeds = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@settings(max_examples=100, deadline=None)
@given(seed=seeds, candidates=codes, data=st.data())
def test_draw_is_reproducible_and_ignores_the_input_order(seed, candidates, data):
    size = data.draw(st.integers(1, len(candidates)))
    reserves = data.draw(st.integers(0, len(candidates) - size))
    shuffled = data.draw(st.permutations(candidates))
    result = draw.draw(seed, candidates, size, reserves)
    assert result == draw.draw(seed, shuffled, size, reserves)
    assert len(result.members) == size and len(result.reserves) == reserves
    assert len(set(result.drawn)) == size + reserves and set(result.drawn) <= set(candidates)


def test_the_published_method_recomputes_by_hand():
    seed, candidates = "ab" * 32, ["ZJ0003", "ZJ0001", "ZJ0002", "ZJ0004"]
    by_hand = sorted(sorted(candidates), key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
    assert list(draw.draw(seed, candidates, 3, 1).drawn) == by_hand
    assert draw.commitment(seed) == hashlib.sha256(seed.encode()).hexdigest()
    assert draw.canonical_candidates(candidates) == json.dumps(sorted(candidates), separators=(",", ":"))


def test_verify_names_what_does_not_match():
    seed = draw.new_seed()
    candidates = ["ZJ0001", "ZJ0002", "ZJ0003", "ZJ0004", "ZJ0005"]
    listed, digest = draw.canonical_candidates(candidates), draw.candidates_hash(candidates)
    result = list(draw.draw(seed, candidates, 3, 1).drawn)
    assert draw.verify(seed, draw.commitment(seed), listed, digest, result, 3, 1) == []
    assert draw.verify(draw.new_seed(), draw.commitment(seed), listed, digest, result, 3, 1)[0] == "seed"
    assert "candidates" in draw.verify(seed, draw.commitment(seed), listed.replace("ZJ0005", "ZJ0009"), digest,
                                       result, 3, 1)
    assert draw.verify(seed, draw.commitment(seed), listed, digest, list(reversed(result)), 3, 1) == ["result"]
