"""The read-only JSON API for HR systems, mounted by create_app as its own router at /api/v1.

Its own router so that it gets its own guard (bearer tokens, never the session cookie), its own
rate limit middleware and its own OpenAPI document; errors under /api/v1 are JSON (api/errors.py).
Thin: the reading is in api/queries.py, the tokens in api/service.py.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from litestar import Request, Router, get
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.params import PathParameter, QueryParameter

from arena.api import queries, service
from arena.api.cursor import DEFAULT_LIMIT, MAX_LIMIT, page_request
from arena.api.errors import API_PREFIX
from arena.api.models import Scope
from arena.api.openapi import ERROR_RESPONSES, NOT_FOUND, SECURITY, build_document
from arena.api.ratelimit import rate_limit_middleware
from arena.api.schemas import ChallengeOut, ChallengePage, RecordPage, ResultOut, ResultPage
from arena.records.models import RecordType
from arena.settings import Settings
from arena.web.context import request_db
from arena.web.deps import ClockDep, DbSession

API_SCOPE = "api_scope"
"""Route option: the Scope a token needs for the route (routes without it need no token)."""

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"page size, 1–{MAX_LIMIT}")]
Cursor = Annotated[str | None, QueryParameter(max_length=64, description="`next_cursor` of the previous page")]
ChallengeId = Annotated[int, PathParameter(description="the challenge's id")]


async def require_client(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard: a live token with the route's scope. Looks only at the Authorization header — a
    logged-in browser without a token is refused like anyone else."""
    scope: Scope | None = handler.opt.get(API_SCOPE)
    if scope is None:
        return
    assert isinstance(connection, Request)
    client = await service.authenticate(await request_db(connection), connection.headers.get("authorization"))
    service.require_scope(client, scope)
    await service.touch(connection.app.state.session_maker, client, connection.app.state.clock.now())


def _public_url(request: Request[Any, Any, Any]) -> str:
    url: str = request.app.state.settings.public_url
    return url.rstrip("/")


@get("/challenges", opt={API_SCOPE: Scope.CHALLENGES}, tags=["challenges"], responses=ERROR_RESPONSES,
     summary="Published challenges", description="Every challenge the public catalogue shows (never a draft).")
async def list_challenges(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                          limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> ChallengePage:
    return await queries.challenges(db_session, page_request(limit, cursor), clock.now(), _public_url(request))


@get("/challenges/{challenge_id:int}", opt={API_SCOPE: Scope.CHALLENGES}, tags=["challenges"],
     responses=ERROR_RESPONSES | NOT_FOUND, summary="One published challenge")
async def get_challenge(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                        challenge_id: ChallengeId) -> ChallengeOut:
    return await queries.challenge(db_session, challenge_id, clock.now(), _public_url(request))


@get("/results", opt={API_SCOPE: Scope.RESULTS}, tags=["results"], responses=ERROR_RESPONSES,
     summary="Announced review results",
     description="What the public results page shows once results are publicized: the ranking by review code "
                 "and the proposed winners by name. Nobody else is named.")
async def list_results(db_session: DbSession, clock: ClockDep, limit: Limit = DEFAULT_LIMIT,
                       cursor: Cursor = None) -> ResultPage:
    return await queries.results(db_session, page_request(limit, cursor), clock.now())


@get("/results/{challenge_id:int}", opt={API_SCOPE: Scope.RESULTS}, tags=["results"],
     responses=ERROR_RESPONSES | NOT_FOUND, summary="The announced results of one challenge")
async def get_result(db_session: DbSession, clock: ClockDep, challenge_id: ChallengeId) -> ResultOut:
    return await queries.result(db_session, challenge_id, clock.now())


@get("/records", opt={API_SCOPE: Scope.RECORDS}, tags=["records"], responses=ERROR_RESPONSES,
     summary="Approved records (结果运用记录)", description="Approved records only; proposals and rejections never.")
async def list_records(
    db_session: DbSession, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None,
    cadre_code: Annotated[str | None, QueryParameter(max_length=32, description="the cadre's staff code")] = None,
    record_type: Annotated[RecordType | None, QueryParameter(description="record type code")] = None,
    year: Annotated[int | None, QueryParameter(ge=1900, le=2999, description="year of the document date")] = None,
) -> RecordPage:
    return await queries.records(db_session, page_request(limit, cursor), cadre_code=cadre_code,
                                 record_type=record_type, year=year)


DATA_HANDLERS: tuple[HTTPRouteHandler, ...] = (list_challenges, get_challenge, list_results, get_result, list_records)


@cache
def _document(rate_limit: int) -> dict[str, Any]:
    return build_document(DATA_HANDLERS, rate_limit)


@get("/openapi.json", include_in_schema=False, sync_to_thread=False, cache_control=CacheControlHeader(max_age=300))
def openapi_document(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Public (no token): the document describes the API, it holds no data."""
    return _document(request.app.state.settings.api_rate_limit)


def api_router(settings: Settings) -> Router:
    """GET only and no cookies: CSRF does not apply, so its middleware (which would set a cookie
    on every answer) is skipped; answers hold personal data, so nothing may cache them. Left out
    of the developers' /schema: the API has its own document, with its security scheme."""
    return Router(path=API_PREFIX, route_handlers=[*DATA_HANDLERS, openapi_document], guards=[require_client],
                  middleware=[rate_limit_middleware], security=SECURITY,
                  cache_control=CacheControlHeader(no_store=True), opt={"exclude_from_csrf": True},
                  include_in_schema=False)
