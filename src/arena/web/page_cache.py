"""Logged-in pages kept per process, per browser session, and never stale.

The pages a user works in all week (a home page, the organizer's lists and board, a project, a
dossier, an expert's panel and score sheet) are read again and again between writes: the same
person reloads, comes back from a form, follows a link back. Each process keeps the response it
last sent for exactly the same request and sends it again while nothing it could show has
changed, in the spirit of the public pages' cache (arena.web.public_cache):

- **Who.** An entry is keyed by the whole Cookie header (so by the session, the CSRF token the
  forms carry and the language cookie), the account and roles checked for this request, the
  negotiated language, the path and query, the accepted encodings and the htmx headers that
  choose a fragment. It is sent again only to a request with the same cookies, after the
  session and the account have been checked again as on every request
  (arena.web.context.load_actor): a logged-out, expired, revoked or disabled session never gets
  a kept page, and no entry is ever shared between two sessions. A visitor who is not logged in
  gets nothing from here: the public pages' bodies are shared between visitors by
  arena.web.public_cache instead.
- **What.** Every committed write to any table but the few below bumps the "pages" data version
  (arena.data_versions.watch_everything), so a page is only reused while the database holds what
  it showed: any process sees any process's write at its next request, for one indexed lookup.
- **When.** An entry is dropped at the first moment the page could change by itself: the next
  midnight in Beijing (dates shown as "today", countdowns), the next time a bid window opens or
  closes anywhere (each area registers its moments: arena.data_versions.moment; they come with
  the version in one statement), and at most `MAX_AGE` after it was rendered, for anything else
  that moves with the clock.
- **Which.** Only routes that say so (`opt=KEPT`), only GET by a logged-in session (not an API
  token), only a 200 HTML answer that sets no cookie, and only when the request itself wrote
  nothing (a page that writes as it is read, such as an inbox that marks notices read, is
  rendered every time).

A hit costs the session check, one statement (the version and the next moment, all indexed
lookups), and sending the stored bytes. The first visit after any write costs what the page
costs; `python -m arena.bench.profile --cold` measures that, and the README records both.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from litestar import Request
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from arena import data_versions, i18n
from arena.web import public_cache
from arena.web.context import request_db

NAME = "pages"
KEPT = {"page_cache": True}
"""A route's `opt`: its pages may be kept (they are pure reads of the database for the actor)."""

IGNORED_TABLES: dict[str, str] = {
    # table: why a write to it never changes a kept page
    "web_session": "logins and logouts (each request checks its own session before the cache)",
    "login_throttle": "failed logins (the login page is not kept)",
    "data_version": "the versions themselves",
}

MAX_AGE = timedelta(seconds=30)
"""Longest an entry is kept: what moves with the clock and is not a named moment (a 催评 button
that comes back after a day, say) shows within this, as do writes that bypass the sessions (a
database administrator's SQL, a restore that sets the versions back)."""

BYTE_BUDGET = 48 * 1024 * 1024  # per process; a gzip'd page is 5–20 kB, a plain one 20–120 kB
LARGEST = 1024 * 1024  # a larger answer is not kept (it would push out a hundred others)
HTMX_HEADERS = (b"hx-request", b"hx-target", b"hx-trigger", b"hx-trigger-name", b"hx-boosted",
                b"hx-history-restore-request")

data_versions.watch_everything(NAME, IGNORED_TABLES)


@dataclass
class Kept:
    version: int
    rendered_at: datetime
    valid_until: datetime
    messages: list[Message]
    size: int


@dataclass
class PageCache:
    """Least recently used responses of one process, within a byte budget."""

    budget: int = BYTE_BUDGET
    entries: OrderedDict[Hashable, Kept] = field(default_factory=OrderedDict)
    size: int = 0
    hits: int = 0
    misses: int = 0

    def get(self, key: Hashable, version: int, now: datetime) -> Kept | None:
        entry = self.entries.get(key)
        if entry is None or entry.version != version or not entry.rendered_at <= now < entry.valid_until:
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: Kept) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.size
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.budget and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


def valid_until(now: datetime, next_moment: datetime | None) -> datetime:
    """The first moment an entry rendered now must be dropped."""
    return public_cache.first_after(now, [now + MAX_AGE, public_cache.next_midnight(now), next_moment])


def _key(scope: HTTPScope) -> Hashable | None:
    """Who asks (the account and its roles as checked for this request, and the whole Cookie
    header: session, CSRF token, language), in which language, for what and in which form."""
    headers = dict(scope["headers"])
    cookie = headers.get(b"cookie")
    actor = cast(dict[str, Any], scope.get("state", {})).get("actor")
    if not cookie or actor is None or b"authorization" in headers:
        return None
    return (actor.user_id, actor.roles, scope["path"], scope["query_string"], cookie, i18n.current_locale.get(),
            headers.get(b"accept-encoding", b""), tuple(headers.get(name, b"") for name in HTMX_HEADERS))


def _keepable(start: dict[str, Any], body: bytes) -> bool:
    if start.get("status") != 200 or len(body) > LARGEST:
        return False
    headers = dict(start.get("headers", ()))
    return b"set-cookie" not in headers and headers.get(b"content-type", b"").startswith(b"text/html")


class KeepPages:
    """Litestar middleware (it runs once the route is known): answers a kept route's GET from the
    process's cache, or lets the route answer and keeps what it sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        http = cast(HTTPScope, scope)
        key = _key(http)
        if key is None:
            await self.app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        cache: PageCache = litestar_app.state.page_cache
        db = await request_db(Request(scope))  # the one that checked the session
        now = litestar_app.state.clock.now()
        try:
            version, next_moment = await data_versions.current_and_next_moment(db, NAME, now)
        except SQLAlchemyError:
            await self.app(scope, receive, send)
            return
        entry = cache.get(key, version, now)
        if entry is not None:
            cache.hits += 1
            for message in entry.messages:
                await send(message)
            return
        cache.misses += 1
        until = valid_until(now, next_moment)
        await self._answer_and_keep(http, receive, send, cache, key, Kept(version, now, until, [], 0), db)

    @staticmethod
    def _applies(scope: Scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "GET":
            return False
        handler = scope.get("route_handler")
        return handler is not None and bool(handler.opt.get("page_cache"))

    async def _answer_and_keep(self, scope: HTTPScope, receive: Receive, send: Send, cache: PageCache,
                               key: Hashable, entry: Kept, db: AsyncSession) -> None:
        sent: list[dict[str, Any]] = []

        async def keep(message: Message) -> None:
            sent.append(cast(dict[str, Any], message))
            await send(message)

        await self.app(scope, receive, keep)
        if not sent or sent[0]["type"] != "http.response.start" or sent[-1].get("more_body"):
            return
        if NAME in db.info.get(data_versions.BUMPED, ()):
            return  # the request wrote: its page is not a pure read
        body = b"".join(bytes(m.get("body", b"")) for m in sent[1:])
        if not _keepable(sent[0], body):
            return
        start = {**sent[0], "headers": list(sent[0].get("headers", ()))}
        entry.messages = [cast(Message, start),
                          cast(Message, {"type": "http.response.body", "body": body, "more_body": False})]
        entry.size = len(body) + 512
        cache.put(key, entry)
