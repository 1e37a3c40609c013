"""The worker's heartbeat: the time of its last completed pass, for the "worker silent" alert.

The worker has no HTTP port of its own, so it leaves the time in Redis (shared by every machine)
and the app nodes' /metrics report it as `arena_worker_last_pass_timestamp_seconds`. Without
Redis the figure is absent and the alert cannot fire: watch the worker's "worker pass" log
lines instead (README, production, health).
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric

logger = logging.getLogger("arena.worker")
NAME = "arena_worker_last_pass_timestamp_seconds"


def key(prefix: str) -> str:
    return f"{prefix}:worker:last_pass"


class Heartbeat:
    """Writes the pass time; a Redis hiccup is logged, never stops the worker."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        self.key = key(prefix)

    async def beat(self, timestamp: float) -> None:
        try:
            await self.redis.set(self.key, repr(timestamp))
        except Exception as exc:
            logger.warning("worker heartbeat not written to redis: %s", exc)

    async def close(self) -> None:
        await self.redis.aclose()


async def last_pass(redis: Any, prefix: str) -> float | None:
    try:
        raw = await redis.get(key(prefix))
    except Exception:
        return None
    return float(raw) if raw else None


def heartbeat_families(timestamp: float | None) -> list[Metric]:
    if timestamp is None:
        return []
    family = GaugeMetricFamily(NAME, "Unix time of the worker's last completed pass (any worker)")
    family.add_metric([], timestamp)
    return [family]
