"""Rate limits (login attempts, uploads, API calls): fixed windows counted in one place.

With ARENA_REDIS_URL the counts live in Redis, so every process on every machine spends the
same budget: the INCR per hit is atomic, so two processes can never both take the last unit
(a read-then-write counter would let them). Without Redis the counts are kept in the process,
which is exact for the one-process SQLite start and documented as per-process otherwise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    name: str  # "login", "upload", "api": part of the key and the metrics label
    count: int  # hits allowed per window
    seconds: int = 60


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends (Retry-After when refused)


def decide(limit: Limit, hits: int, seconds_left: float) -> Decision:
    """The answer for the `hits`-th hit of a window with `seconds_left` to run (pure)."""
    return Decision(allowed=hits <= limit.count, limit=limit.count, remaining=max(0, limit.count - hits),
                    reset=max(1, math.ceil(seconds_left)))


class Limiter(Protocol):
    async def hit(self, limit: Limit, key: str, now: float | None = None) -> Decision: ...


class MemoryLimiter:
    """Counts in this process only (see the module docstring). A window opens at a key's
    first hit and lasts `limit.seconds` (so a burst cannot straddle two aligned windows)."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    async def hit(self, limit: Limit, key: str, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        opened, hits = self._windows.get((limit.name, key), (now, 0))
        if now >= opened + limit.seconds:
            opened, hits = now, 0
        self._windows[(limit.name, key)] = (opened, hits + 1)
        if len(self._windows) > 100_000:  # forget closed windows rather than grow without end
            self._windows = {k: v for k, v in self._windows.items() if v[0] + limit.seconds > now}
        return decide(limit, hits + 1, opened + limit.seconds - now)


class RedisLimiter:
    """One key per (limit, key): created with its expiry at the first hit, then incremented —
    both in one MULTI, so every process sees the same window and count."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(redis_url)
        self.prefix = prefix

    async def hit(self, limit: Limit, key: str, now: float | None = None) -> Decision:
        name = f"{self.prefix}:rate:{limit.name}:{key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=limit.seconds, nx=True)
            pipe.incr(name)
            pipe.pttl(name)
            _created, hits, left_ms = await pipe.execute()
        return decide(limit, int(hits), max(int(left_ms), 0) / 1000)


def create_limiter(redis_url: str | None, prefix: str) -> Limiter:
    return RedisLimiter(redis_url, prefix) if redis_url else MemoryLimiter()
