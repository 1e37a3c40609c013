"""Signed checkpoints, pure: the signature covers every field, and a chain that was cut or
rewritten-and-rehashed — which the link check alone accepts — does not extend a kept checkpoint."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from arena.audit.anchor import (
    CheckpointFormatError,
    CheckpointKey,
    chain_extends,
    parse_checkpoint,
    signature_valid,
)
from arena.audit.chain import GENESIS_HASH, ChainEntry, event_hash, first_broken_link

KEY = CheckpointKey(bytes(range(32)))
OTHER_KEY = CheckpointKey(bytes(range(1, 33)))
AT = datetime(2026, 12, 3, 8, 30, 15, 123456, tzinfo=UTC)


def _chain(summaries: list[str], start: int = 1, prev: str = GENESIS_HASH) -> list[ChainEntry]:
    entries = []
    for seq, summary in enumerate(summaries, start=start):
        entry = ChainEntry(seq, datetime(2026, 1, 1, tzinfo=UTC), 1, "u", "admin", "act", "obj", str(seq), summary, prev)
        entry = dataclasses.replace(entry, hash=event_hash(entry))
        entries.append(entry)
        prev = entry.hash
    return entries


def test_the_signed_message_is_the_canonical_json_of_four_fields():
    checkpoint = KEY.sign(7, "ab" * 32, AT)
    assert checkpoint.created_at == "2026-12-03T08:30:15Z"
    assert checkpoint.message() == (
        '{"created_at":"2026-12-03T08:30:15Z","head_hash":"' + "ab" * 32 + '","key_id":"' + KEY.key_id
        + '","seq":7}').encode()
    # The check a member of the public makes with nothing but `cryptography` (README).
    Ed25519PublicKey.from_public_bytes(KEY.public_key).verify(base64.b64decode(checkpoint.signature),
                                                              checkpoint.message())
    assert KEY.key_id == KEY.fingerprint[:16] and len(KEY.fingerprint) == 64


def test_a_checkpoint_verifies_with_its_key_and_survives_a_json_round_trip():
    checkpoint = KEY.sign(3, "cd" * 32, AT)
    again = parse_checkpoint(json.loads(json.dumps(checkpoint.as_json(KEY.public_key))))
    assert again == checkpoint and signature_valid(again, KEY.public_key)


@pytest.mark.parametrize(("field", "forged"), [
    ("seq", 4), ("head_hash", "ce" * 32), ("created_at", "2026-12-04T08:30:15Z"), ("key_id", OTHER_KEY.key_id),
])
def test_changing_any_signed_field_breaks_the_signature(field, forged):
    checkpoint = KEY.sign(3, "cd" * 32, AT)
    assert not signature_valid(dataclasses.replace(checkpoint, **{field: forged}), KEY.public_key)


def test_a_signature_from_another_key_or_a_mangled_signature_is_refused():
    checkpoint = KEY.sign(3, "cd" * 32, AT)
    assert not signature_valid(checkpoint, OTHER_KEY.public_key)
    assert not signature_valid(OTHER_KEY.sign(3, "cd" * 32, AT), KEY.public_key)
    assert not signature_valid(dataclasses.replace(checkpoint, signature="not base64!"), KEY.public_key)
    flipped = bytearray(base64.b64decode(checkpoint.signature))
    flipped[0] ^= 1
    assert not signature_valid(dataclasses.replace(checkpoint, signature=base64.b64encode(flipped).decode()),
                               KEY.public_key)


@pytest.mark.parametrize("data", [[], {"seq": -1}, {"seq": "3"}, {"seq": 3, "head_hash": "xyz", "created_at": "t",
                                                                  "key_id": "k", "signature": "s"}, {"seq": 3}])
def test_a_malformed_checkpoint_file_is_refused_with_a_reason(data):
    with pytest.raises(CheckpointFormatError):
        parse_checkpoint(data)


@given(st.lists(st.text(max_size=10), min_size=2, max_size=12), st.data())
def test_a_longer_untouched_chain_extends_every_earlier_checkpoint(summaries, data):
    entries = _chain(summaries)
    seq = data.draw(st.integers(0, len(entries)))
    head = entries[seq - 1].hash if seq else GENESIS_HASH
    assert chain_extends(seq, head, entries) is None


@given(st.lists(st.text(max_size=10), min_size=2, max_size=12), st.data())
def test_a_truncated_chain_passes_the_link_check_but_not_the_checkpoint(summaries, data):
    entries = _chain(summaries)
    cut = data.draw(st.integers(0, len(entries) - 1))
    truncated = entries[:cut]
    assert first_broken_link(truncated) is None  # why checkpoints are needed
    problem = chain_extends(len(entries), entries[-1].hash, truncated)
    assert problem is not None and "截断" in problem


@given(st.lists(st.text(max_size=10), min_size=2, max_size=12), st.data())
def test_a_rewritten_and_rehashed_chain_passes_the_link_check_but_not_the_checkpoint(summaries, data):
    entries = _chain(summaries)
    index = data.draw(st.integers(0, len(entries) - 1))
    prev = entries[index - 1].hash if index else GENESIS_HASH
    forged = [*entries[:index], *_chain([s + "x" for s in summaries[index:]], start=index + 1, prev=prev)]
    assert first_broken_link(forged) is None  # why checkpoints are needed
    problem = chain_extends(len(entries), entries[-1].hash, forged)
    assert problem is not None and "改写" in problem
