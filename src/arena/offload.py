"""CPU-heavy and blocking work off the event loop, a few at a time per kind of work.

One process serves many people on one event loop: a workbook parsed, a PDF rendered, an
archive inspected or a password hashed on the loop stalls every other request of that process
for as long as it takes (issue 26: a 579 KB workbook froze /healthz for two minutes). So each
kind runs elsewhere (a worker thread; workbooks a child process, below) behind its own small
limiter. The limiters are waited on in the loop, not in a thread: thirty PDFs queued for their
turn hold no thread that a login needs.
A limiter too large only moves the stall (the threads fight the loop for the GIL), so they are
small: on a two-core machine one workbook and two PDFs at a time per process.

A thread still shares the GIL: a workbook read in one made other requests wait 300–500 ms now
and then. So workbooks are read in a separate process (`run_in_process`): one child per serving
process, started on first use with 'spawn' (never forked from a threaded event loop), its
address space capped at CHILD_MEMORY so a pathological file can only exhaust the child. A child
that dies or runs out of memory is replaced for the next file and its caller gets ChildFailed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import resource
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar, cast

from anyio import CapacityLimiter, to_thread

from arena import i18n

T = TypeVar("T")
logger = logging.getLogger("arena.offload")

WORKBOOKS = CapacityLimiter(1)
"""Reading an uploaded workbook (people, working days): the heaviest, the rarest."""
PDFS = CapacityLimiter(2)
"""WeasyPrint renders (announcements, summaries, certificates, dossiers, notices)."""
ARCHIVES = CapacityLimiter(2)
"""Looking inside uploaded zip-based files (DOCX, XLSX) and storing uploads under their hash."""
EXPORTS = CapacityLimiter(2)
"""Workbooks and CSV files Arena writes from many rows (the audit log export)."""
PASSWORDS = CapacityLimiter(4)
"""argon2 hashes and verifications: each ~50 ms and 64 MiB, and a login waits for one."""


async def run(limiter: CapacityLimiter, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in a worker thread once `limiter` has room; the request's
    context (its locale, its request id) goes with it, so messages made there are translated."""
    return await to_thread.run_sync(partial(function, *args, **kwargs), limiter=limiter)


# --- a child process for the work that would hold the GIL too long ---------------------------

CHILD_MEMORY = 1024 * 1024 * 1024
"""The child's address space (RLIMIT_AS): a file that needs more fails there, not in the server.
The worst workbook the limits of arena.excel allow peaks near 215 MB (README: under 300 MB)."""

_pool: ProcessPoolExecutor | None = None


class ChildFailed(Exception):
    """The child died or ran out of memory before it answered; the next call starts a new one."""


def _limit_child(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _in_child(locale: str, function: Callable[..., T], args: tuple[Any, ...]) -> tuple[bool, Any, float, float]:
    """`function(*args)` in the child, with the caller's locale: whether it returned, its result
    or exception, its seconds and the child's peak resident memory in MB (so the parent logs what
    a file cost, refused or not)."""
    i18n.current_locale.set(locale)
    started = time.perf_counter()
    value: Any
    try:
        value, returned = function(*args), True
    except Exception as exc:  # raised again in the caller, with the child's traceback as a note
        exc.add_note("in the child process:\n" + traceback.format_exc())
        value, returned = exc, False
    return returned, value, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_limit_child, initargs=(CHILD_MEMORY,))
    return _pool


def shutdown() -> None:
    """Stop the child (at the app's shutdown); a later call starts a new one."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


async def run_in_process(limiter: CapacityLimiter, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in the child process once `limiter` has room. `function` must be a
    module-level function and its arguments, result and exceptions plain picklable data. The
    exceptions it raises come back as they are; ChildFailed when the child died or ran out of
    memory (it is replaced)."""
    async with limiter:
        pool = _child_pool()
        try:
            future = pool.submit(_in_child, i18n.current_locale.get(), function, args)
            returned, value, seconds, peak = await asyncio.wrap_future(future)
        except (BrokenProcessPool, MemoryError) as exc:  # died, or could not even send its answer
            if _pool is pool:
                shutdown()
            logger.warning("%s failed in its child process: %r", function.__qualname__, exc)
            raise ChildFailed(function.__qualname__) from exc
    logger.info("%s in a child process: %.1f s, child peak %.0f MB", function.__qualname__, seconds, peak,
                extra={"task": function.__qualname__, "seconds": round(seconds, 2), "child_peak_mb": round(peak)})
    if isinstance(value, MemoryError):  # past CHILD_MEMORY: start afresh rather than reuse a strained child
        if _pool is pool:
            shutdown()
        raise ChildFailed(function.__qualname__) from value
    if not returned:
        raise value
    return cast(T, value)


PACKED_ROWS = 200
"""Rows per pickled chunk of a large result: each takes a few milliseconds to unpack."""


def pack(rows: Sequence[T]) -> list[bytes]:
    """`rows` as pickled chunks, in the child: the parent receives a few bytes objects (no GIL
    time) instead of ten thousand objects it would rebuild in one go (100–300 ms, measured)."""
    return [pickle.dumps(list(rows[i:i + PACKED_ROWS])) for i in range(0, len(rows), PACKED_ROWS)]


async def unpack(chunks: list[bytes]) -> list[Any]:
    """The rows of pack(), rebuilt a chunk at a time, letting other requests run in between."""
    rows: list[Any] = []
    for chunk in chunks:
        rows.extend(pickle.loads(chunk))  # noqa: S301 - made by our own child process from checked rows
        await asyncio.sleep(0)
    return rows
