"""What the whole machine did while a turn was measured, read from /proc (Linux only).

A turn whose p99 is far above the page's other turns is either the page's own doing (its process
blocked, a cache rebuilt) or the machine's (another process took a core, the hypervisor took
time: steal). The bench cannot tell from latencies alone, so it reads the CPU time of every
process and of the machine at the start and at the end of each measured window, and names who
used the cores in a turn it reports as slow. Processes are grouped: the server measured (its
workers and their children), the other servers the bench keeps running, PostgreSQL (its
autovacuum apart), Redis, wrk, the bench itself, and anything else by its command name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
MACHINE = ("idle", "iowait", "steal")  # /proc/stat's times that no process used
SHOWN = 6  # groups named in a line, busiest first


@dataclass(frozen=True)
class Process:
    ticks: int  # user + system CPU time, in clock ticks
    parent: int
    started: int  # since boot, in clock ticks: a pid used again is another process
    name: str  # the command name (comm); postgres processes by their title


@dataclass(frozen=True)
class Snapshot:
    at: float  # time.monotonic()
    machine: dict[str, int]  # /proc/stat's first line: busy, idle, iowait, steal (ticks, all cores)
    processes: dict[int, Process]


def _machine() -> dict[str, int]:
    fields = [int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {"busy": user + nice + system + irq + softirq, "idle": idle, "iowait": iowait, "steal": steal}


def _process(pid: int) -> Process | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:  # it ended between the listing and the read
        return None
    name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
    # after the name: state ppid … utime (11) stime (12) … starttime (19), counted from the state
    if name.startswith("kworker"):  # the kernel's workers are named after their work of the moment
        name = "kworker"
    elif name == "postgres":
        with contextlib.suppress(OSError):
            title = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
            name = "postgres autovacuum" if "autovacuum" in title else name
    return Process(ticks=int(rest[11]) + int(rest[12]), parent=int(rest[1]), started=int(rest[19]), name=name)


def snapshot() -> Snapshot:
    processes = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (found := _process(int(entry.name))) is not None:
            processes[int(entry.name)] = found
    return Snapshot(at=time.monotonic(), machine=_machine(), processes=processes)


def _descendants(roots: set[int], processes: dict[int, Process]) -> set[int]:
    found = set(roots)
    grew = True
    while grew:
        more = {pid for pid, process in processes.items() if process.parent in found and pid not in found}
        found |= more
        grew = bool(more)
    return found


@dataclass(frozen=True)
class Stall:
    """A worker's event loop woke late (arena.observe.stalls logs it): for how long, and how much of
    that (with the interval before it) the loop's thread spent on a CPU and waiting for one."""

    ms: int
    on_cpu_ms: int | None = None
    runnable_ms: int | None = None


@dataclass(frozen=True)
class Usage:
    """Cores used on average during a window, per group, and what the machine left unused; the
    measured server's event-loop stalls."""

    seconds: float
    cores: dict[str, float] = field(default_factory=dict)
    stalls: tuple[Stall, ...] = ()

    def line(self) -> str:
        """e.g. "measured server 1.52, postgres 0.31, wrk 0.08; idle 0.05, steal 0.00 (cores)" and
        the loop's stalls when there were any."""
        busy = sorted(((name, value) for name, value in self.cores.items() if name not in MACHINE),
                      key=lambda item: -item[1])
        shown = ", ".join(f"{name} {value:.2f}" for name, value in busy[:SHOWN] if value >= 0.005)
        rest = ", ".join(f"{name} {self.cores.get(name, 0.0):.2f}" for name in MACHINE)
        text = f"{shown or 'nothing'}; {rest} (cores)"
        if self.stalls:
            worst = max(self.stalls, key=lambda stall: stall.ms)
            how = (f" (on a CPU {worst.on_cpu_ms} ms, waiting for one {worst.runnable_ms} ms)"
                   if worst.on_cpu_ms is not None else "")
            text += f"; event loop stalled {len(self.stalls)}×, longest {worst.ms} ms{how}"
        return text


STALLED = "event loop stalled"  # arena.observe.stalls' message


def stalls(log: str) -> tuple[Stall, ...]:
    """The stalls in a server's log (JSON lines, as in production)."""
    found = []
    for line in log.splitlines():
        if STALLED not in line:
            continue
        with contextlib.suppress(ValueError, KeyError, TypeError):
            fields = json.loads(line)
            found.append(Stall(int(fields["stall_ms"]), fields.get("on_cpu_ms"), fields.get("runnable_ms")))
    return tuple(found)


def usage(before: Snapshot, after: Snapshot, measured: int | None, servers: set[int]) -> Usage:
    """Who used the cores between two snapshots. `measured`: the main process of the server under
    load; `servers`: every server's main process (the others idle, or should)."""
    seconds = max(after.at - before.at, 1e-6)
    mine = _descendants({measured}, after.processes) if measured else set()
    others = _descendants(servers - {measured or 0}, after.processes)
    own = _descendants({os.getpid()}, after.processes) - {pid for pid, p in after.processes.items() if p.name == "wrk"}
    ticks: Counter[str] = Counter()
    for pid, process in after.processes.items():
        was = before.processes.get(pid)
        used = process.ticks - (was.ticks if was and was.started == process.started else 0)
        group = ("measured server" if pid in mine else "other servers" if pid in others
                 else "bench" if pid in own else process.name)
        ticks[group] += used
    machine = {name: after.machine[name] - before.machine[name] for name in after.machine}
    # CPU the machine was busy for that no process now running accounts for: processes that
    # ended during the window (a PostgreSQL autovacuum worker, a cron job) and interrupts
    ticks["ended processes, interrupts"] = max(0, machine["busy"] - sum(ticks.values()))
    cores = {name: value / HZ / seconds for name, value in ticks.items()}
    cores |= {name: machine[name] / HZ / seconds for name in MACHINE}
    return Usage(seconds=seconds, cores=cores)


@dataclass
class Window:
    """A context manager around a measured window; `usage` is set when it closes (None where
    /proc cannot be read), with the stalls the measured server logged to `log` meanwhile."""

    measured: int | None = None
    servers: set[int] = field(default_factory=set)
    log: Path | None = None
    usage: Usage | None = None

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        try:
            before = snapshot()
        except OSError:
            yield
            return
        start = self._log_size()
        yield
        with contextlib.suppress(OSError):
            found = usage(before, snapshot(), self.measured, self.servers)
            self.usage = dataclasses.replace(found, stalls=stalls(self._log_since(start)))

    def _log_size(self) -> int:
        with contextlib.suppress(OSError):
            return self.log.stat().st_size if self.log else 0
        return 0

    def _log_since(self, offset: int) -> str:
        if self.log is None:
            return ""
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
