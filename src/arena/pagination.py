"""Pagination for every list: one count query and one page query.

Core (no web): queries that page a list (arena.challenges.queries) use it as well as routes;
arena.web.pagination adds reading the page number from the query string and re-exports these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
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
