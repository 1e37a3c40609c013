"""Spending a rate-limit budget from a route (see arena.ratelimit): one place that counts the
refusal in /metrics and phrases Retry-After."""

from __future__ import annotations

from typing import Any

from litestar import Request

from arena.observe.metrics import RATE_LIMITED
from arena.ratelimit import Decision, Limit


async def spend(request: Request[Any, Any, Any], limit: Limit, key: str, units: int = 1) -> Decision:
    """Take `units` hits of `limit` for `key`; the last decision says whether all were allowed."""
    decision: Decision | None = None
    for _unit in range(max(1, units)):
        decision = await request.app.state.limiter.hit(limit, key)
    assert decision is not None
    if not decision.allowed:
        RATE_LIMITED.labels(limit.name).inc()
    return decision


def retry_after(decision: Decision) -> dict[str, str]:
    return {"retry-after": str(decision.reset)}


def login_limit(request: Request[Any, Any, Any]) -> Limit:
    return Limit("login", request.app.state.settings.login_rate_limit)


def upload_limit(request: Request[Any, Any, Any]) -> Limit:
    return Limit("upload", request.app.state.settings.upload_rate_limit)


def verify_limit(request: Request[Any, Any, Any]) -> Limit:
    return Limit("verify", request.app.state.settings.verify_rate_limit)
