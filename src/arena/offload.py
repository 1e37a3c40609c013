"""CPU-heavy and blocking work off the event loop, a few at a time per kind of work.

One process serves many people on one event loop: a workbook parsed, a PDF rendered, an
archive inspected or a password hashed on the loop stalls every other request of that process
for as long as it takes (issue 26: a 579 KB workbook froze /healthz for two minutes). So each
kind runs elsewhere (a worker thread; workbooks and PDFs in child processes, below) behind its
own small limiter. The limiters are waited on in the loop, not in a thread: thirty PDFs queued
for their turn hold no thread that a login needs.
A limiter too large only moves the stall (the threads fight the loop for the GIL), so they are
small: on a two-core machine one workbook and two PDFs at a time per process.

A thread still shares the GIL: a workbook read in one made other requests wait 300–500 ms now
and then. So workbooks are read in a separate process (`run_in_process`): one child per serving
process, started on first use with 'spawn' (never forked from a threaded event loop), its
address space capped at CHILD_MEMORY so a pathological file can only exhaust the child. A child
that dies or runs out of memory is replaced for the next file and its caller gets ChildFailed.
PDFs are rendered in children of their own (arena.pdf.PDF_CHILDREN), so that a
long workbook never holds up a PDF, and the memory WeasyPrint keeps after each render (up to
1 190 MB per serving process after 100 PDFs, issue 24) stays in children that are replaced
every 20 renders.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import resource
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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


# --- child processes for the work that would hold the GIL too long or grow the server -------

CHILD_MEMORY = 1024 * 1024 * 1024
"""A child's address space (RLIMIT_AS) unless its kind sets its own: a file that needs more
fails there, not in the server. The worst workbook the limits of arena.excel allow peaks near
215 MB (README: under 300 MB)."""


class ChildFailed(Exception):
    """The child died or ran out of memory before it answered; the next call starts a new one."""


def _start_child(memory: int, parent: int, warm: Callable[[], object] | None) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    threading.Thread(target=_end_with, args=(parent,), name="end-with-parent", daemon=True).start()
    if warm is not None:
        warm()


def _end_with(parent: int) -> None:
    """End the child once the serving process is gone, however it ended (SIGKILL included): a
    child waiting for its next task would otherwise wait forever, holding its memory."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _give_back_memory() -> None:
    """Return the pages the task freed to the system (glibc keeps them otherwise): an idle child
    holds what it needs, not its largest task so far. A few milliseconds; glibc only."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Children:
    """Spawned child processes for one kind of work, one set per serving process, started on
    first use ('spawn': never forked from a threaded event loop), each capped at CHILD_MEMORY.

    Once given `replace_after` tasks, the children are replaced: they finish what they hold and
    exit, and new ones start at once and run `warm` (a module-level function) while no one waits
    for them, so that a child's heap, which only grows, stays bounded. Not ProcessPoolExecutor's own
    max_tasks_per_child: on Python 3.11 replacing a retired child can strand the next task for
    good (CPython gh-115634)."""

    def __init__(self, workers: int = 1, *, replace_after: int | None = None,
                 warm: Callable[[], object] | None = None, memory: int | None = None) -> None:
        self.workers, self.replace_after, self.warm, self.memory = workers, replace_after, warm, memory
        self._pool: ProcessPoolExecutor | None = None
        self._given = 0  # tasks given to _pool
        _all_children.append(self)

    def submit(self, function: Callable[..., T], *args: Any) -> tuple[ProcessPoolExecutor, Future[T]]:
        """`function(*args)` given to a child, and the pool it went to (to stop if that child dies)."""
        pool = self._pool or self._start()
        try:
            future = pool.submit(function, *args)
        except BrokenProcessPool:  # a child died while idle: nothing was lost, new children take it
            self.stop(pool)
            pool = self._start()
            future = pool.submit(function, *args)
        self._given += 1
        if self.replace_after is not None and self._given >= self.replace_after:
            self.stop(pool)  # its children finish this task while the new ones warm up
            self._start(now=True)
        return pool, future

    def _start(self, *, now: bool = False) -> ProcessPoolExecutor:
        """A new pool; `now`: its children start and warm up at once, before their first task
        (started by a task, a child need not warm up first: the task does it)."""
        self._given = 0
        warm = self.warm if now else None
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_child,
                                         initargs=(self.memory or CHILD_MEMORY, os.getpid(), warm))
        for _ in range(self.workers if now else 0):
            self._pool.submit(int)  # a child started per task while none is idle
        return self._pool

    def stop(self, pool: ProcessPoolExecutor | None = None, *, cancel: bool = False) -> None:
        """Stop the children (only if `pool` is still theirs, when given) once they have run
        the tasks they were given, or (`cancel`, at shutdown) those they have begun. The next
        task starts new children."""
        current = self._pool
        if current is not None and pool in (None, current):
            self._pool = None
            current.shutdown(wait=False, cancel_futures=cancel)


_all_children: list[Children] = []
WORKBOOK_CHILD = Children()
"""Workbooks read (people, working days) and written from many rows: one at a time per process."""


def shutdown() -> None:
    """Stop every child process (at the app's shutdown); a later call starts new ones."""
    for children in _all_children:
        children.stop(cancel=True)


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
    seconds = time.perf_counter() - started
    _give_back_memory()
    return returned, value, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run_in_process(limiter: CapacityLimiter, function: Callable[..., T], *args: Any,
                         children: Children = WORKBOOK_CHILD) -> T:
    """`function(*args)` in one of `children` once `limiter` has room. `function` must be a
    module-level function and its arguments, result and exceptions plain picklable data. The
    exceptions it raises come back as they are; ChildFailed when the child died or ran out of
    memory (its pool is replaced)."""
    async with limiter:
        pool, future = children.submit(_in_child, i18n.current_locale.get(), function, args)
        try:
            returned, value, seconds, peak = await asyncio.wrap_future(future)
        except (BrokenProcessPool, MemoryError) as exc:  # died, or could not even send its answer
            children.stop(pool)
            logger.warning("%s failed in its child process: %r", function.__qualname__, exc)
            raise ChildFailed(function.__qualname__) from exc
    logger.info("%s in a child process: %.1f s, child peak %.0f MB", function.__qualname__, seconds, peak,
                extra={"task": function.__qualname__, "seconds": round(seconds, 2), "child_peak_mb": round(peak)})
    if isinstance(value, MemoryError):  # past CHILD_MEMORY: start afresh rather than reuse a strained child
        children.stop(pool)
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
