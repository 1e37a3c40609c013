"""Event-loop stalls: moments when a worker answered nobody, and why.

A worker serves all its requests on one event loop. While anything runs on it without yielding
(a long template, a garbage collection, a blocking call), every other request of that process
waits, so a stall of 300 ms shows as 300 ms on the answers of everyone who asked meanwhile. A
task wakes every `INTERVAL` and measures how late it woke; when it is later than the threshold
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
INTERVAL = 0.02  # s between wakes: a stall shorter than the threshold plus this may go unseen
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


async def watch(threshold_ms: int, interval: float = INTERVAL) -> None:
    """Wake every `interval` until cancelled, logging each wake later than `threshold_ms`."""
    loop = asyncio.get_running_loop()
    woke, before = loop.time(), _schedstat()
    while True:
        await asyncio.sleep(interval)
        now, after = loop.time(), _schedstat()
        late_ms = (now - woke - interval) * 1000
        if late_ms >= threshold_ms:
            _report(late_ms, before, after)
        woke, before = now, after


@contextlib.asynccontextmanager
async def watching(threshold_ms: int) -> AsyncIterator[None]:
    """`watch` for the life of the block (nothing when `threshold_ms` is 0: off)."""
    if threshold_ms <= 0:
        yield
        return
    task = asyncio.create_task(watch(threshold_ms), name="arena.stalls.watch")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
