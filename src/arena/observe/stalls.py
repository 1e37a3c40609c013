"""Event-loop stalls: moments when a worker answered nobody, and why.

A worker serves all its requests on one event loop. While anything runs on it without yielding
(a long template, a garbage collection, a blocking call), every other request of that process
waits, so a stall of 300 ms shows as 300 ms on the answers of everyone who asked meanwhile. A
timer wakes every half threshold (`interval_for`) and measures how late it woke, which is the
stall less at most that interval; when it is later than the threshold
(ARENA_STALL_LOG_MS) it logs a warning "event loop stalled" and counts it in
`arena_event_loop_stalls`. The line says where the time went, from the loop thread's own
scheduler statistics (/proc/thread-self/schedstat, Linux):

- `on_cpu_ms`: the thread ran: this process's own work held the loop;
- `runnable_ms`: the thread was ready but waited for a core: other processes had the machine;
- the rest: the thread slept in a blocking call, or the machine itself was paused (a VM).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from prometheus_client import Counter

logger = logging.getLogger("arena.stalls")
MIN_INTERVAL, MAX_INTERVAL = 0.02, 0.1  # s between wakes (interval_for)
SCHEDSTAT = Path("/proc/thread-self/schedstat")  # ns on a CPU, ns waiting for one, timeslices
STALLS = Counter("arena_event_loop_stalls", "Times a worker's event loop woke later than ARENA_STALL_LOG_MS")


def _schedstat() -> tuple[int, int] | None:
    """(ns on a CPU, ns runnable but waiting) of the calling thread; None where not readable."""
    try:
        on_cpu, waiting, _slices = SCHEDSTAT.read_text().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu), int(waiting)


def _report(late_ms: float, before: tuple[int, int] | None, after: tuple[int, int] | None) -> None:
    STALLS.inc()
    figures = {"stall_ms": round(late_ms)}
    if before and after:  # over the stall and the interval before it
        figures |= {"on_cpu_ms": round((after[0] - before[0]) / 1e6),
                    "runnable_ms": round((after[1] - before[1]) / 1e6)}
    logger.warning("event loop stalled for %s", ", ".join(f"{key} {value}" for key, value in figures.items()),
                   extra=figures)


class _Watch:
    """A timer that, on each wake, sees how late it is and sets itself again: a plain callback on
    the loop, not a task, since on a VM each wake costs about 0.1 ms however little it does."""

    def __init__(self, loop: asyncio.AbstractEventLoop, threshold_ms: int, interval: float) -> None:
        self.loop, self.threshold_ms, self.interval = loop, threshold_ms, interval
        self.due, self.before = loop.time() + interval, _schedstat()
        self.timer = loop.call_at(self.due, self.wake)

    def wake(self) -> None:
        now, after = self.loop.time(), _schedstat()
        late_ms = (now - self.due) * 1000
        if late_ms >= self.threshold_ms:
            _report(late_ms, self.before, after)
        self.due, self.before = now + self.interval, after
        self.timer = self.loop.call_at(self.due, self.wake)

    def stop(self) -> None:
        self.timer.cancel()


def interval_for(threshold_ms: int) -> float:
    """Half the threshold, from 20 ms to 100 ms: a stall is seen late by at most this much, and
    each wake costs (10 a second at the production threshold)."""
    return min(max(threshold_ms / 2000, MIN_INTERVAL), MAX_INTERVAL)


@contextlib.asynccontextmanager
async def watching(threshold_ms: int) -> AsyncIterator[None]:
    """Watch the running loop for the life of the block (nothing when `threshold_ms` is 0: off)."""
    if threshold_ms <= 0:
        yield
        return
    watch = _Watch(asyncio.get_running_loop(), threshold_ms, interval_for(threshold_ms))
    try:
        yield
    finally:
        watch.stop()
