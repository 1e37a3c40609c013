"""Pagination for every list page: one query gives the page and the total."""

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


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


async def paginate(db: AsyncSession, stmt: Select[Any], number: int, per_page: int = PER_PAGE,
                   *, scalars: bool = True) -> Page[Any]:
    """The page's rows and the total in ONE query (a window count over the same filter); a page
    number past the end falls back to the last page, which costs a second query only then."""
    counted = stmt.add_columns(func.count().over().label("page_total"))
    rows = await _rows(db, counted, number, per_page)
    if not rows and number > 1:
        total = int(await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
        number = max(1, -(-total // per_page))
        rows = await _rows(db, counted, number, per_page) if total else []
    total = int(rows[0][-1]) if rows else 0
    items = [row[0] for row in rows] if scalars else [row for row in rows]
    return Page(items=items, number=number, per_page=per_page, total=total)


async def _rows(db: AsyncSession, stmt: Select[Any], number: int, per_page: int) -> list[Any]:
    result = await db.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    return list(result.unique().all())
