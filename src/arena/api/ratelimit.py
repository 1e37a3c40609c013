"""Rate limits per client token, with Litestar's own RateLimitMiddleware on the API router only.

The limiter keys on the SHA-256 of the bearer token (every token gets its own budget, and the
token itself is never a store key); a request without a token is keyed on its address. It runs
before authentication (Litestar runs route middleware before guards), so a client over its
budget is refused without a database query.

The budget lives in a Litestar store: in memory (per process) by default, in Redis when
ARENA_REDIS_URL is set, so that several workers share one budget per client.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from arena.api.service import bearer_token, token_sha256
from arena.settings import Settings

RATE_LIMIT_STORE = "api_rate_limit"  # name in the app's store registry
RATE_LIMIT_NAMESPACE = "arena_api_rate"  # key prefix in Redis


def client_key(request: Request[Any, Any, Any]) -> str:
    token = bearer_token(request.headers.get("authorization"))
    return f"token:{token_sha256(token)}" if token else f"addr:{get_remote_address(request)}"


def rate_limit_store(settings: Settings) -> Store:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace=RATE_LIMIT_NAMESPACE)
    return MemoryStore()


def api_stores(settings: Settings) -> dict[str, Store]:
    """For create_app's `stores=`: the middleware finds its store by name in the app's registry."""
    return {RATE_LIMIT_STORE: rate_limit_store(settings)}


def rate_limit_config(settings: Settings) -> RateLimitConfig:
    return RateLimitConfig(rate_limit=("minute", settings.api_rate_limit), identifier_for_request=client_key,
                           store=RATE_LIMIT_STORE)
