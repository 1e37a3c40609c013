"""Sealed score sheets (DESIGN §5): the commitment an expert's submit writes into the audit chain,
and the check of a frozen snapshot's sheets against those commitments. Pure: no database.

Until a panel closes, the audit chain must not carry a score, a total or a comment — it is read by
inspectors and admins while the panel is still scoring. So `sheet.submit` carries only
`commitment`: SHA-256 over the canonical JSON of the sheet id, its criterion scores (two-place
decimal strings), the SHA-256 of its comment and a fresh random salt (128 bits). The salt stays on
the sheet and is frozen into the results snapshot at close; anyone holding the snapshot can then
recompute each sheet's commitment and compare it with the chain, which proves that what was
frozen is what the expert submitted, when the chain says they submitted it. The comment enters
by its digest so the snapshot proves the comment without publishing it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from arena.canonical import canonical_json

CENT = Decimal("0.01")
SALT_BYTES = 16  # 128 bits, as hex: 32 characters


def new_salt() -> str:
    """A fresh salt for each submit: the same scores submitted twice commit differently."""
    return secrets.token_hex(SALT_BYTES)


def score_text(value: Decimal | str) -> str:
    """The one spelling of a score in a commitment: two places, as the database stores it."""
    return str(Decimal(value).quantize(CENT))


def comment_digest(comment: str) -> str:
    return hashlib.sha256(comment.encode("utf-8")).hexdigest()


def commitment(sheet_id: int, scores: Mapping[int, Decimal] | Mapping[str, str], comment_sha256: str,
               salt: str) -> str:
    """SHA-256 of the sheet's canonical content; `scores` maps criterion id → score (as entered, or
    as the snapshot spells them)."""
    body = {"sheet": int(sheet_id), "scores": {str(k): score_text(v) for k, v in scores.items()},
            "comment_sha256": comment_sha256, "salt": salt}
    text = canonical_json(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_sealed(snapshot: Mapping[str, Any]) -> bool:
    """Snapshots frozen since sealing carry each sheet's id and salt; older ones do not."""
    sheets = snapshot.get("sheets") or []
    return bool(sheets) and all("salt" in s for s in sheets)


class SheetOutcome(StrEnum):
    OK = "ok"
    MISMATCH = "mismatch"  # the frozen sheet is not what the expert committed to
    NO_COMMITMENT = "no_commitment"  # no submit event with a commitment for this sheet
    UNSALTED = "unsalted"  # submitted before sealing was introduced (an upgraded, open panel)


@dataclass(frozen=True)
class SheetCheck:
    sheet_id: int
    bid: str  # review code
    expert: str  # expert code
    outcome: SheetOutcome
    submitted_at: datetime | None = None  # when the submit event the sheet was checked against happened

    @property
    def ok(self) -> bool:
        return self.outcome is SheetOutcome.OK

    @property
    def failed(self) -> bool:
        """Evidence of a change; a sheet submitted before sealing has nothing to check, not a fault."""
        return self.outcome in (SheetOutcome.MISMATCH, SheetOutcome.NO_COMMITMENT)


def check_sheets(snapshot: Mapping[str, Any], commitments: Mapping[int, tuple[str, datetime]]) -> list[SheetCheck]:
    """Each frozen sheet against `commitments` (sheet id → (commitment, submitted at)) taken from
    the last `sheet.submit` event of that sheet. Empty for a snapshot from before sealing."""
    if not is_sealed(snapshot):
        return []
    checks: list[SheetCheck] = []
    for sheet in snapshot["sheets"]:
        sheet_id = int(sheet["sheet"])
        found = commitments.get(sheet_id)
        if sheet.get("salt") is None:
            outcome = SheetOutcome.UNSALTED
        elif found is None:
            outcome = SheetOutcome.NO_COMMITMENT
        else:
            expected = commitment(sheet_id, sheet["scores"], sheet["comment_sha256"], sheet["salt"])
            outcome = SheetOutcome.OK if expected == found[0] else SheetOutcome.MISMATCH
        checks.append(SheetCheck(sheet_id, sheet["bid"], sheet["expert"], outcome, found[1] if found else None))
    return checks
