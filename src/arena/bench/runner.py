"""Run the benchmark: databases, servers, load, and the table (see arena.bench)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from arena.bench.baseline import DATABASE_URL_VARIABLE
from arena.bench.load import CSRF_FIELD, Client, HTTPError, Measurement, Reply, Step, drive

T = TypeVar("T")
REVISION = re.compile(rb'name="revision" id="f-revision" value="(\d+)"')


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str | None = None  # every virtual user logs in as this demo account first
    server: str = "arena"  # or "baseline", the reference app
    # Links followed from `path` to the page measured, each the first match of a pattern (ids
    # differ between runs); the last hop picks a different match per virtual user.
    hops: tuple[str, ...] = ()
    autosave: bool = False  # POST the score sheet as htmx autosave, each user on their own sheet


# The pages measured, in this order. Later areas add theirs (a challenge's detail page, …).
PAGES: list[Page] = [
    Page("baseline", "/", server="baseline"),
    Page("login", "/login"),
    Page("challenges", "/challenges"),
    Page("search", "/challenges?q=%E6%94%BB%E5%9D%9A&phase=open"),  # 攻坚, open only
    Page("detail", "/challenges/1"),
    Page("healthz", "/healthz"),
    Page("home-admin", "/", user="admin"),
    Page("home-cadre", "/", user="cadre1"),
    Page("organizer-list", "/organizer/challenges", user="organizer"),
    Page("eligible", "/challenges/eligible", user="cadre1"),
    # Review: one of 9 experts on a 50-bid blind panel (arena demo --review-load).
    Page("scoring", "/review", user="loadexpert1", hops=(r"/review/panels/\d+", r"/review/sheets/\d+")),
    Page("autosave", "/review", user="loadexpert1", hops=(r"/review/panels/\d+", r"/review/sheets/\d+"),
         autosave=True),
    # Publicity and execution: the public results page of a challenge in publicity, the organizer's
    # board of every project, the assessment queue, and a project's page as its lead reads it.
    Page("results", "/challenges?phase=publicity", hops=(r"/challenges/\d+", r"/results/\d+")),
    Page("board", "/organizer/board", user="organizer"),
    Page("assess", "/assess", user="organizer"),
    Page("project", "/projects", user="cadre8", hops=(r"/projects/\d+",)),
    # Statistics: every section's aggregate over all of the organizer's challenges.
    Page("reports", "/organizer/reports", user="organizer"),
    # Records: every proposal and record of the organizer, the dossier search and one dossier.
    Page("records", "/organizer/records?status=all", user="organizer"),
    Page("dossiers", "/dossiers", user="organizer", hops=(r"/dossiers/\d+",)),
    Page("dossier", "/dossier", user="cadre9"),
]

PORTS = range(8200, 8300)
HOST = "127.0.0.1"
# Issue 3's aim on 2 cores with SQLite, shown next to the figures (never asserted).
TARGET_RPS = 300
TARGET_P99_MS = 100.0


@dataclass(frozen=True)
class Options:
    scales: list[int]
    pages: list[Page]
    duration: float
    warmup: float
    concurrency: int
    workers: int
    demo_password: str


@dataclass
class Row:
    page: Page
    scale: int
    result: Measurement | None  # None: the page does not exist (yet)


# --- options ----------------------------------------------------------------------------------

def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse_options(argv: list[str] | None = None) -> Options:
    known = {page.name: page for page in PAGES}
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="压力测试：各页面在 1 倍与 10 倍数据下的吞吐与延迟 / "
                    "requests/s and p50/p99 per page at 1× and 10× the demo data.")
    parser.add_argument("--scale", type=int, action="append", dest="scales", metavar="N",
                        help="数据倍数，可重复（默认 1 与 10）/ demo data scale, may repeat "
                             "(default: 1 and 10, or ARENA_BENCH_SCALES=1,10)")
    parser.add_argument("--pages", default=_env("ARENA_BENCH_PAGES", ",".join(known)),
                        help=f"逗号分隔的页面 / comma-separated pages, of: {', '.join(known)} "
                             "(baseline is always measured: it is the reference)")
    parser.add_argument("--duration", type=float, default=float(_env("ARENA_BENCH_DURATION", "5")),
                        help="每页测量秒数 / seconds measured per page (default 5)")
    parser.add_argument("--warmup", type=float, default=float(_env("ARENA_BENCH_WARMUP", "1")),
                        help="每页预热秒数，不计入 / unmeasured warm-up seconds per page (default 1)")
    parser.add_argument("--concurrency", type=int, default=int(_env("ARENA_BENCH_CONCURRENCY", "16")),
                        help="并发虚拟用户数 / concurrent virtual users (default 16)")
    parser.add_argument("--workers", type=int, default=int(_env("ARENA_WORKERS", "2")),
                        help="服务进程数 / server worker processes (default ARENA_WORKERS or 2)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}; known: {', '.join(known)}")
    pages = [page for page in PAGES if page.name in names or page.server == "baseline"]
    scales = args.scales or [int(s) for s in _env("ARENA_BENCH_SCALES", "1,10").split(",")]
    if min(scales) < 1 or args.duration <= 0 or args.warmup < 0 or args.concurrency < 1 or args.workers < 1:
        parser.error("scales, duration, concurrency and workers must be positive")
    return Options(scales=scales, pages=pages, duration=args.duration, warmup=args.warmup,
                   concurrency=args.concurrency, workers=args.workers,
                   demo_password=_env("ARENA_DEMO_PASSWORD", "arena-demo"))


# --- processes --------------------------------------------------------------------------------

def _tail(log: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


def run_arena(env: dict[str, str], log: Path, *args: str) -> None:
    with log.open("ab") as out:
        done = subprocess.run([sys.executable, "-m", "arena.cli", *args], env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"arena {' '.join(args)} failed:\n{_tail(log)}")


def _free_ports() -> list[int]:
    ports = list(PORTS)
    random.shuffle(ports)
    free = []
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
        free.append(port)
    return free


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server's whole process group (granian and its workers)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def serve(command: Callable[[int], list[str]], env: dict[str, str], log: Path, ready_path: str) -> Iterator[int]:
    """Start a server on a free port in 8200–8299 (retrying if another process takes it)."""
    for port in _free_ports()[:5]:
        with log.open("ab") as out:
            process = subprocess.Popen(command(port), env=env | {"ARENA_PORT": str(port)}, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://{HOST}:{port}{ready_path}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not _answers(url):
            time.sleep(0.1)
        time.sleep(0.3)  # a server that lost the port to another one exits now: not to measure the other
        if process.poll() is None and _answers(url):
            try:
                yield port
            finally:
                stop(process)
            return
        stop(process)
    raise RuntimeError(f"the server did not start on a port in 8200–8299:\n{_tail(log)}")


def arena_command(port: int) -> list[str]:
    return [sys.executable, "-m", "arena.cli", "serve"]  # ARENA_PORT and ARENA_WORKERS from the environment


def baseline_command(workers: int) -> Callable[[int], list[str]]:
    return lambda port: [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", HOST,
                         "--port", str(port), "--workers", str(workers), "--no-ws", "--log-level", "warning",
                         "arena.bench.baseline:create_app"]


def bench_environment(directory: Path, options: Options) -> dict[str, str]:
    """Production settings (no template reloading, as deployed) on a throwaway database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    database_url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    return env | {"ARENA_ENV": "production", "ARENA_SECRET_KEY": secrets.token_urlsafe(48),
                  "ARENA_VAR_DIR": str(directory), "ARENA_FILES_DIR": str(directory / "files"),
                  "ARENA_DATABASE_URL": database_url, DATABASE_URL_VARIABLE: database_url,
                  "ARENA_HOST": HOST, "ARENA_WORKERS": str(options.workers),
                  "ARENA_DEMO_PASSWORD": options.demo_password}


# --- measuring --------------------------------------------------------------------------------

def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """uvloop when installed (it comes with litestar[standard]): the client then costs less CPU."""
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


async def measure(page: Page, port: int, options: Options) -> Measurement | None:
    """None when the page answers 404 (not built yet); otherwise what the load saw."""
    clients = [Client(HOST, port) for _ in range(options.concurrency)]
    try:
        if page.user:
            await asyncio.gather(*(client.login(page.user, options.demo_password) for client in clients))
        probe = await clients[0].request("GET", page.path)
        if probe.status == 404:
            return None
        targets = [await follow(client, page, index) for index, client in enumerate(clients)]
        if page.autosave:
            steps = [await autosave_step(client, target) for client, target in zip(clients, targets, strict=True)]
            return await drive(clients, targets[0], warmup=options.warmup, duration=options.duration, steps=steps)
        return await drive(clients, targets[0], warmup=options.warmup, duration=options.duration)
    finally:
        await asyncio.gather(*(client.close() for client in clients))


async def follow(client: Client, page: Page, index: int) -> str:
    """The path measured: `page.path`, then each hop's link (the last one: the index-th match)."""
    path = page.path
    for number, pattern in enumerate(page.hops, start=1):
        reply = await client.request("GET", path)
        found = list(dict.fromkeys(m.decode() for m in re.findall(pattern.encode(), reply.content())))
        if not found:
            raise HTTPError(f"{path}: no link matches {pattern}")
        path = found[index % len(found)] if number == len(page.hops) else found[0]
    return path


async def autosave_step(client: Client, sheet: str) -> Step:
    """This user's autosave: the sheet's form posted as htmx does, carrying the revision the last
    answer gave back (as the page's out-of-band swap would)."""
    page = (await client.request("GET", sheet)).content()
    token, revision = CSRF_FIELD.search(page), REVISION.search(page)
    if token is None or revision is None:
        raise HTTPError(f"{sheet}: no form to autosave")
    state = {"revision": revision.group(1).decode()}
    inputs = sorted(set(re.findall(rb'name="(c-\d+)"', page)))
    turn = iter(range(1_000_000_000))

    async def step(c: Client) -> Reply:
        form = {"_csrf_token": token.group(1).decode(), "revision": state["revision"], "comment": "",
                **{name.decode(): str(next(turn) % 10) for name in inputs}}
        reply = await c.request("POST", sheet, form, headers={"HX-Request": "true"})
        saved = REVISION.search(reply.content())
        if saved:
            state["revision"] = saved.group(1).decode()
        return reply

    return step


def bench_scale(scale: int, options: Options, report: Callable[[str], None]) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="arena-bench-") as tmp:
        directory = Path(tmp)
        log = directory / "bench.log"
        env = bench_environment(directory, options)
        report(f"… {scale}×: arena db upgrade, arena demo --scale {scale} --review-load")
        run_arena(env, log, "db", "upgrade")
        run_arena(env, log, "demo", "--scale", str(scale), "--review-load")
        with serve(arena_command, env, log, "/healthz") as arena_port, \
                serve(baseline_command(options.workers), env, log, "/") as baseline_port:
            rows = []
            for page in options.pages:
                report(f"… {scale}×: {page.name}")
                port = baseline_port if page.server == "baseline" else arena_port
                try:
                    result = run_async(measure(page, port, options))
                except HTTPError as exc:  # e.g. the login failed: an error row, not a crash
                    result = Measurement(elapsed=0.0)
                    result.error(str(exc))
                rows.append(Row(page, scale, result))
        return rows


# --- the table --------------------------------------------------------------------------------

def table(rows: list[Row]) -> list[str]:
    baseline = {row.scale: row.result for row in rows if row.page.server == "baseline"}
    lines = [f"{'page':<14}{'scale':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'×baseline':>11}{'errors':>8}"]
    for row in rows:
        head = f"{row.page.name:<14}{str(row.scale) + '×':>6}"
        if row.result is None:
            lines.append(f"{head}   missing: {row.page.path} answers 404 (not built yet)")
            continue
        result, reference = row.result, baseline.get(row.scale)
        ratio = (f"{result.requests_per_second / reference.requests_per_second:.2f}"
                 if reference and reference.requests_per_second else "–")
        lines.append(f"{head}{result.requests_per_second:>9.0f}{result.percentile(0.5):>9.1f}"
                     f"{result.percentile(0.99):>9.1f}{ratio:>11}{result.errors:>8}")
    return lines


def scale_comparison(rows: list[Row]) -> str | None:
    """One line: each page's p50 and p99 at the largest scale over the smallest."""
    scales = sorted({row.scale for row in rows})
    if len(scales) < 2:
        return None
    low, high = scales[0], scales[-1]
    found = {(row.page.name, row.scale): row.result for row in rows if row.result and row.result.latencies}
    parts = []
    for page in dict.fromkeys(row.page.name for row in rows):
        small, large = found.get((page, low)), found.get((page, high))
        if small and large and small.percentile(0.5) and small.percentile(0.99):
            parts.append(f"{page} {large.percentile(0.5) / small.percentile(0.5):.2f}/"
                         f"{large.percentile(0.99) / small.percentile(0.99):.2f}")
    return f"latency {high}× vs {low}× data (p50/p99 ratio, 1.00 = flat): " + ", ".join(parts)


def target_line(rows: list[Row]) -> str:
    missed = sorted({f"{row.page.name}@{row.scale}×" for row in rows
                     if row.result and row.page.server != "baseline"
                     and (row.result.requests_per_second < TARGET_RPS or row.result.percentile(0.99) > TARGET_P99_MS)})
    verdict = "all pages meet it" if not missed else "below it: " + ", ".join(missed)
    return f"aim (issue 3, 2 cores, SQLite): ≥{TARGET_RPS} req/s and p99 ≤{TARGET_P99_MS:.0f} ms per page — {verdict}"


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)

    def on_term(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through the cleanup: servers stopped, files removed

    def report(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGTERM, on_term)
    rows = []
    try:
        for scale in options.scales:
            rows += bench_scale(scale, options, report)
    except RuntimeError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(f"Arena bench — {os.cpu_count()} cores, {options.workers} workers per server, SQLite, "
          f"{options.concurrency} concurrent users, {options.duration:g} s per page after {options.warmup:g} s warm-up")
    print("\n".join(table(rows)))
    comparison = scale_comparison(rows)
    if comparison:
        print(comparison)
    print(target_line(rows))
    failed = [row for row in rows if row.result and row.result.errors]
    for row in failed:
        assert row.result is not None
        print(f"errors on {row.page.name} at {row.scale}×: {row.result.errors}, first: {row.result.first_error}")
    return 1 if failed else 0
