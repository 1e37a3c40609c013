"""The one JSON spelling of everything Arena hashes or signs: the audit chain and its
checkpoints, frozen results and sealed sheets, draws, bid versions, commitment letters, plan
changes, certificates and proposals.

Sorted keys, no spaces, UTF-8 kept as is (not \\u escapes), and `str()` for what JSON has no type
for (dates, decimals), so the same value always gives the same bytes and the same hash. Changing
this function changes every hash Arena has ever written: it never changes.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
