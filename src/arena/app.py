"""create_app(settings) -> Litestar: the only place that wires plugins, routes and middleware."""

from __future__ import annotations

import gc
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import AsyncEngine

import arena.caches  # noqa: F401  (every cache's write listeners, registered in this process)
from arena import RESOURCE_ROOT, offload
from arena.api.errors import json_for_api
from arena.api.routes import api_router
from arena.audit.labels import action_label
from arena.auth.sessions import create_session_store
from arena.challenges import catalogue_cache
from arena.challenges.catalogue_cache import Rendered
from arena.clock import Clock, clock_for
from arena.data_versions import VersionedCache
from arena.db import create_engine, create_session_maker
from arena.files.store import MAX_BYTES
from arena.observe import stalls
from arena.observe.availability import SchemaGate
from arena.observe.lifecycle import announced
from arena.observe.logs import litestar_logging
from arena.ops.installation import claim_prefix, database_identity
from arena.ratelimit import create_limiter
from arena.reports import cache as report_cache
from arena.reports.service import Report
from arena.settings import Settings
from arena.web import public_cache
from arena.web.context import RequestContext, provide_actor, provide_clock, provide_db_session, require_actor
from arena.web.csrf import RenewStaleCsrfCookie
from arena.web.errors import EXCEPTION_HANDLERS
from arena.web.guards import admit
from arena.web.page_cache import KeepPages, PageCache
from arena.web.public_cache import Body
from arena.web.templating import create_environment

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(settings: Settings) -> dict[str, str]:
    headers = {
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
    }
    if settings.production:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return headers


ATTENTION_MODULES = ("arena.challenges.attention", "arena.bids.attention", "arena.review.attention",
                     "arena.publicity.attention", "arena.execution.attention", "arena.records.attention")


def route_handlers() -> list[Any]:
    """Every area's routes. Imported here so that importing a module never builds the app."""
    for module in ATTENTION_MODULES:
        importlib.import_module(module)  # each registers its items for the home page
    from arena.api.admin_routes import ROUTES as api_admin_routes
    from arena.audit.routes import ROUTES as audit_routes
    from arena.auth.admin_routes import ROUTES as admin_routes
    from arena.auth.routes import ROUTES as auth_routes
    from arena.bids.routes import ROUTES as bid_routes
    from arena.bids.routes_review import ROUTES as bid_review_routes
    from arena.challenges.routes_feeds import ROUTES as feed_routes
    from arena.challenges.routes_organizer import ROUTES as organizer_challenge_routes
    from arena.challenges.routes_public import ROUTES as public_challenge_routes
    from arena.challenges.routes_questions import ROUTES as question_routes
    from arena.execution.routes_assess import ROUTES as assess_routes
    from arena.execution.routes_cadre import ROUTES as project_routes
    from arena.execution.routes_organizer import ROUTES as execution_routes
    from arena.home.routes import ROUTES as home_routes
    from arena.notify.routes import ROUTES as notify_routes
    from arena.ops.routes import ROUTES as observe_routes
    from arena.publicity.routes import ROUTES as publicity_routes
    from arena.records.admin_routes import ROUTES as orgdept_routes
    from arena.records.routes import ROUTES as record_routes
    from arena.records.routes_hearing import ROUTES as record_hearing_routes
    from arena.records.routes_notices import ROUTES as record_notice_routes
    from arena.records.routes_orgdept import ROUTES as record_decision_routes
    from arena.records.routes_public import ROUTES as verify_routes
    from arena.reports.routes import ROUTES as report_routes
    from arena.reports.routes_orgdept import ROUTES as orgdept_report_routes
    from arena.review.routes_expert import ROUTES as expert_review_routes
    from arena.review.routes_feedback import ROUTES as bid_feedback_routes
    from arena.review.routes_organizer import ROUTES as organizer_review_routes
    from arena.units.routes import ROUTES as unit_routes
    from arena.units.routes_fields import ROUTES as field_routes
    from arena.units.routes_picker import ROUTES as picker_routes
    from arena.workdays.routes import ROUTES as workday_routes

    return [
        *home_routes, *auth_routes, *admin_routes, *unit_routes, *field_routes,
        *organizer_challenge_routes, *public_challenge_routes, *feed_routes, *question_routes,
        *bid_routes, *bid_review_routes, *bid_feedback_routes,
        *organizer_review_routes, *expert_review_routes, *publicity_routes, *project_routes, *execution_routes,
        *assess_routes, *notify_routes, *audit_routes, *workday_routes, *record_routes, *verify_routes,
        *report_routes, *api_admin_routes, *observe_routes, *picker_routes,
        *record_decision_routes, *record_hearing_routes, *record_notice_routes, *orgdept_routes, *orgdept_report_routes,
    ]


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    app = build_app(settings)
    install(app, settings, clock)
    return app


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine: AsyncEngine = app.state.engine
    try:
        if settings.redis_url:  # a rehearsal never shares production's sessions (arena.ops.installation)
            await claim_prefix(app.state.limiter.redis, settings.redis_prefix, settings.database_url)
        async with announced(engine, "web"), stalls.watching(settings.stall_log_ms):
            _settle_heap()  # announced: start and stop lines with version and schema
            yield
    finally:
        offload.shutdown()  # the workbook child process (arena.offload)
        await engine.dispose()


def _settle_heap() -> None:
    """Move everything the process holds once started (modules, routes, the ORM's mappers: about
    240 000 objects) out of the cyclic garbage collector's sight. Otherwise each full collection
    walks them all on the event loop, 100–250 ms during which no request of this process is
    answered (seen while a large import ran: tests/production/test_hostile_import.py). They live
    as long as the process, so the collector has nothing to find among them."""
    gc.collect()
    gc.freeze()


# What `build_app` keeps in app.state; `install` clears everything else.
_BUILT = ("routed", "nav_paths", "jinja")


def build_app(settings: Settings) -> Litestar:
    """The application without a database: routes, plugins, middleware and templates.

    It reads only the settings that shape the application (secret key, production, logging);
    `install` gives it its database, stores and caches. The two are apart so that the tests
    build the application (most of the cost: Litestar parses every handler's signature) once
    per worker and install a fresh database for each test.
    """
    handlers = route_handlers()
    static = create_static_files_router(
        path="/static", directories=[RESOURCE_ROOT / "static"], include_in_schema=False,
        cache_control=CacheControlHeader(max_age=3600, public=True),
    )
    app = Litestar(
        route_handlers=[Router(path="/", route_handlers=handlers, guards=[admit]),
                        api_router(settings), static],
        dependencies={
            "db_session": Provide(provide_db_session),
            "clock": Provide(provide_clock, sync_to_thread=False),
            "actor": Provide(require_actor, sync_to_thread=False),
            "viewer": Provide(provide_actor, sync_to_thread=False),
        },
        plugins=[HTMXPlugin()],
        middleware=[KeepPages],  # logged-in pages kept per session (arena.web.page_cache)
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_name="csrftoken", header_name="x-csrftoken",
            cookie_secure=settings.production, cookie_samesite="lax",
        ),
        exception_handlers=json_for_api(EXCEPTION_HANDLERS),  # JSON, not pages, under /api/v1
        openapi_config=None if settings.production else OpenAPIConfig(title="Arena", version="0.1.0",
                                                                       path="/schema"),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        logging_config=litestar_logging(settings),
        lifespan=[_lifespan],
        # A little above the largest upload (files.store.MAX_BYTES), so an oversized file gets the
        # form's own message; anything far larger is cut off early with a friendly 413 page.
        request_max_body_size=MAX_BYTES + 5 * 1024 * 1024,
        debug=False,
    )
    app.state.routed = app.asgi_handler
    app.state.nav_paths = {route.path for route in app.routes}
    app.state.jinja = create_environment(auto_reload=not settings.production)
    app.state.jinja.filters["action_label"] = action_label  # the areas' audit action names (web imports no area)
    return app


def install(app: Litestar, settings: Settings, clock: Clock | None = None) -> None:
    """Give a built application its database, clock, session and rate-limit stores and caches.

    Everything a previous `install` left in app.state goes first, so nothing carries over."""
    for key in [key for key in app.state.dict() if key not in _BUILT]:
        del app.state[key]
    engine = create_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_maker = create_session_maker(engine)
    app.state.clock = clock or clock_for(settings.clock_offset)
    app.state.session_store = create_session_store(settings.redis_url, settings.redis_prefix,
                                                   database_identity(settings.database_url))
    app.state.limiter = create_limiter(settings.redis_url, settings.redis_prefix)
    app.state.catalogue_cache = VersionedCache[Rendered](catalogue_cache.ENTRIES)
    app.state.eligible_cache = VersionedCache[str](catalogue_cache.ELIGIBLE_ENTRIES)
    app.state.report_cache = VersionedCache[Report](report_cache.ENTRIES)
    app.state.public_cache = VersionedCache[Body](public_cache.ENTRIES)
    app.state.page_cache = PageCache()
    # A node whose database is behind the code answers pages with 503 until upgraded.
    handler = RequestContext(SchemaGate(app.state.routed, engine), settings, security_headers(settings))
    # After ARENA_SECRET_KEY changes, the next page replaces the browser's old CSRF cookie.
    app.asgi_handler = RenewStaleCsrfCookie(handler, app.csrf_config) if app.csrf_config else handler
