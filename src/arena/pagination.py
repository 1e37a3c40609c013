"""Pagination for every list (one count query and one page query), and the search text every
list's search box goes through.

Core (no web): queries that page a list (arena.challenges.queries) use it as well as routes;
arena.web.pagination adds reading the page number from the query string and re-exports these."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_QUERY_CHARS = 100
PER_PAGE = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def link(self, number: int, params: dict[str, Any]) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "", [])} | {"page": number}
        return "?" + urlencode(query, doseq=True)


async def paginate(db: AsyncSession, stmt: Select[Any], number: int, per_page: int = PER_PAGE,
                   *, scalars: bool = True) -> Page[Any]:
    """A count query, then the page. (A window count in the page query saves a statement on
    small tables but makes the database materialise every matching row: at thousands of rows
    it was twice as slow, so latency would not stay flat as data grows.)"""
    total = int(await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    last = max(1, -(-total // per_page))
    number = min(number, last)
    result = await db.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars().unique().all()) if scalars else list(result.all())
    return Page(items=items, number=number, per_page=per_page, total=total)


def clean_search(raw: str | None) -> str:
    """Search text without control characters (PostgreSQL refuses NUL), trimmed and cut short."""
    if not raw:
        return ""
    kept = "".join(ch for ch in raw[: MAX_QUERY_CHARS * 4] if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:MAX_QUERY_CHARS]


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards escaped (the ESCAPE character is a backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
