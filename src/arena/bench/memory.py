"""How much memory Arena's worker processes hold (issue 24: each under 250 MB after the bench
and after 100 PDFs), read from /proc: Linux only, which is where Arena is deployed.

`arena serve` becomes granian's main process (the bench starts it in its own process group);
its children are the workers that serve requests. The figure is the resident set (VmRSS), what
the process occupies in RAM now; pages shared with the main process count in each worker.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

LIMIT_MB = 250  # issue 24, per worker
PROC = Path("/proc")


def children(pid: int) -> list[int]:
    """The processes `pid` started and that still run (any of its threads may have)."""
    found: set[int] = set()
    for task in (PROC / str(pid) / "task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in task.read_text().split())
    return sorted(found)


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def rss(pid: int) -> int | None:
    """The resident set of `pid` in bytes; None when it has ended (or is not readable)."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024  # the kernel says kB: KiB
    return None


def _started(pid: int) -> list[int]:
    """The processes `pid` started, multiprocessing's resource tracker left out."""
    return [child for child in children(pid) if "resource_tracker" not in _cmdline(child)]


def worker_rss(server: int) -> list[int]:
    """Each worker's resident set, in bytes, for the server whose main process is `server`."""
    sizes = (rss(pid) for pid in _started(server))
    return [size for size in sizes if size is not None]


def worker_children_rss(server: int) -> list[int]:
    """The resident set of each process the workers started (the children that render PDFs and
    read workbooks, arena.offload), in bytes: memory the workers' own figures leave out."""
    sizes = (rss(pid) for worker in _started(server) for pid in _started(worker))
    return [size for size in sizes if size is not None]


def megabytes(size: int) -> str:
    return f"{size / 1e6:.0f} MB"


@dataclass
class Memory:
    """One server's workers, after the bench's pages and after `pdfs` PDFs were asked for."""

    after_bench: list[int] = field(default_factory=list)  # bytes, one per worker
    after_pdfs: list[int] = field(default_factory=list)
    children_after_pdfs: list[int] = field(default_factory=list)  # the workers' child processes
    pdfs: int = 0  # PDFs asked for (0: none, the line says so)
    pdf_errors: int = 0
    first_pdf_error: str | None = None
    pdf_seconds: float = 0.0

    def line(self) -> str:
        """e.g. "worker RSS after the bench: 123 MB, 131 MB; after 100 PDFs: 140 MB, 150 MB
        (limit 250 MB each: within); their child processes: 310 MB, 305 MB"."""
        def sizes(found: list[int]) -> str:
            return ", ".join(megabytes(size) for size in found) or "no worker found"

        text = f"worker RSS after the bench: {sizes(self.after_bench)}"
        if self.pdfs:
            text += f"; after {self.pdfs} PDFs ({self.pdf_seconds:.0f} s): {sizes(self.after_pdfs)}"
        measured = self.after_bench + self.after_pdfs
        verdict = "over it" if any(size > LIMIT_MB * 1e6 for size in measured) else "within"
        text += f" (limit {LIMIT_MB} MB each: {verdict if measured else 'not measured'})"
        if self.children_after_pdfs:
            text += f"; their child processes: {sizes(self.children_after_pdfs)}"
        return text
