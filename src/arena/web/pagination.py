"""Pagination for every list page: the page number from the query string (?page=), and the
page itself from arena.pagination (core: one count query and one page query), re-exported."""

from __future__ import annotations

from arena.pagination import PER_PAGE as PER_PAGE
from arena.pagination import Page as Page
from arena.pagination import paginate as paginate


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1
