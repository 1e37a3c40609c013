"""Rate limits per client token on the API router (ARENA_API_RATE_LIMIT requests a minute).

The budget is keyed on the SHA-256 of the bearer token (every token gets its own budget, and
the token itself is never a store key); a request without a token is keyed on its address. It
runs before authentication (route middleware runs before guards), so a client over its budget
is refused without a database query. The counts live in arena.ratelimit's limiter: Redis when
ARENA_REDIS_URL is set (one atomic budget for every process), else the process's memory.
Answers carry RateLimit-Limit/-Remaining/-Reset; a refusal also Retry-After (api.errors).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import get_remote_address
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from arena.api.service import bearer_token, token_sha256
from arena.ratelimit import Decision, Limit
from arena.web.limits import spend


def client_key(request: Request[Any, Any, Any]) -> str:
    token = bearer_token(request.headers.get("authorization"))
    return f"token:{token_sha256(token)}" if token else f"addr:{get_remote_address(request)}"


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    return {"ratelimit-limit": str(decision.limit), "ratelimit-remaining": str(decision.remaining),
            "ratelimit-reset": str(decision.reset)}


def rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        request: Request[Any, Any, Any] = Request(scope)
        limit = Limit("api", request.app.state.settings.api_rate_limit)
        decision = await spend(request, limit, client_key(request))
        headers = rate_limit_headers(decision)
        if not decision.allowed:
            raise TooManyRequestsException(headers=headers)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await app(scope, receive, with_headers)

    return limited
