"""Run the benchmark: databases, servers, load, and the tables (see arena.bench)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.engine import make_url

from arena.bench import machine, ports, wrk
from arena.bench.backends import (
    BACKENDS,
    DEFAULT_PG_ADMIN_URL,
    LABELS,
    POSTGRESQL,
    Setup,
    discover,
    parse_backends,
    postgres_database,
)
from arena.bench.baseline import DATABASE_URL_VARIABLE
from arena.bench.load import CSRF_FIELD, Client, HTTPError, Measurement, Reply, Result, Step, drive, pool
from arena.bench.machine import Usage
from arena.bench.memory import Memory, worker_children_rss, worker_rss

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
    Page("home", "/"),  # the anonymous home page: its lists cached like the catalogue
    Page("search", "/challenges?q=%E6%94%BB%E5%9D%9A&phase=open"),  # 攻坚, open only
    Page("detail", "/challenges/1"),
    Page("healthz", "/healthz"),
    Page("home-admin", "/", user="admin"),
    Page("home-cadre", "/", user="cadre1"),
    Page("organizer-list", "/organizer/challenges", user="organizer"),
    Page("eligible", "/challenges/eligible", user="cadre1"),
    # Review: one of 9 experts on a 300-bid blind panel (arena demo --review-load): the panel's
    # list of every bid with the expert's progress, and one of its score sheets.
    Page("panel", "/review", user="loadexpert1", hops=(r"/review/panels/\d+",)),
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
    # Feedback and transparency (issue 21): an accepted challenge followed to its grade, the feed,
    # a challenge's calendar, and a losing bidder's own review after the results froze.
    Page("follow", "/challenges?phase=accepted", hops=(r"/challenges/\d+",)),
    Page("feed", "/feed.atom"),
    Page("calendar", "/challenges/1/calendar.ics"),
    Page("bid-review", "/bids", user="cadre14", hops=(r"/bids/\d+/review",)),
]
# The bare page again once the pages are measured: each page's ratio is given to both, so a
# machine that changed speed during the run shows as a spread rather than as a page's cost.
BASELINE_AFTER = Page("baseline-after", "/", server="baseline")

HOST = ports.HOST
# Issue 3's aim on 2 cores with SQLite, shown next to the figures of each backend (never asserted).
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
    backends: list[str] | None = None  # None: both when PostgreSQL answers, else SQLite (with a note)
    pg_admin_url: str = DEFAULT_PG_ADMIN_URL  # the bench creates its databases beside this one
    redis: str | None = None  # PostgreSQL's sessions: a Redis URL, "none"; None: the default if it answers
    rounds: int = 1  # each page's duration split into this many turns, taken in turn on every scale
    pdfs: int = 100  # PDFs asked of each server after its pages, its workers' memory read before and after
    wrk: str | None = None  # wrk's path; None: the Python client drives the load (set by main)


@dataclass
class Row:
    page: Page
    result: Result | None  # None: the page does not exist (yet); else its turns' requests pooled
    turn_p99s: tuple[float, ...] = ()  # each turn's own p99 (ms), to show a turn the pool hides
    turn_usage: tuple[Usage | None, ...] = ()  # who used the cores in each turn (arena.bench.machine)


@dataclass
class Run:
    """One backend at one data scale: how long `arena demo` took to load, and each page's figures."""

    backend: str
    scale: int
    rows: list[Row] = field(default_factory=list)
    load_seconds: float = 0.0
    memory: Memory | None = None  # Arena's workers after the pages and after the PDFs


# --- options ----------------------------------------------------------------------------------

def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse_options(argv: list[str] | None = None) -> Options:
    known = {page.name: page for page in PAGES}
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="压力测试：各页面在 1 倍与 10 倍数据下、SQLite 与 PostgreSQL 上的吞吐与延迟 / "
                    "requests/s and p50/p99 per page at 1× and 10× the demo data, on SQLite and PostgreSQL.")
    parser.add_argument("--scale", type=int, action="append", dest="scales", metavar="N",
                        help="数据倍数，可重复（默认 1 与 10）/ demo data scale, may repeat "
                             "(default: 1 and 10, or ARENA_BENCH_SCALES=1,10)")
    parser.add_argument("--pages", default=_env("ARENA_BENCH_PAGES", ",".join(known)),
                        help=f"逗号分隔的页面 / comma-separated pages, of: {', '.join(known)} "
                             "(baseline is always measured: it is the reference)")
    parser.add_argument("--duration", type=float, default=float(_env("ARENA_BENCH_DURATION", "5")),
                        help="每页测量秒数 / seconds measured per page (default 5; wrk counts whole "
                             "seconds, at least 1 per turn)")
    parser.add_argument("--warmup", type=float, default=float(_env("ARENA_BENCH_WARMUP", "1")),
                        help="每页预热秒数，不计入 / unmeasured warm-up seconds per page (default 1)")
    parser.add_argument("--pdfs", type=int, default=int(_env("ARENA_BENCH_PDFS", "100")),
                        help="测完页面后每个服务生成的 PDF 数 / PDFs asked of each server after its pages, "
                             "its workers' memory (RSS) printed before and after (default 100; 0: none)")
    parser.add_argument("--rounds", type=int, default=int(_env("ARENA_BENCH_ROUNDS", "1")),
                        help="每页分几轮、各数据倍数轮流测量 / split each page's duration into this many "
                             "turns, taken in turn on every scale and backend (default 1)")
    parser.add_argument("--concurrency", type=int, default=int(_env("ARENA_BENCH_CONCURRENCY", "16")),
                        help="并发虚拟用户数 / concurrent virtual users (default 16)")
    parser.add_argument("--workers", type=int, default=int(_env("ARENA_WORKERS", "2")),
                        help="服务进程数 / server worker processes (default ARENA_WORKERS or 2)")
    parser.add_argument("--backends", default=os.environ.get("ARENA_BENCH_BACKENDS"), metavar="LIST",
                        help="数据库，逗号分隔 / comma-separated, of: sqlite, postgresql (default: both when "
                             "PostgreSQL answers, else sqlite; or ARENA_BENCH_BACKENDS)")
    parser.add_argument("--pg", default=_env("ARENA_BENCH_PG", DEFAULT_PG_ADMIN_URL), metavar="URL",
                        help="PostgreSQL 管理库 / admin database URL; the bench creates and drops "
                             f"arena_bench_<hex> beside it (default ARENA_BENCH_PG or {DEFAULT_PG_ADMIN_URL})")
    parser.add_argument("--redis", default=os.environ.get("ARENA_BENCH_REDIS") or None, metavar="URL",
                        help="PostgreSQL 运行时会话存于 Redis / Redis for the PG run's sessions, or none "
                             "(default ARENA_BENCH_REDIS, else redis://127.0.0.1:6379/0 when it answers)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}; known: {', '.join(known)}")
    pages = [page for page in PAGES if page.name in names or page.server == "baseline"] + [BASELINE_AFTER]
    scales = args.scales or [int(s) for s in _env("ARENA_BENCH_SCALES", "1,10").split(",")]
    if (min(scales) < 1 or args.duration <= 0 or args.warmup < 0 or args.concurrency < 1 or args.workers < 1
            or args.rounds < 1 or args.pdfs < 0):
        parser.error("scales, duration, rounds, concurrency and workers must be positive (pdfs: 0 or more)")
    try:
        backends = parse_backends(args.backends) if args.backends else None
    except ValueError as exc:
        parser.error(str(exc))
    return Options(scales=scales, pages=pages, duration=args.duration, warmup=args.warmup,
                   concurrency=args.concurrency, workers=args.workers,
                   demo_password=_env("ARENA_DEMO_PASSWORD", "arena-demo"),
                   backends=backends, pg_admin_url=args.pg, redis=args.redis, rounds=args.rounds, pdfs=args.pdfs)


# --- processes --------------------------------------------------------------------------------

def _tail(log: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


def run_arena(env: dict[str, str], log: Path, *args: str, timeout: float = 600) -> None:
    try:
        with log.open("ab") as out:
            done = subprocess.run([sys.executable, "-m", "arena.cli", *args], env=env, stdout=out,
                                  stderr=subprocess.STDOUT, check=False, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"arena {' '.join(args)} took longer than {timeout:.0f} s:\n{_tail(log)}") from exc
    if done.returncode != 0:
        raise RuntimeError(f"arena {' '.join(args)} failed:\n{_tail(log)}")


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
def serve(command: Callable[[int], list[str]], env: dict[str, str], log: Path,
          ready_path: str) -> Iterator[tuple[int, int]]:
    """Start a server on a claimed port in 8200–8299 (retrying if a process that does not claim
    ports takes it): the port, and the server's main process (its workers are its children)."""
    for _ in range(5):
        with ports.claimed() as [port]:
            with log.open("ab") as out:
                process = subprocess.Popen(command(port), env=env | {"ARENA_PORT": str(port)}, stdout=out,
                                           stderr=subprocess.STDOUT, start_new_session=True)
            url = f"http://{HOST}:{port}{ready_path}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None and not _answers(url):
                time.sleep(0.1)
            time.sleep(0.3)  # a server that lost the port to another one exits now: not to measure the other
            started = process.poll() is None and _answers(url)
        if started:
            try:
                yield port, process.pid
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


def bench_environment(directory: Path, options: Options, database_url: str,
                      redis_url: str | None = None) -> dict[str, str]:
    """Production settings (no template reloading, as deployed) on a throwaway database. The
    baseline reads the same database, so a page's ratio compares like with like (the workers log
    their event loop's stalls from 200 ms, as deployed, and a slow turn names them). One thing is
    not as deployed: every virtual user logs in from 127.0.0.1 (16 per page), far past the login
    limit per address, which is not what the bench measures."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    env |= {"ARENA_ENV": "production", "ARENA_SECRET_KEY": secrets.token_urlsafe(48),
            "ARENA_AUDIT_SIGNING_KEY": secrets.token_hex(32),
            "ARENA_VAR_DIR": str(directory), "ARENA_FILES_DIR": str(directory / "files"),
            "ARENA_PUBLIC_URL": f"http://{HOST}",
            "ARENA_DATABASE_URL": database_url, DATABASE_URL_VARIABLE: database_url,
            "ARENA_HOST": HOST, "ARENA_WORKERS": str(options.workers), "ARENA_LOGIN_RATE_LIMIT": "1000000",
            "ARENA_DEMO_PASSWORD": options.demo_password}
    if redis_url:  # sessions and rate limits in Redis, under the database's name (see arena.bench.backends)
        env |= {"ARENA_REDIS_URL": redis_url, "ARENA_REDIS_PREFIX": make_url(database_url).database or "arena_bench"}
    return env


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


async def measure(page: Page, port: int, options: Options,
                  window: wrk.Window = contextlib.nullcontext) -> Result | None:
    """None when the page answers 404 (not built yet); otherwise what the load saw in one turn
    (the duration over the rounds). The Python client logs each virtual user in, follows the
    links to its page and checks that the page answers 2xx; then wrk drives the load (the
    Python client when wrk is missing), each virtual user on its own page with its own session;
    wrk's measured run inside `window` (arena.bench.machine)."""
    clients = [Client(HOST, port) for _ in range(options.concurrency)]
    turn = options.duration / options.rounds
    try:
        if page.user:
            await asyncio.gather(*(client.login(page.user, options.demo_password) for client in clients))
        probe = await clients[0].request("GET", page.path)
        if probe.status == 404:
            return None
        targets = [await follow(client, page, index) for index, client in enumerate(clients)]
        await check(page, clients, targets)
        if page.autosave and options.wrk:
            async def savers() -> list[wrk.Saver]:
                return [await saver(client, target) for client, target in zip(clients, targets, strict=True)]

            return await wrk.autosave(options.wrk, f"http://{HOST}:{port}", savers, connections=options.concurrency,
                                      duration=turn, warmup=options.warmup, window=window)
        if page.autosave:
            steps = [await autosave_step(client, target) for client, target in zip(clients, targets, strict=True)]
            return await drive(clients, targets[0], warmup=options.warmup, duration=turn, steps=steps)
        if options.wrk:
            pairs = [(target, client.cookie_header()) for client, target in zip(clients, targets, strict=True)]
            return await wrk.run(options.wrk, f"http://{HOST}:{port}", pairs, connections=options.concurrency,
                                 duration=turn, warmup=options.warmup, window=window)
        return await drive(clients, targets[0], warmup=options.warmup, duration=turn,
                           steps=[_get(target) for target in targets])
    finally:
        await asyncio.gather(*(client.close() for client in clients))


def _get(path: str) -> Step:
    async def step(client: Client) -> Reply:
        return await client.request("GET", path)

    return step


async def check(page: Page, clients: list[Client], targets: list[str]) -> None:
    """Every user's page answers 2xx, or HTTPError (wrk would count a redirect to the login page,
    3xx, as a success)."""
    for client, target in zip(clients, targets, strict=True):
        reply = await client.request("GET", target)
        if not 200 <= reply.status < 300:
            raise HTTPError(f"{target} answered {reply.status}" + (f" to {page.user}" if page.user else ""))


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


async def saver(client: Client, sheet: str) -> wrk.Saver:
    """What this user's autosave posts, read from the sheet as it is now: the CSRF token, the
    revision and the score inputs."""
    page = (await client.request("GET", sheet)).content()
    token, revision = CSRF_FIELD.search(page), REVISION.search(page)
    if token is None or revision is None:
        raise HTTPError(f"{sheet}: no form to autosave")
    inputs = tuple(sorted({name.decode() for name in re.findall(rb'name="(c-\d+)"', page)}))
    return wrk.Saver(sheet, client.cookie_header(), token.group(1).decode(), int(revision.group(1)), inputs)


async def autosave_step(client: Client, sheet: str) -> Step:
    """This user's autosave on the Python client (without wrk): the sheet's form posted as htmx
    does, carrying the revision the last answer gave back (as the page's out-of-band swap would)."""
    form = await saver(client, sheet)
    state = {"revision": str(form.revision)}
    turn = iter(range(1_000_000_000))

    async def step(c: Client) -> Reply:
        posted = {"_csrf_token": form.token, "revision": state["revision"], "comment": "",
                  **{name: str(next(turn) % 10) for name in form.inputs}}
        # the headers htmx sends from this page: HX-Request, and the CSRF token of base.html's hx-headers
        reply = await c.request("POST", sheet, posted, headers={"HX-Request": "true", "x-csrftoken": form.token})
        saved = REVISION.search(reply.content())
        if saved:
            state["revision"] = saved.group(1).decode()
        return reply

    return step


class Served(NamedTuple):
    """One backend at one scale, ready to measure."""

    run: Run  # to fill
    arena_port: int
    baseline_port: int
    arena_pid: int | None = None  # Arena's main process (granian), whose children are the workers
    baseline_pid: int | None = None
    log: Path | None = None  # both servers' output: Arena's stall lines are read from it (arena.bench.machine)


@contextlib.contextmanager
def prepared(scale: int, backend: str, options: Options, setup: Setup,
             report: Callable[[str], None]) -> Iterator[Served]:
    """`scale`× the demo data in a new database of `backend`, Arena and the baseline served on
    it. The servers, the database and the files are gone when the block ends."""
    label, run = LABELS[backend], Run(backend, scale)
    with tempfile.TemporaryDirectory(prefix="arena-bench-") as tmp, contextlib.ExitStack() as cleanup:
        directory = Path(tmp)
        log = directory / "bench.log"
        if backend == POSTGRESQL:
            database_url = cleanup.enter_context(postgres_database(options.pg_admin_url, report, setup.redis_url))
            env = bench_environment(directory, options, database_url, setup.redis_url)
        else:
            env = bench_environment(directory, options, f"sqlite+aiosqlite:///{directory / 'bench.db'}")
        # The 300-bid panel of 9 experts only when a page of it is measured (it costs a minute).
        experts = any((page.user or "").startswith("loadexpert") for page in options.pages)
        extra = ["--review-load"] if experts else []
        report(f"… {label} {scale}×: arena db upgrade, arena demo --scale {scale} {' '.join(extra)}".rstrip())
        run_arena(env, log, "db", "upgrade")
        started = time.monotonic()
        run_arena(env, log, "demo", "--scale", str(scale), *extra, timeout=600 + 6 * scale)
        run.load_seconds = time.monotonic() - started
        report(f"… {label} {scale}×: demo data loaded in {run.load_seconds:.0f} s")
        with serve(arena_command, env, log, "/healthz") as (arena_port, arena_pid), \
                serve(baseline_command(options.workers), env, log, "/") as (baseline_port, baseline_pid):
            yield Served(run, arena_port, baseline_port, arena_pid, baseline_pid, log)


def bench_all(options: Options, setup: Setup, report: Callable[[str], None]) -> list[Run]:
    """Every scale on every backend is loaded and served first; then each page is measured on
    each of them in turn, so a page's figures at 1× and 100× are taken a few seconds apart and
    a change in the machine's speed (a shared VM) cannot pass for a change with the data. Last,
    on each, Arena's workers' memory before and after `options.pdfs` PDFs."""
    with contextlib.ExitStack() as stack:
        served = [stack.enter_context(prepared(scale, backend, options, setup, report))
                  for scale in options.scales for backend in setup.backends]
        servers = {pid for one in served for pid in (one.arena_pid, one.baseline_pid) if pid}
        for page in options.pages:
            turns: list[list[Result | None]] = [[] for _served in served]
            windows: list[list[machine.Window]] = [[] for _served in served]
            for turn in range(options.rounds):
                for one, found, watched in zip(served, turns, windows, strict=True):
                    report(f"… {LABELS[one.run.backend]} {one.run.scale}×: {page.name}"
                           + (f" ({turn + 1}/{options.rounds})" if options.rounds > 1 else ""))
                    baseline = page.server == "baseline"
                    # the log is Arena's and the baseline's: only Arena logs stalls, so none for the baseline
                    window = (machine.Window(one.baseline_pid, servers) if baseline
                              else machine.Window(one.arena_pid, servers, one.log))
                    watched.append(window)
                    try:
                        found.append(run_async(measure(page, one.baseline_port if baseline else one.arena_port,
                                                       options, window)))
                    except HTTPError as exc:  # e.g. the login failed: an error row, not a crash
                        failed = Measurement(elapsed=0.0)
                        failed.error(str(exc))
                        found.append(failed)
            for one, found, watched in zip(served, turns, windows, strict=True):
                combined = _together(found)
                answered = [(turn, w.usage) for turn, w in zip(found, watched, strict=True)
                            if turn is not None and turn.requests]
                own = tuple(turn.percentile(0.99) for turn, _usage in answered)
                one.run.rows.append(Row(page, combined, own if combined else (),
                                        tuple(used for _turn, used in answered) if combined else ()))
        for one in served:
            if one.arena_pid is not None:
                report(f"… {LABELS[one.run.backend]} {one.run.scale}×: workers' memory"
                       + (f", {options.pdfs} PDFs" if options.pdfs else ""))
                one.run.memory = run_async(memory(one.arena_port, one.arena_pid, options.pdfs))
        return [one.run for one in served]


def _together(turns: list[Result | None]) -> Result | None:
    """A page's turns as one result; None when it answered 404 (not built yet)."""
    answered = [turn for turn in turns if turn is not None]
    if not answered or len(answered) < len(turns):
        return None
    return pool(answered)


# --- memory -----------------------------------------------------------------------------------

PDF_CONNECTIONS = 4  # a few at a time, so that every worker renders some (each renders 2 at once)
CHALLENGE_LINK = re.compile(rb'href="/challenges/(\d+)"')


async def pdf_paths(client: Client) -> list[str]:
    """PDFs anyone may download, alternating: a results notice (公示, rendered afresh each time)
    and a challenge's announcement (kept per process for repeats of the same text)."""
    def ids(page: bytes) -> list[str]:
        return list(dict.fromkeys(found.decode() for found in CHALLENGE_LINK.findall(page)))

    announced = ids((await client.request("GET", "/challenges")).content())
    in_publicity = ids((await client.request("GET", "/challenges?phase=publicity")).content())
    notices = [f"/results/{number}/notice.pdf" for number in in_publicity]
    announcements = [f"/challenges/{number}/announcement.pdf" for number in announced]
    return [path for pair in itertools.zip_longest(notices, announcements) for path in pair if path]


async def fetch_pdfs(port: int, count: int) -> Measurement:
    """`count` PDFs asked for anonymously, a few connections at a time; non-PDF answers are errors."""
    clients = [Client(HOST, port) for _ in range(PDF_CONNECTIONS)]
    result, started = Measurement(), time.perf_counter()
    try:
        try:
            paths = await pdf_paths(clients[0])
        except HTTPError as exc:
            paths = []
            result.error(str(exc))
        if not paths:
            result.error("no challenge listed at /challenges: no PDF to ask for")
            return result
        numbers = iter(range(count))

        async def user(client: Client) -> None:
            for number in numbers:
                path, asked = paths[number % len(paths)], time.perf_counter()
                try:
                    reply = await client.request("GET", path)
                except HTTPError as exc:
                    result.error(str(exc))
                    continue
                result.latencies.append(time.perf_counter() - asked)
                if reply.status != 200 or not (reply.header("content-type") or "").startswith("application/pdf"):
                    result.error(f"{path} answered {reply.status} {reply.header('content-type') or ''}".rstrip())

        await asyncio.gather(*(user(client) for client in clients))
    finally:
        result.elapsed = time.perf_counter() - started
        await asyncio.gather(*(client.close() for client in clients))
    return result


async def memory(port: int, server: int, pdfs: int) -> Memory:
    """Arena's workers' resident memory after the pages, then after `pdfs` PDFs (issue 24: under
    250 MB each; printed, never asserted)."""
    found = Memory(after_bench=worker_rss(server), pdfs=pdfs)
    if pdfs:
        fetched = await fetch_pdfs(port, pdfs)
        found.after_pdfs, found.children_after_pdfs = worker_rss(server), worker_children_rss(server)
        found.pdf_errors, found.first_pdf_error, found.pdf_seconds = (fetched.errors, fetched.first_error,
                                                                     fetched.elapsed)
    return found


# --- the tables -------------------------------------------------------------------------------

PAGE_COLUMN = 16
RATIO = 11  # "0.31–0.35": the ratio to the bare page measured before the pages and after them
CELLS = 12 + 8 + 8 + RATIO + 5  # one backend's figures: req/s, p50, p99, ×base, errors


def _backends(runs: list[Run]) -> list[str]:
    return [backend for backend in BACKENDS if any(run.backend == backend for run in runs)]


def _ratios(result: Result, references: list[Result]) -> list[float]:
    """requests/s over each bare page's (before and after the pages)."""
    return [result.requests_per_second / reference.requests_per_second
            for reference in references if reference.requests_per_second]


def _bare_pages(run: Run) -> list[Result]:
    return [row.result for row in run.rows if row.page.server == "baseline" and row.result]


def ratio(result: Result, references: list[Result]) -> str:
    """`_ratios` as "0.31–0.35", or one figure when they agree to two places; "–" without a
    reference."""
    ratios = _ratios(result, references)
    if not ratios:
        return "–"
    low, high = f"{min(ratios):.2f}", f"{max(ratios):.2f}"
    return low if low == high else f"{low}–{high}"


def _cells(row: Row | None, references: list[Result]) -> str:
    if row is None:
        return f"{'–':>{CELLS}}"  # not measured on this backend
    if row.result is None:
        return f"{'missing: answers 404 (not built yet)':>{CELLS}}"
    result = row.result
    return (f"{result.requests_per_second:>12.0f}{result.percentile(0.5):>8.1f}{result.percentile(0.99):>8.1f}"
            f"{ratio(result, references):>{RATIO}}{result.errors:>5}")


def table(runs: list[Run]) -> list[str]:
    """Per scale: a heading with the load times, then one line per page with each backend's
    figures side by side (SQLite, then PG), the ratio taken to that backend's own bare page,
    as measured before the pages and after them."""
    lines = []
    for scale in dict.fromkeys(run.scale for run in runs):
        here = {run.backend: run for run in runs if run.scale == scale}
        backends = [backend for backend in BACKENDS if backend in here]
        loads = ", ".join(f"{LABELS[backend]} {here[backend].load_seconds:.0f} s" for backend in backends)
        lines += ["", f"{scale}× data (arena demo --scale {scale} took {loads})",
                  f"{'page':<{PAGE_COLUMN}}" + "".join(
                      f" | {LABELS[backend] + ' req/s':>12}{'p50 ms':>8}{'p99 ms':>8}{'×base':>{RATIO}}{'err':>5}"
                      for backend in backends)]
        rows = {backend: {row.page.name: row for row in here[backend].rows} for backend in backends}
        references = {backend: _bare_pages(here[backend]) for backend in backends}
        for name in dict.fromkeys(name for backend in backends for name in rows[backend]):
            lines.append(f"{name:<{PAGE_COLUMN}}" + "".join(
                " | " + _cells(rows[backend].get(name), references[backend]) for backend in backends))
    return lines


def scale_comparison(runs: list[Run]) -> list[str]:
    """Each page's p50 and p99 at the largest scale over the smallest, per backend (none for one scale)."""
    scales = sorted({run.scale for run in runs})
    if len(scales) < 2:
        return []
    low, high = scales[0], scales[-1]
    backends = _backends(runs)
    found = {(run.backend, run.scale, row.page.name): row.result
             for run in runs for row in run.rows if row.result and row.result.requests}
    lines = ["", f"latency at {high}× vs {low}× data (p50/p99 ratio, 1.00 = flat)",
             f"{'page':<{PAGE_COLUMN}}" + "".join(f" | {LABELS[backend]:>11}" for backend in backends)]
    for name in dict.fromkeys(row.page.name for run in runs for row in run.rows):
        cells = []
        for backend in backends:
            small, large = found.get((backend, low, name)), found.get((backend, high, name))
            if small and large and small.percentile(0.5) and small.percentile(0.99):
                cells.append(f"{large.percentile(0.5) / small.percentile(0.5):.2f}/"
                             f"{large.percentile(0.99) / small.percentile(0.99):.2f}")
            else:
                cells.append("–")
        lines.append(f"{name:<{PAGE_COLUMN}}" + "".join(f" | {cell:>11}" for cell in cells))
    return lines


def _meets_target(result: Result) -> bool:
    return result.requests_per_second >= TARGET_RPS and result.percentile(0.99) <= TARGET_P99_MS


def target_line(runs: list[Run]) -> str:
    """Per backend, the pages below the aim — or, when those are most, the few that meet it."""
    verdicts = []
    for backend in _backends(runs):
        measured = {f"{row.page.name}@{run.scale}×": _meets_target(row.result) for run in runs
                    if run.backend == backend for row in run.rows if row.result and row.page.server != "baseline"}
        met = [name for name, ok in measured.items() if ok]
        missed = [name for name, ok in measured.items() if not ok]
        if not missed:
            verdict = "all pages meet it"
        elif len(met) < len(missed):
            verdict = f"{len(met)} of {len(measured)} meet it" + (": " + ", ".join(met) if met else "")
        else:
            verdict = "below it: " + ", ".join(missed)
        verdicts.append(f"{LABELS[backend]}: {verdict}")
    return (f"aim (issue 3, 2 cores, set for SQLite): ≥{TARGET_RPS} req/s and p99 ≤{TARGET_P99_MS:.0f} ms per page"
            " — " + "; ".join(verdicts))


# Issue 24's floors (its aims: a third of the bare page, p99 50 ms), shown after the tables.
FLOOR_RATIO = 0.25
FLOOR_P99_MS = 100.0
AUTOSAVE_P99_MS = {"sqlite": 150.0, "postgresql": 100.0}  # autosave is held to its p99 alone
FLAT = 1.3  # a page's p50 at the largest scale over the smallest


def _shortfalls(run: Run, row: Row, smallest: Run) -> list[str]:
    """What keeps one page of one run below issue 24's floors ([] when it meets them)."""
    result = row.result
    if result is None or not result.requests:
        return []
    found = []
    if row.page.autosave:
        if result.percentile(0.99) > AUTOSAVE_P99_MS[run.backend]:
            found.append(f"p99 {result.percentile(0.99):.0f} ms")
    else:
        lowest = min(_ratios(result, _bare_pages(run)), default=None)
        if lowest is not None and lowest < FLOOR_RATIO:
            found.append(f"{lowest:.2f}×")
        if result.percentile(0.99) > FLOOR_P99_MS:
            found.append(f"p99 {result.percentile(0.99):.0f} ms")
    small = None if smallest is run else next(
        (other.result for other in smallest.rows if other.page.name == row.page.name), None)
    if small and small.percentile(0.5) and result.percentile(0.5) / small.percentile(0.5) > FLAT:
        found.append(f"p50 {result.percentile(0.5) / small.percentile(0.5):.2f}× of {smallest.scale}×")
    return found


def floor_lines(runs: list[Run]) -> list[str]:
    """Issue 24's floors per backend, naming each page below them and why; then each turn whose
    own p99 was above 100 ms, since a page's p99 pools the requests of all its turns, with who
    used the cores during it and during the page's calmest turn (arena.bench.machine)."""
    verdicts, turns = [], []
    for backend in _backends(runs):
        mine = sorted((run for run in runs if run.backend == backend), key=lambda run: run.scale)
        missed = [f"{row.page.name}@{run.scale}× ({', '.join(why)})" for run in mine for row in run.rows
                  if row.page.server != "baseline" and (why := _shortfalls(run, row, mine[0]))]
        verdict = "below: " + ", ".join(missed) if missed else "all pages meet them"
        verdicts.append(f"{LABELS[backend]}: {verdict}")
        turns += [_slow_turn(f"{LABELS[backend]} {row.page.name}@{run.scale}×", row, number)
                  for run in mine for row in run.rows if row.page.server != "baseline" and len(row.turn_p99s) > 1
                  for number, p99 in enumerate(row.turn_p99s) if p99 > FLOOR_P99_MS]
    lines = [f"floors (issue 24): each page ≥{FLOOR_RATIO}× the bare page with p99 ≤{FLOOR_P99_MS:.0f} ms, p50 at the"
             f" largest scale ≤{FLAT}× of the smallest; autosave p99 ≤{AUTOSAVE_P99_MS['sqlite']:.0f} ms on SQLite,"
             f" ≤{AUTOSAVE_P99_MS['postgresql']:.0f} ms on PG — " + "; ".join(verdicts)]
    if any(len(row.turn_p99s) > 1 for run in runs for row in run.rows):
        lines.append(f"turns with a p99 above {FLOOR_P99_MS:.0f} ms (the tables pool each page's turns): "
                     + ("" if turns else "none"))
        lines += turns
    return lines


def _slow_turn(name: str, row: Row, index: int) -> str:
    """One slow turn: its p99, and who used the cores then and in the page's calmest turn."""
    text = f"  {name} turn {index + 1}: p99 {row.turn_p99s[index]:.0f} ms"
    if len(row.turn_usage) != len(row.turn_p99s):
        return text
    calmest = min(range(len(row.turn_p99s)), key=lambda number: row.turn_p99s[number])
    slow, calm = row.turn_usage[index], row.turn_usage[calmest]
    if slow:
        text += f"; cores used then: {slow.line()}"
    if calm:
        text += f"; in turn {calmest + 1} (p99 {row.turn_p99s[calmest]:.0f} ms): {calm.line()}"
    return text


def load_line(options: Options) -> str:
    """Which client drove the load, for the heading."""
    if not options.wrk:
        return ("load: the Python client (wrk is not installed; as root: apt-get install wrk). It shares the CPU "
                "with the server: expect lower figures than with wrk")
    turn = options.duration / options.rounds
    rounded = f" (wrk counts whole seconds: {wrk.seconds(turn)} s per turn)" if wrk.seconds(turn) != turn else ""
    return (f"load: {wrk.version(options.wrk)} ({min(wrk.THREADS, options.concurrency)} threads, "
            f"{options.concurrency} connections, each user's own page and session; autosave: a thread per "
            f"expert){rounded}; logins and links: the Python client")


def memory_lines(runs: list[Run]) -> list[str]:
    found = [run for run in runs if run.memory]
    if not found:
        return []
    return ["", "memory of Arena's workers (resident set, VmRSS)"] + [
        f"  {LABELS[run.backend]} {run.scale}×: {run.memory.line()}" for run in found if run.memory]


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)

    def on_term(signum: int, frame: object) -> None:
        # A second signal (`timeout` passes its own on, pkill may hit both) must not cut the
        # cleanup short and leave servers and databases behind: ignore the rest.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(128 + signum)  # unwinds through the cleanup: servers stopped, files and databases removed

    def report(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    previous, previous_int = signal.signal(signal.SIGTERM, on_term), signal.getsignal(signal.SIGINT)
    runs: list[Run] = []
    try:
        setup = discover(options.backends, options.pg_admin_url, options.redis)
        for note in setup.notes:
            report(note)
        options = dataclasses.replace(options, wrk=wrk.ensure(report))
        if not options.wrk:
            report("注意 / note: wrk is not installed (as root: apt-get install wrk): the Python client drives "
                   "the load and shares the CPU with the server")
        runs = bench_all(options, setup, report)
    except RuntimeError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench interrupted (servers stopped, databases and files removed)", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    print(f"Arena bench — {os.cpu_count()} cores, {options.workers} workers per server, "
          f"{options.concurrency} concurrent users, {options.duration:g} s per page after {options.warmup:g} s warm-up"
          + (f", in {options.rounds} turns per scale" if options.rounds > 1 else ""))
    print(f"  {load_line(options)}")
    for backend in setup.backends:
        print(f"  {setup.describe(backend)}")
    for note in setup.notes:
        print(f"  {note}")
    print("\n".join(table(runs) + scale_comparison(runs)))
    print("×base: the page's req/s over the bare page's, measured before the pages and after them (low–high)")
    print("\n".join(memory_lines(runs)))
    print()
    print(target_line(runs))
    print("\n".join(floor_lines(runs)))
    failed = [(run, row.page.name, row.result) for run in runs for row in run.rows if row.result and row.result.errors]
    for run, name, result in failed:
        print(f"errors on {name} at {run.scale}× ({LABELS[run.backend]}): {result.errors}, "
              f"first: {result.first_error}")
    pdfs = [run for run in runs if run.memory and run.memory.pdf_errors]
    for run in pdfs:
        assert run.memory is not None
        print(f"errors on the PDFs at {run.scale}× ({LABELS[run.backend]}): {run.memory.pdf_errors}, "
              f"first: {run.memory.first_pdf_error}")
    return 1 if failed or pdfs else 0
