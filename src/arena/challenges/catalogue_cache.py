"""The public catalogue's rendered results, cached per process and never stale.

The catalogue is the most visited page and the same for everyone, so each process keeps the
rendered result list per (locale, filters, page). An entry is used only while both hold:

- the "catalogue" data version it was rendered at is still current. Every ORM change to a
  challenge, its rubric, amendments or attachments, a unit or a field bumps that version in the
  same transaction (the listeners below), so any process sees a change at its next request;
- the clock has not reached the next moment the page could change by itself: a bid window
  opening or closing anywhere in the catalogue (phase filters and tags move), or midnight in
  Beijing (the countdowns).

A hit costs one indexed lookup instead of three queries and twenty cards.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from arena.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    Criterion,
    DataVersion,
    challenge_eligible_field,
    challenge_eligible_unit,
)
from arena.challenges.phase import VISIBLE_TO_PUBLIC
from arena.clock import DISPLAY_TZ
from arena.units.models import Field, Unit

NAME = "catalogue"
WATCHED = (Challenge, Criterion, Amendment, ChallengeAttachment, Unit, Field)
WATCHED_TABLES = frozenset(t.__tablename__ for t in WATCHED) | {challenge_eligible_unit.name,
                                                                 challenge_eligible_field.name}
ENTRIES = 512


def _bump(session: Session) -> None:
    """version + 1, creating the row the first time (an upsert, so two first writers agree)."""
    connection = session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(DataVersion).values(name=NAME, version=1)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[DataVersion.name], set_={"version": DataVersion.version + 1}))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    """Bulk INSERT/UPDATE/DELETE statements skip the flush: bump for those too."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) in WATCHED_TABLES:
        _bump(state.session)


async def current_version(db: AsyncSession) -> int:
    version = await db.scalar(select(DataVersion.version).where(DataVersion.name == NAME))
    return int(version or 0)


async def valid_until(db: AsyncSession, now: datetime) -> datetime:
    """The next moment the catalogue could change with no write: a window opening or closing,
    or the next midnight in Beijing."""
    public = Challenge.status.in_(sorted(VISIBLE_TO_PUBLIC))
    opens, closes = (await db.execute(select(
        select(func.min(Challenge.bid_opens_at)).where(public, Challenge.bid_opens_at > now).scalar_subquery(),
        select(func.min(Challenge.bid_closes_at)).where(public, Challenge.bid_closes_at > now).scalar_subquery(),
    ))).one()
    local = now.astimezone(DISPLAY_TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=DISPLAY_TZ)
    return min(m for m in (opens, closes, midnight) if m is not None)


@dataclass
class Entry:
    version: int
    valid_until: datetime
    results_html: str
    options: Any = None  # the filter lists, once a full page asked for them


class CatalogueCache:
    """Least recently used entries, per process."""

    def __init__(self, size: int = ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Entry] = OrderedDict()

    def get(self, key: Hashable, version: int, now: datetime) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.version != version or now >= entry.valid_until:
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
