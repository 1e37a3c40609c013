"""The statistics page, computed once per data version and kept per process (arena.data_versions).

Its sections add up every challenge an organizer ever published, so unlike a list page their
cost grows with the data. The numbers change only when a write changes what they count, and
every such write bumps the "reports" version in its own transaction:

- any challenge, project, approved-or-not record, or field (its name is a row header);
- a bid once submitted (a draft's autosave is not counted anywhere, so it does not bump);
- a cadre's birth date or 基层一线 flag (the 三个优先 section reads them).

Nothing on the page depends on the clock, so an entry lives until the next such write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from arena import data_versions, i18n
from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.data_versions import VersionedCache
from arena.execution.models import Project
from arena.records.models import Record
from arena.reports.service import Report, load_report
from arena.units.models import Cadre, Field

NAME = "reports"
ENTRIES = 256


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return bool(state.deleted or state.was_deleted) or any(
        state.attrs[name].history.has_changes() for name in names)


def _bid_counts(bid: Bid) -> bool:
    """Only submitted bids are counted: a new draft or a draft's save changes no number."""
    return bid.submitted_at is not None or _changed(bid, "submitted_at")


def _cadre_counts(cadre: Cadre) -> bool:
    return _changed(cadre, "birth_date", "frontline")


data_versions.watch(NAME, (Challenge, Bid, Project, Record, Cadre, Field),
                    relevant={Bid: _bid_counts, Cadre: _cadre_counts})


async def report(db: AsyncSession, cache: VersionedCache[Report], organizer_id: int, year: int | None,
                 young_age: int) -> Report:
    """The organizer's report for `year`, from the cache while the data has not changed."""
    key = (i18n.current_locale.get(), organizer_id, year, young_age)
    version = await data_versions.current(db, NAME)

    async def loaded() -> tuple[Report, None]:
        return await load_report(db, organizer_id, year, young_age), None

    return (await cache.get_or_build(key, version, None, loaded)).value
