"""Signed checkpoints of the audit chain (GLOSSARY audit_checkpoint, DESIGN §5): pure signing
and checking, no database.

The hash chain alone proves that no event was changed *in place*; it cannot prove the chain
was not cut short, or rewritten and re-hashed from some event on, because everything it is
checked against lives in the same database. A checkpoint moves the head out of the database:
Arena signs (seq, head_hash, created_at, key_id) with an Ed25519 key and publishes it; anyone
who kept one can later ask "does today's chain still hold event `seq` with hash `head_hash`?".
Because every event's hash covers its predecessor's, a yes for that one event vouches for the
whole prefix before it.

The signed message is exactly `canonical_json({"created_at", "head_hash", "key_id", "seq"})`
encoded as UTF-8 (sorted keys, no spaces): the README shows how to rebuild and check it by hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from arena.audit.chain import GENESIS_HASH, ChainEntry, first_broken_link
from arena.canonical import canonical_json
from arena.i18n import gettext as _

ALGORITHM = "Ed25519"
HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class CheckpointFormatError(ValueError):
    """A checkpoint someone kept cannot be read; the message says which field is wrong."""


def format_time(moment: datetime) -> str:
    """Checkpoint times are signed to the second, in UTC, with a `Z`: one spelling, easy to type."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_message(seq: int, head_hash: str, created_at: str, key_id: str) -> bytes:
    """The exact bytes the signature covers."""
    body = {"seq": seq, "head_hash": head_hash, "created_at": created_at, "key_id": key_id}
    return canonical_json(body).encode("utf-8")


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex: what people compare by eye."""
    return hashlib.sha256(public_key).hexdigest()


def key_id(public_key: bytes) -> str:
    """The first 16 hex digits of the fingerprint: names the key inside each checkpoint."""
    return fingerprint(public_key)[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class SignedCheckpoint:
    seq: int
    head_hash: str
    created_at: str  # format_time(...), exactly as signed
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature

    def message(self) -> bytes:
        return signed_message(self.seq, self.head_hash, self.created_at, self.key_id)

    def as_json(self, public_key: bytes | None = None) -> dict[str, Any]:
        """What is published and printed by `arena audit checkpoint`; the public key travels
        along for convenience, but a verifier must compare it with the one they trust."""
        data: dict[str, Any] = {"seq": self.seq, "head_hash": self.head_hash, "created_at": self.created_at,
                                "key_id": self.key_id, "algorithm": ALGORITHM, "signature": self.signature}
        if public_key is not None:
            data["public_key"] = b64(public_key)
        return data


def parse_checkpoint(data: Any) -> SignedCheckpoint:
    """Read a checkpoint as published (extra fields are ignored); refuse anything malformed."""
    if not isinstance(data, Mapping):
        raise CheckpointFormatError(_("锚点应为 JSON 对象"))
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointFormatError(_("锚点的 seq 应为非负整数"))
    fields = {}
    for name in ("head_hash", "created_at", "key_id", "signature"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise CheckpointFormatError(_("锚点缺少字段 {name}").format(name=name))
        fields[name] = value
    if not HASH_PATTERN.match(fields["head_hash"]):
        raise CheckpointFormatError(_("锚点的 head_hash 应为 64 位小写十六进制"))
    return SignedCheckpoint(seq=seq, **fields)


class CheckpointKey:
    """The installation's signing key, made from the 32-byte seed in the settings."""

    def __init__(self, seed: bytes) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key: bytes = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id(self.public_key)
        self.fingerprint = fingerprint(self.public_key)

    def public_pem(self) -> str:
        return self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    def sign(self, seq: int, head_hash: str, moment: datetime) -> SignedCheckpoint:
        created_at = format_time(moment)
        signature = self._private.sign(signed_message(seq, head_hash, created_at, self.key_id))
        return SignedCheckpoint(seq, head_hash, created_at, self.key_id, b64(signature))


def signature_valid(checkpoint: SignedCheckpoint, public_key: bytes) -> bool:
    """True only if `public_key` is the key the checkpoint names and it signed these exact fields."""
    if checkpoint.key_id != key_id(public_key):
        return False
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, checkpoint.message())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def extension_problem(seq: int, head_hash: str, chain_length: int, hash_at_seq: str | None) -> str | None:
    """Why an intact chain of `chain_length` events does not extend the checkpoint (seq,
    head_hash), or None when it does. `hash_at_seq` is the current hash of event `seq`.

    The caller must have verified the current chain link by link first: only then does equality
    at `seq` mean that the whole prefix is the one that was signed.
    """
    if seq > chain_length:
        return _("链条被截断：锚点记录到第 {seq} 号事件，当前链条只有 {n} 条事件").format(seq=seq, n=chain_length)
    current = GENESIS_HASH if seq == 0 else hash_at_seq
    if current != head_hash:
        return _("第 {seq} 号事件的哈希与锚点不符：锚点之前的链条被改写").format(seq=seq)
    return None


def chain_extends(seq: int, head_hash: str, entries: Iterable[ChainEntry]) -> str | None:
    """The whole check on a list of events: the links hold, and the checkpoint is in the chain."""
    listed = list(entries)
    broken = first_broken_link(listed)
    if broken is not None:
        return _("哈希链在第 {seq} 号事件处断开：{reason}").format(seq=broken.seq, reason=broken.reason)
    hash_at_seq = listed[seq - 1].hash if 0 < seq <= len(listed) else None
    return extension_problem(seq, head_hash, len(listed), hash_at_seq)
