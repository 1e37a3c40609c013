"""Cursor pagination for the API's lists: ordered by id ascending, the cursor names the last id seen.

Rows added while a client walks the pages come at the end, so no page ever shifts or repeats a
row. The cursor is opaque to clients (urlsafe base64 of "v1:<id>"); anything that does not
decode to exactly that is refused with 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from arena.api.errors import bad_request
from arena.i18n import gettext as _

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_ID = 2**63 - 1  # PostgreSQL's BIGINT: a cursor naming a larger id is refused (ids in URLs: arena.db.valid_id)
_PAYLOAD = re.compile(r"v1:([1-9][0-9]{0,18})")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    after_id: int  # 0 for the first page


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> int:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise bad_request(_("分页游标 cursor 无效，请使用上一页返回的 next_cursor")) from exc
    match = _PAYLOAD.fullmatch(text)
    if match is None or int(match.group(1)) > MAX_ID or encode_cursor(int(match.group(1))) != raw:
        raise bad_request(_("分页游标 cursor 无效，请使用上一页返回的 next_cursor"))
    return int(match.group(1))


def page_request(limit: int, cursor: str | None) -> PageRequest:
    """`limit` is already range-checked by the route's parameter; the cursor is checked here."""
    return PageRequest(limit=limit, after_id=decode_cursor(cursor) if cursor else 0)


def next_cursor(rows: list[Any], page: PageRequest, id_of: Any) -> tuple[list[Any], str | None]:
    """Rows were fetched with limit + 1: the extra one only says there is a next page."""
    if len(rows) <= page.limit:
        return rows, None
    kept = rows[: page.limit]
    return kept, encode_cursor(id_of(kept[-1]))
