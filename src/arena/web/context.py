"""Per-request plumbing: the database session, the acting user and the locale.

`RequestContext` wraps the app and runs for every HTTP request except static files. It opens no
database connection until something asks for one; requests that may change data (POST and
friends) open theirs as a writer (see arena.db). The route's `db_session` dependency commits
once when the handler returns and rolls back when it raises; the middleware closes whatever
is left when the response has been sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any, cast

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, ReceiveMessage, Scope, Send
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import SESSION_COOKIE, Actor
from arena.clock import Clock
from arena.db import write_from_here
from arena.errors import LoginRequired
from arena.observe import availability, logs, metrics
from arena.settings import Settings
from arena.web.forwarded import client_address as forwarded_client

DB_SCOPE_KEY = "arena.db"
access_logger = logging.getLogger("arena.access")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def request_db(request: Request[Any, Any, Any]) -> AsyncSession:
    """The request's one database session, created on first use (reading until the route's
    `db_session` dependency makes it a writer)."""
    session: AsyncSession | None = request.scope.get(DB_SCOPE_KEY)  # type: ignore[assignment]
    if session is None:
        session = request.app.state.session_maker()
        request.scope[DB_SCOPE_KEY] = session  # type: ignore[literal-required]
    return session


async def provide_db_session(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """Dependency: the request's transaction — committed once when the handler returns. A request
    that may change data gets it as a writer (arena.db.begin_write): what ran before the route
    (the session check) ends its read first, so the single writer's turn on SQLite is not spent
    on it; what it loaded stays loaded (nothing expires on commit). A route marked READS_FIRST
    reads first and makes the session a writer itself (arena.db.write_from_here)."""
    session = await request_db(request)
    if request.method not in SAFE_METHODS and not request.route_handler.opt.get("reads_first"):
        await write_from_here(session)
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    else:
        await session.commit()


def provide_clock(request: Request[Any, Any, Any]) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def load_actor(request: Request[Any, Any, Any]) -> Actor | None:
    """The logged-in user for this request (cached on request.state), or None."""
    if "actor" in request.state:
        actor: Actor | None = request.state.actor
        return actor
    actor = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) < 200:
        db = await request_db(request)
        actor = await request.app.state.session_store.actor(db, token, request.app.state.clock.now())
    request.state.actor = actor
    return actor


def provide_actor(request: Request[Any, Any, Any]) -> Actor | None:
    """Dependency `viewer`: the logged-in actor, or None on a page anyone may see."""
    actor: Actor | None = request.state.get("actor")
    return actor


def require_actor(request: Request[Any, Any, Any]) -> Actor:
    """Dependency `actor`: the logged-in actor, never None — nobody logged in is sent to the
    login page (LoginRequired), as the login guard of the route has normally done already."""
    actor: Actor | None = request.state.get("actor")
    if actor is None:
        raise LoginRequired
    return actor


class RequestContext:
    """Wraps the whole application (not one route), so unmatched paths and 405s get the locale,
    the user's navigation and the security headers too: Litestar only runs route middleware
    once a route has matched. It also gives each request its id (logs, X-Request-ID), puts the
    person's address behind a trusted proxy in place of the proxy's, and times the request for
    /metrics and the access log."""

    def __init__(self, app: ASGIApp, settings: Settings, security_headers: dict[str, str]) -> None:
        self.app = app
        self.settings = settings
        self.security_headers = security_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        scope = self._with_client(cast(HTTPScope, scope))
        head = scope["method"] == "HEAD"
        if head:
            # HEAD answers as GET without the body (monitors and link checkers use it).
            scope = cast(HTTPScope, {**scope, "method": "GET"})
        request: Request[Any, Any, Any] = Request(scope)
        rid = logs.new_request_id(request.headers.get("x-request-id"))
        rid_token = logs.request_id.set(rid)
        token = i18n.current_locale.set(
            i18n.negotiate(request.cookies.get("arena_lang"), request.headers.get("accept-language"))
        )

        sent_head_body: list[bool] = []
        status: list[int] = [500]

        async def receive_watching() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.disconnect":
                scope[logs.CLIENT_GONE] = True  # type: ignore[literal-required]
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                for name, value in self.security_headers.items():
                    if name not in headers:
                        headers[name] = value
                headers["x-request-id"] = rid
                if request.state.get("actor") is not None and "cache-control" not in headers:
                    # A logged-in page must not come back from the browser's cache (the back
                    # button after logout, a shared computer): never store it.
                    headers["cache-control"] = "no-store"
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b"", "more_body": False}
                if sent_head_body:
                    return
                sent_head_body.append(True)
            await send(message)

        try:
            try:
                await load_actor(request)
            except SQLAlchemyError:
                # The database is down: carry on as a visitor, so the route (or /healthz) can
                # answer with its own friendly error instead of a bare 500 from out here.
                request.state.actor = None
            except RedisError as exc:
                # Sessions live in Redis and it does not answer: a clear 503, and the next
                # request tries again (arena.observe.availability).
                availability.logger.warning("redis unavailable, sessions unreadable: %s", exc)
                request.state.actor = None
                await availability.send_unavailable(scope, receive, send_with_headers,
                                                    availability.sessions_message())
                return
            await self.app(scope, receive_watching, send_with_headers)
        finally:
            i18n.current_locale.reset(token)
            session: AsyncSession | None = scope.get(DB_SCOPE_KEY)  # type: ignore[assignment]
            if session is not None:
                await session.close()
            self._observe(request, scope, status[0], time.perf_counter() - started)
            logs.request_id.reset(rid_token)

    def _with_client(self, scope: HTTPScope) -> HTTPScope:
        if not self.settings.trusted_proxies:
            return scope
        peer = scope.get("client")
        forwarded = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"), None)
        address = forwarded_client(peer[0] if peer else None, forwarded, self.settings.trusted_proxies)
        if address and peer and address != peer[0]:
            return cast(HTTPScope, {**scope, "client": (address, 0)})
        return scope

    def _observe(self, request: Request[Any, Any, Any], scope: HTTPScope, status: int, seconds: float) -> None:
        route = cast(str | None, scope.get("path_template"))  # set by the router once a route matched
        metrics.observe_request(scope["method"], route, status, seconds)
        if scope.get(logs.CLIENT_GONE) and status < 500:
            # Whatever the access log setting: one INFO line, never a traceback (arena.observe.logs).
            access_logger.info("%s %s: the client went away after %.1fms", scope["method"], scope["path"],
                               seconds * 1000, extra={"method": scope["method"], "path": scope["path"],
                                                      "route": route, "status": status, "client_gone": True,
                                                      "duration_ms": round(seconds * 1000, 1)})
        elif self.settings.access_log:
            actor = request.state.get("actor")
            # A server error is an ERROR line even when the handler answered it with a page; a 503
            # (not ready, Redis or schema: arena.observe.availability) a WARNING.
            level = logging.WARNING if status == 503 else logging.ERROR if status >= 500 else logging.INFO
            access_logger.log(level, "%s %s %s %.1fms", scope["method"], scope["path"], status, seconds * 1000,
                               extra={"method": scope["method"], "path": scope["path"], "route": route,
                                      "status": status, "duration_ms": round(seconds * 1000, 1),
                                      "client": request.client.host if request.client else None,
                                      "user_id": actor.user_id if actor else None})
