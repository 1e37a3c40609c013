"""The public catalogue's rendered results, cached per process and never stale.

The catalogue is the most visited page and the same for everyone, so each process keeps the
rendered result list per (locale, filters, page); the eligible list keeps each cadre's the same
way. An entry is used only while both hold (see arena.data_versions):

- the "catalogue" data version it was rendered at is still current. Every ORM change to a
  challenge, its rubric, amendments or attachments, a unit or a field bumps that version in the
  same transaction (the listeners below), so any process sees a change at its next request;
- the clock has not reached the next moment the page could change by itself: a bid window
  opening or closing anywhere in the catalogue (phase filters and tags move), or midnight in
  Beijing (the countdowns).

A hit costs one indexed lookup instead of three queries and twenty cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import data_versions
from arena.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    Criterion,
    challenge_eligible_field,
    challenge_eligible_unit,
)
from arena.challenges.queries import publicly_visible
from arena.clock import DISPLAY_TZ
from arena.units.models import Field, Unit

NAME = "catalogue"
ENTRIES = 512  # the catalogue's result lists (per language, filters and page)
ELIGIBLE_ENTRIES = 256  # one per cadre and page, about 40 kB each

data_versions.watch(NAME, (Challenge, Criterion, Amendment, ChallengeAttachment, Unit, Field),
                    tables=(challenge_eligible_unit.name, challenge_eligible_field.name))


async def current_version(db: AsyncSession) -> int:
    return await data_versions.current(db, NAME)


async def valid_until(db: AsyncSession, now: datetime) -> datetime:
    """The next moment the catalogue could change with no write: a window opening or closing,
    or the next midnight in Beijing."""
    public = publicly_visible()
    opens, closes = (await db.execute(select(
        select(func.min(Challenge.bid_opens_at)).where(public, Challenge.bid_opens_at > now).scalar_subquery(),
        select(func.min(Challenge.bid_closes_at)).where(public, Challenge.bid_closes_at > now).scalar_subquery(),
    ))).one()
    local = now.astimezone(DISPLAY_TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=DISPLAY_TZ)
    return min(m for m in (opens, closes, midnight) if m is not None)


@data_versions.moment
def next_window_opening(now: datetime) -> Any:
    """For the logged-in pages (arena.web.page_cache): the next bid window to open anywhere,
    drafts included (an organizer's own list shows them); indexed."""
    return select(func.min(Challenge.bid_opens_at)).where(Challenge.bid_opens_at > now).scalar_subquery()


@data_versions.moment
def next_window_closing(now: datetime) -> Any:
    return select(func.min(Challenge.bid_closes_at)).where(Challenge.bid_closes_at > now).scalar_subquery()


@dataclass
class Rendered:
    results_html: str
    options: Any = None  # the filter lists, once a full page asked for them
