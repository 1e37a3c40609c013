"""Pure hashing of the audit chain: canonical form and link checking, no database."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from arena.canonical import canonical_json

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first event."""


def format_moment(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainEntry:
    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    summary: str
    prev_hash: str
    hash: str = ""


def event_hash(entry: ChainEntry) -> str:
    """SHA-256 over the canonical form of everything in the event, including `prev_hash`."""
    return hashlib.sha256(_canonical_form(entry).encode("utf-8")).hexdigest()


LINK_JOINT = '","seq":'
"""What joins an event's `prev_hash` and its `seq` in its canonical form (see `around_link`)."""


def around_link(entry: ChainEntry) -> tuple[str, str]:
    """The canonical form `event_hash` hashes, cut around the event's link (its `prev_hash` and
    `seq`, which only the chain's lock can tell): `before` and `after` such that the form is
    before + prev_hash + LINK_JOINT + str(seq) + after. PostgreSQL completes and hashes it
    under the lock, in the statement that appends the event (arena.audit.service)."""
    marker = secrets.token_hex(16)  # hex: JSON writes it as it is, and no other field holds it
    form = _canonical_form(replace(entry, prev_hash=marker, seq=0))
    before, found, after = form.partition(f'"prev_hash":"{marker}{LINK_JOINT}0')
    if not found:
        raise AssertionError("the canonical form no longer puts seq right after prev_hash")
    return before + '"prev_hash":"', after


def _canonical_form(entry: ChainEntry) -> str:
    body: Mapping[str, Any] = {
        "seq": entry.seq,
        "occurred_at": format_moment(entry.occurred_at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "prev_hash": entry.prev_hash,
    }
    return canonical_json(body)


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    reason: str


def first_broken_link(entries: Iterable[ChainEntry], expected_prev: str = GENESIS_HASH,
                      expected_seq: int = 1) -> BrokenLink | None:
    """Walk the chain in `seq` order; return the first event that does not verify, if any."""
    for entry in entries:
        if entry.seq != expected_seq:
            return BrokenLink(expected_seq, f"缺少第 {expected_seq} 号事件（下一条为第 {entry.seq} 号）")
        if entry.prev_hash != expected_prev:
            return BrokenLink(entry.seq, "前一事件哈希不符：链条在此断开")
        if event_hash(entry) != entry.hash:
            return BrokenLink(entry.seq, "事件内容与其哈希不符：内容被改动")
        expected_prev = entry.hash
        expected_seq += 1
    return None
