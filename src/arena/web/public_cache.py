"""Public pages kept per process and never stale: what an anonymous visitor reads of a
challenge (its page, its results, its calendar) and the Atom feed.

These pages are the same for every visitor and read a dozen tables across the areas, so
instead of naming what they read (a list that goes stale the day a page starts reading one
more table) every committed write bumps the "public" data version (arena.data_versions),
except writes to the tables below: private hot paths that no public page reads. A test
renders every public page of the demo and fails if one reads an ignored table
(tests/test_public_cache.py). An entry is also dropped at the first moment its page could
change by itself, which each page names (a window opening or closing, a 公示 ending, midnight).

Only what is rendered for nobody in particular is kept: the body of a page, never the shell
around it (the shell holds the visitor's CSRF token and language choice).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from arena import data_versions, i18n
from arena.clock import DISPLAY_TZ
from arena.data_versions import VersionedCache

NAME = "public"
ENTRIES = 2048  # bodies of about 20–60 kB: at most ~100 MB per process, usually far less

IGNORED_TABLES: dict[str, str] = {
    # table: why a write to it never changes a public page
    "web_session": "logins, every logged-in request",
    "login_throttle": "failed logins",
    "notification": "a user's own notices",
    "sent_reminder": "the worker's reminders",
    "audit_event": "public pages read only a challenge's transitions (written with its row) "
                   "and the commitments of sheets submitted before a review froze (never changed after)",
    "audit_checkpoint": "the worker's anchoring; no cached page shows a checkpoint",
    "data_version": "the versions themselves",
    "score_sheet": "experts' autosaves (sealed; the public sees the frozen review_result)",
    "score": "experts' autosaves",
    "bid": "bidders' autosaves (the public sees the project, its lead and team)",
    "bid_milestone": "bidders' autosaves",
    "bid_version": "bidders' submissions (private)",
    "bid_attachment": "bidders' files (private)",
    "bid_vetting": "qualification notes (private)",
    "user_account": "logins and profiles (no public page names a user account)",
    "api_client": "API keys",
}
"""Tables no public page reads (checked by a test that renders every public page of the demo).
audit_event is the one exception read, in two ways only: the stepper's dates are a challenge's
transitions, each written with a change to the challenge's row; the results page checks the
frozen sheets against commitments audited before the freeze, which later writes cannot add to."""

MAX_AGE = timedelta(minutes=1)
"""A kept body is also dropped after this long: writes that bypass the sessions (a database
administrator's SQL, a restore that sets the versions back) show within a minute."""

data_versions.watch_everything(NAME, IGNORED_TABLES)


@dataclass(frozen=True)
class Body:
    """A rendered page body and the few facts the shell around it needs."""

    html: str
    title: str = ""


Build = Callable[[], Awaitable[tuple[Body, Iterable[datetime | None]]]]
"""Renders a body and names the moments after now when it could change with no write."""


def cache_of(request: Request[Any, Any, Any]) -> VersionedCache[Body]:
    cache: VersionedCache[Body] = request.app.state.public_cache
    return cache


def next_midnight(now: datetime) -> datetime:
    """The next midnight in Beijing: dates shown as "today", countdowns, overdue milestones."""
    local = now.astimezone(DISPLAY_TZ)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=DISPLAY_TZ)


def first_after(now: datetime, moments: Iterable[datetime | None]) -> datetime:
    """The earliest of `moments` still to come (the next midnight when none is)."""
    return min((m for m in moments if m is not None and m > now), default=next_midnight(now))


def is_anonymous_plain_get(request: Request[Any, Any, Any], viewer: object) -> bool:
    """Only a visitor who is not logged in and asks with no query string gets a kept body
    (query strings carry one-off notices such as "your question was sent")."""
    return viewer is None and not request.url.query


async def body(request: Request[Any, Any, Any], db: AsyncSession, now: datetime, key: Hashable,
               build: Build) -> Body:
    """The kept body for `key` (per language), or `build`'s, kept until the next write or the
    first moment it names."""
    cache = cache_of(request)
    full_key = (i18n.current_locale.get(), key)
    version = await data_versions.current(db, NAME)

    async def kept() -> tuple[Body, datetime | None]:
        rendered, moments = await build()
        return rendered, first_after(now, [now + MAX_AGE, next_midnight(now), *moments])

    return (await cache.get_or_build(full_key, version, now, kept)).value
