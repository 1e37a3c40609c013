"""scripts/bench (arena.bench): options, the tables' arithmetic, PostgreSQL's throwaway databases,
and a quick real run end to end. Timings are never asserted: the machine may be shared."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from arena import PROJECT_ROOT
from arena.bench import backends, machine, memory, ports, runner, wrk
from arena.bench.backends import (
    POSTGRESQL,
    SQLITE,
    Setup,
    database_url,
    discover,
    postgres_database,
    redis_answers,
)
from arena.bench.load import GRID, Measurement, Summary, pool
from arena.bench.memory import Memory
from arena.bench.runner import (
    BASELINE_AFTER,
    PAGES,
    Page,
    Row,
    Run,
    floor_lines,
    parse_options,
    scale_comparison,
    table,
    target_line,
)
from tests.conftest import PG_ADMIN_URL, PG_AVAILABLE

BASELINE, LOGIN, CHALLENGES = PAGES[0], Page("login", "/login"), Page("challenges", "/challenges")
REDIS_URL = os.environ.get("ARENA_TEST_REDIS", "redis://127.0.0.1:6379/15")
needs_pg = pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")
WRK = shutil.which("wrk")
needs_wrk = pytest.mark.skipif(WRK is None, reason="wrk not installed (apt-get install wrk)")


def measured(*latencies_ms: float, elapsed: float = 1.0, errors: int = 0) -> Measurement:
    result = Measurement(latencies=[ms / 1000 for ms in latencies_ms], elapsed=elapsed)
    for _ in range(errors):
        result.error("GET / answered 500")
    return result


def cells(line: str) -> list[list[str]]:
    """A table line → the page's name, then each backend's figures."""
    return [part.split() for part in line.split("|")]


def database_exists(name: str) -> bool:
    async def count() -> int:
        engine = create_async_engine(PG_ADMIN_URL, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                                                {"name": name})
                return int(found or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count()) > 0


# --- measuring --------------------------------------------------------------------------------

def test_a_claimed_port_is_nobody_elses_until_the_claim_ends() -> None:
    """Two servers never start on one port: granian binds with SO_REUSEPORT, so both would listen."""
    other_process = [sys.executable, "-c", "import sys; from arena.bench.ports import _claim; "
                     "sys.exit(0 if _claim(int(sys.argv[1])) is None else 1)"]
    with ports.claimed(2) as claimed:
        assert len(set(claimed)) == 2 and all(port in ports.PORTS for port in claimed)
        with ports.claimed(3) as more:
            assert not set(more) & set(claimed)
        for port in claimed:
            assert subprocess.run([*other_process, str(port)], check=False).returncode == 0, "claimed elsewhere too"
    assert subprocess.run([*other_process, str(claimed[0])], check=False).returncode == 1, "the claim outlived its block"


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    result = measured(*range(1, 101))
    assert result.percentile(0.5) == pytest.approx(50)
    assert result.percentile(0.99) == pytest.approx(99)
    assert measured(7).percentile(0.99) == pytest.approx(7)
    assert Measurement().percentile(0.5) == 0


def test_requests_per_second_counts_the_measured_window() -> None:
    assert measured(*[5] * 300, elapsed=2.0).requests_per_second == 150


def test_turns_pool_their_requests_instead_of_averaging_their_percentiles() -> None:
    calm = measured(*[10] * 990, *[50] * 10)
    stalled = measured(*[10] * 980, *[300] * 20)  # a turn in which the machine stalled once
    both = pool([Summary.of(calm), Summary.of(stalled)])
    assert (both.requests, both.elapsed) == (2000, 2.0) and both.requests_per_second == 1000
    # 1 970 answers in 10 ms and 10 in 50 ms: the 1 980th of 2 000 took 50 ms. The turns' p99s
    # (10 and 300 ms) weighted by their requests would have said 155.
    assert pool([calm, stalled]).percentile(0.99) == pytest.approx(50)
    assert both.percentile(0.99) == pytest.approx(50) and both.percentile(0.5) == pytest.approx(10)
    assert both.percentile(0.999) == pytest.approx(300) and both.percentile(1.0) == pytest.approx(300)
    refused = Summary(100, 1.0, 1, "wrk: 1 answers ≥ 400", Summary.of(measured(*[40] * 100)).quantiles)
    mixed = pool([measured(*[30] * 100), refused])  # a turn on the Python client and one on wrk
    assert (mixed.requests, mixed.errors, mixed.first_error) == (200, 1, "wrk: 1 answers ≥ 400")
    assert mixed.percentile(0.5) == pytest.approx(30) and mixed.percentile(0.99) == pytest.approx(40)
    assert Summary().percentile(0.99) == 0 and pool([Summary(), refused]).percentile(0.5) == pytest.approx(40)


def test_pooled_percentiles_are_never_below_the_exact_ones_and_at_most_a_percent_of_requests_above() -> None:
    rng = random.Random(24)
    for _trial in range(80):
        turns = [measured(*[rng.lognormvariate(3, 0.4) if rng.random() > rng.choice((0, 0.003, 0.03))
                            else rng.uniform(100, 400) for _ in range(rng.randint(1, 2500))])
                 for _turn in range(rng.randint(2, 4))]
        exact = pool(turns)  # every latency kept
        pooled = pool([Summary.of(turn) for turn in turns])
        assert isinstance(exact, Measurement) and isinstance(pooled, Summary)
        assert pooled.requests == exact.requests == sum(turn.requests for turn in turns)
        for share in (0.5, 0.9, 0.99, 0.999):
            assert exact.percentile(share) <= pooled.percentile(share) + 1e-9
            assert pooled.percentile(share) <= exact.percentile(min(1.0, share + 0.01)) + 1e-9


# --- wrk ----------------------------------------------------------------------------------------

def test_wrk_script_takes_each_users_path_and_cookie_in_turn_without_a_response_hook() -> None:
    lua = wrk.script([("/review/sheets/7", "session=a; csrftoken=x"), ("/review/sheets/8", "session=b"),
                      ("/challenges?q=%E6%94%BB", ""), ('/odd"\\路', "")])
    rows = re.findall(r'^  \{"(.*)", "(.*)"\},$', lua, re.MULTILINE)
    assert rows == [("/review/sheets/7", "session=a; csrftoken=x"), ("/review/sheets/8", "session=b"),
                    ("/challenges?q=%E6%94%BB", ""), ("/odd\\034\\092\\232\\183\\175", "")]
    assert "counter = counter % #prepared + 1" in lua and 'thread:set("counter", threads)' in lua
    assert '["Accept-Encoding"] = "gzip"' in lua and '["Accept"] = "text/html"' in lua
    assert "function response" not in lua  # it would make wrk parse every body
    with pytest.raises(ValueError):
        wrk.script([])


def test_wrk_done_lines_become_requests_per_second_pooled_latencies_and_errors() -> None:
    latencies = " ".join(str(1000 + 100 * i) for i in range(len(GRID)))  # µs at each share of GRID
    output = ("Running 5s test @ http://127.0.0.1:8200\n  Latency Distribution\n     50%    3.02ms\n"
              "ARENA-WRK requests=5000 duration_us=5000000 connect=0 read=0 write=0 status=3 timeout=2\n"
              f"ARENA-WRK-LATENCY {latencies}\n")
    result = wrk.parse(output)
    assert result.requests_per_second == 1000 and result.requests == 5000
    assert result.percentile(0.5) == pytest.approx(1 + 0.1 * GRID.index(0.5))
    assert result.percentile(0.99) == pytest.approx(1 + 0.1 * GRID.index(0.99))
    assert result.percentile(1.0) == pytest.approx(1 + 0.1 * (len(GRID) - 1))
    assert result.errors == 5 and result.first_error == "wrk: 3 answers ≥ 400, 2 timeouts (> 30s)"
    clean = wrk.parse(output.replace("status=3 timeout=2", "status=0 timeout=0"))
    assert clean.errors == 0 and clean.first_error is None
    for broken in ("Running 5s test\n", output.split("ARENA-WRK-LATENCY")[0], output.replace(" 1000 ", " ")):
        with pytest.raises(ValueError):
            wrk.parse(broken)
    assert wrk.seconds(0.5) == 1 and wrk.seconds(2.4) == 2
    # the script asks wrk for the same shares, in percent, and for the slowest answer last
    shares = re.search(r"local shares = \{(.*)\}", wrk.DONE)
    assert shares and [float(x) / 100 for x in shares.group(1).split(", ")] == pytest.approx(GRID[:-1])
    assert "latency.max" in wrk.DONE


class Recorder(BaseHTTPRequestHandler):
    """A tiny keep-alive server that notes what each request asked for: 500 at /broken, a
    redirect at /redirect, else 200."""

    protocol_version = "HTTP/1.1"
    seen: collections.Counter[tuple[str, str | None, str | None]]

    def do_GET(self) -> None:
        self.seen[(self.path, self.headers.get("Cookie"), self.headers.get("Accept-Encoding"))] += 1
        status = {"/broken": 500, "/redirect": 303}.get(self.path, 200)
        self.send_response(status)
        if status == 303:
            self.send_header("Location", "/login")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[int, collections.Counter[tuple[str, str | None, str | None]]]]:
    seen: collections.Counter[tuple[str, str | None, str | None]] = collections.Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (Recorder,), {"seen": seen}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, seen
    finally:
        server.shutdown()
        server.server_close()


@needs_wrk
def test_wrk_sends_every_users_request_with_its_own_cookie_and_counts_errors(recorder) -> None:
    port, seen = recorder
    assert WRK is not None
    targets = [("/a", "session=1"), ("/b", ""), ("/broken", "session=3")]
    result = asyncio.run(wrk.run(WRK, f"http://127.0.0.1:{port}", targets, connections=2, duration=1, warmup=0))
    assert {(path, cookie) for path, cookie, _gzip in seen} == {("/a", "session=1"), ("/b", None),
                                                                ("/broken", "session=3")}
    assert {encoding for _path, _cookie, encoding in seen} == {"gzip"}
    # wrk leaves out the answers still on their way when time is up
    assert 0 < result.requests <= sum(seen.values()) and 0 < result.errors <= seen[("/broken", "session=3", "gzip")]
    assert result.first_error and "answers ≥ 400" in result.first_error


class Sheets(BaseHTTPRequestHandler):
    """Score sheets as the autosave sees them: a POST carrying the sheet's current revision is
    saved (the answer gives the next one, as review/_sheet_status.html does), any other is
    refused with 400 — as Arena refuses a stale save."""

    protocol_version = "HTTP/1.1"
    revisions: dict[str, int]
    posts: list[tuple[str, dict[str, list[str]], dict[str, str]]]

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode(), keep_blank_values=True)
        self.posts.append((self.path, form, {k.lower(): v for k, v in self.headers.items()}))
        fresh = form.get("revision") == [str(self.revisions[self.path])]
        if fresh:
            self.revisions[self.path] += 1
        body = (f'<input type="hidden" name="revision" id="f-revision" value="{self.revisions[self.path]}" '
                'hx-swap-oob="true">' if fresh else "未保存").encode()
        self.send_response(200 if fresh else 400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@needs_wrk
def test_wrk_autosaves_each_sheet_with_the_revision_its_last_answer_gave_back() -> None:
    revisions = {"/review/sheets/1": 7, "/review/sheets/2": 0}
    posts: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (Sheets,), {"revisions": revisions,
                                                                              "posts": posts}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    savers = [wrk.Saver("/review/sheets/1", "session=a; csrftoken=t1", "t1+/=", 7, ("c-3", "c-4")),
              wrk.Saver("/review/sheets/2", "session=b; csrftoken=t2", "t2", 0, ("c-3",))]
    reads: list[int] = []

    async def current() -> list[wrk.Saver]:  # the sheets as the bench reads them before each run
        reads.append(len(posts))
        return [dataclasses.replace(s, revision=revisions[s.path]) for s in savers]

    try:
        assert WRK is not None
        result = asyncio.run(wrk.autosave(WRK, f"http://127.0.0.1:{server.server_port}", current, connections=2,
                                          duration=1, warmup=1))
    finally:
        server.shutdown()
        server.server_close()
    assert result.errors == 0 and result.requests > 10  # never a stale revision, warm-up included
    assert len(reads) >= 3  # before the warm-up, then until the warm-up's last saves were answered
    assert revisions["/review/sheets/1"] > 7 + 5 and revisions["/review/sheets/2"] > 5
    path, form, headers = posts[-1]
    sheet = next(s for s in savers if s.path == path)
    assert form["_csrf_token"] == [sheet.token] and headers["x-csrftoken"] == sheet.token
    assert headers["hx-request"] == "true" and headers["cookie"] == sheet.cookie
    assert set(form) == {"_csrf_token", "revision", "comment", *sheet.inputs}
    assert all(value.isdigit() and int(value) < 10 for name in sheet.inputs for value in form[name])


def _options(client: str | None) -> runner.Options:
    options = parse_options(["--pages", "challenges", "--duration", "0.3", "--warmup", "0", "--concurrency", "2"])
    return dataclasses.replace(options, wrk=client)


@pytest.mark.parametrize("client", ["python", pytest.param("wrk", marks=needs_wrk)])
def test_a_page_is_driven_by_wrk_when_installed_else_by_the_python_client(recorder, client: str) -> None:
    port, seen = recorder
    result = runner.run_async(runner.measure(Page("a", "/a"), port, _options(WRK if client == "wrk" else None)))
    assert isinstance(result, Summary if client == "wrk" else Measurement)
    assert result.requests > 0 and result.errors == 0 and seen[("/a", None, "gzip")] > 2  # probed, then loaded


def test_a_page_that_redirects_fails_its_row_before_any_load(recorder) -> None:
    port, seen = recorder
    with pytest.raises(runner.HTTPError, match="/redirect answered 303"):
        runner.run_async(runner.measure(Page("moved", "/redirect"), port, _options(WRK)))
    assert sum(seen.values()) == 2  # the probe and the check of the first user's page, nothing more


def test_missing_wrk_is_installed_quietly_with_apt_get_when_running_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[list[str]] = []
    installed = {"apt-get": "/usr/bin/apt-get"}

    def run(command: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        assert env["DEBIAN_FRONTEND"] == "noninteractive"
        commands.append(command)
        if len(commands) == 1:  # a stale package list: the first install fails, the update mends it
            return subprocess.CompletedProcess(command, 100)
        if command[1] == "install":
            installed["wrk"] = "/usr/bin/wrk"
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(wrk.os, "geteuid", lambda: 0)
    monkeypatch.setattr(wrk.shutil, "which", lambda name: installed.get(name))
    monkeypatch.setattr(wrk.subprocess, "run", run)
    assert wrk.ensure(lambda message: None) == "/usr/bin/wrk"
    assert [command[:2] for command in commands] == [["apt-get", "install"], ["apt-get", "update"],
                                                     ["apt-get", "install"]]
    assert commands[0][-1] == "wrk" and "-y" in commands[0]


def test_without_wrk_and_no_way_to_install_it_the_python_client_drives_the_load(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(wrk.shutil, "which", lambda name: None)
    notes: list[str] = []
    assert wrk.ensure(notes.append) is None and notes == []  # nothing to install with: no apt-get
    monkeypatch.setattr(runner, "discover", lambda backends, url, redis: Setup(backends=[SQLITE]))
    monkeypatch.setattr(runner, "bench_all", lambda options, setup, report: [
        Run(SQLITE, 1, [Row(BASELINE, measured(5)), Row(LOGIN, measured(10))])])
    assert runner.main(["--scale", "1", "--pages", "login"]) == 0
    captured = capsys.readouterr()
    assert "wrk is not installed" in captured.err
    assert "load: the Python client (wrk is not installed" in captured.out


# --- memory -------------------------------------------------------------------------------------

def test_rss_is_read_from_proc_for_a_process_and_its_children() -> None:
    own = memory.rss(os.getpid())
    assert own is not None and 10e6 < own < 10e9
    child = subprocess.Popen([sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
                             stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"up\n"  # a Python by now, not a fork
        assert child.pid in memory.children(os.getpid())
        sizes = memory.worker_rss(os.getpid())
        assert len(sizes) >= 1 and all(size > 1e6 for size in sizes)
    finally:
        child.kill()
        child.communicate()
    assert memory.rss(child.pid) is None and memory.children(child.pid) == []


def test_memory_line_gives_each_worker_after_the_bench_and_after_the_pdfs_beside_the_limit() -> None:
    found = Memory(after_bench=[123_000_000, 131_400_000], after_pdfs=[140_000_000, 150_000_000], pdfs=100,
                   pdf_seconds=31.2)
    assert found.line() == ("worker RSS after the bench: 123 MB, 131 MB; after 100 PDFs (31 s): 140 MB, 150 MB "
                            "(limit 250 MB each: within)")
    assert Memory(after_bench=[260_000_000]).line() == "worker RSS after the bench: 260 MB (limit 250 MB each: over it)"
    with_children = Memory(after_bench=[123_000_000], after_pdfs=[140_000_000], children_after_pdfs=[310_000_000],
                           pdfs=100, pdf_seconds=31.2)
    assert with_children.line().endswith("(limit 250 MB each: within); their child processes: 310 MB")


def test_the_children_of_the_workers_are_measured_apart_from_the_workers() -> None:
    """A server whose worker started a child (as a worker starts its PDF child): the child's
    memory is the one figure, the worker's is not in it."""
    child = "import time; time.sleep(30)"
    worker = (f"import subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', {child!r}]); "
              "print(c.pid, flush=True); time.sleep(30)")
    server_script = (f"import subprocess, sys, time; w = subprocess.Popen([sys.executable, '-c', {worker!r}], "
                     "stdout=subprocess.PIPE); print(w.stdout.readline().decode().strip(), flush=True); time.sleep(30)")
    server = subprocess.Popen([sys.executable, "-c", server_script], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        grandchild = int(server.stdout.readline())
        deadline = time.monotonic() + 10
        # the child's memory, once its interpreter has started (a moment after the fork it is
        # still the size of a bare process)
        while len(found := memory.worker_children_rss(server.pid)) != 1 or found[0] <= 1e6:
            assert time.monotonic() < deadline, found
            time.sleep(0.05)
        assert grandchild not in memory.children(server.pid)
    finally:
        for pid in (*memory.children(server.pid), server.pid):
            for each in (pid, *memory.children(pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(each, signal.SIGKILL)
        server.communicate()


# --- the tables -------------------------------------------------------------------------------

def test_table_puts_sqlite_and_pg_side_by_side_each_against_its_own_baseline() -> None:
    runs = [Run(SQLITE, 1, [Row(BASELINE, measured(*[5] * 1000)), Row(LOGIN, measured(*[10] * 500, errors=2)),
                            Row(CHALLENGES, None)], load_seconds=41.6),
            Run(POSTGRESQL, 1, [Row(BASELINE, measured(*[4] * 800)), Row(LOGIN, measured(*[8] * 600)),
                                Row(CHALLENGES, measured(*[20] * 200))], load_seconds=52)]
    lines = table(runs)
    assert lines[0] == ""
    assert lines[1] == "1× data (arena demo --scale 1 took SQLite 42 s, PG 52 s)"
    assert cells(lines[2]) == [["page"], ["SQLite", "req/s", "p50", "ms", "p99", "ms", "×base", "err"],
                               ["PG", "req/s", "p50", "ms", "p99", "ms", "×base", "err"]]
    assert cells(lines[3]) == [["baseline"], ["1000", "5.0", "5.0", "1.00", "0"], ["800", "4.0", "4.0", "1.00", "0"]]
    assert cells(lines[4]) == [["login"], ["500", "10.0", "10.0", "0.50", "2"], ["600", "8.0", "8.0", "0.75", "0"]]
    name, sqlite, pg = cells(lines[5])
    assert name == ["challenges"] and " ".join(sqlite) == "missing: answers 404 (not built yet)" and pg[0] == "200"
    assert len({line.index("|") for line in lines[2:]}) == 1  # the columns line up
    assert len(lines) == 6


def test_each_pages_ratio_is_to_the_bare_page_before_and_after_as_a_range_and_the_columns_line_up() -> None:
    runs = [Run(SQLITE, 1, [Row(BASELINE, measured(*[5] * 1000)), Row(LOGIN, measured(*[10] * 330)),
                            Row(CHALLENGES, measured(*[20] * 450)), Row(BASELINE_AFTER, measured(*[5] * 900))]),
            Run(POSTGRESQL, 1, [Row(BASELINE, measured(*[4] * 800)), Row(LOGIN, measured(*[8] * 400)),
                                Row(CHALLENGES, None), Row(BASELINE_AFTER, measured(*[4] * 800))])]
    lines = table(runs)
    rows = {cells(line)[0][0]: cells(line)[1:] for line in lines[3:]}
    assert [figures[3] for figures in rows["baseline"]] == ["1.00–1.11", "1.00"]
    assert [figures[3] for figures in rows["login"]] == ["0.33–0.37", "0.50"]
    assert rows["challenges"][0][3] == "0.45–0.50"
    assert [figures[3] for figures in rows["baseline-after"]] == ["0.90–1.00", "1.00"]
    assert len({line.index("|") for line in lines[2:]}) == 1
    assert len({line.rindex("|") for line in lines[2:]}) == 1  # the PG column too, after the widest ratio
    assert len({len(line) for line in lines[2:]}) == 1


def test_table_gives_one_block_per_scale_and_marks_a_page_one_backend_did_not_measure() -> None:
    runs = [Run(SQLITE, 1, [Row(BASELINE, measured(5)), Row(LOGIN, measured(10))]),
            Run(POSTGRESQL, 1, [Row(BASELINE, measured(5))]),
            Run(SQLITE, 100, [Row(BASELINE, measured(5))])]
    lines = table(runs)
    headings = [line for line in lines if line.endswith(")")]
    assert [h.split(" data")[0] for h in headings] == ["1×", "100×"]
    assert cells(next(line for line in lines if line.startswith("login")))[2] == ["–"]
    assert cells(lines[-2]) == [["page"], ["SQLite", "req/s", "p50", "ms", "p99", "ms", "×base", "err"]]


def test_scale_comparison_shows_each_backends_latency_ratio_from_the_smallest_to_the_largest_scale() -> None:
    runs = [Run(SQLITE, 1, [Row(LOGIN, measured(*[10] * 500)), Row(CHALLENGES, measured(*[20] * 10))]),
            Run(POSTGRESQL, 1, [Row(LOGIN, measured(*[10] * 500))]),
            Run(SQLITE, 100, [Row(LOGIN, measured(*[12] * 500)), Row(CHALLENGES, measured(*[20] * 10))]),
            Run(POSTGRESQL, 100, [Row(LOGIN, measured(*[9] * 500))])]
    lines = scale_comparison(runs)
    assert lines[1] == "latency at 100× vs 1× data (p50/p99 ratio, 1.00 = flat)"
    assert cells(lines[2]) == [["page"], ["SQLite"], ["PG"]]
    assert cells(lines[3]) == [["login"], ["1.20/1.20"], ["0.90/0.90"]]
    assert cells(lines[4]) == [["challenges"], ["1.00/1.00"], ["–"]]
    assert scale_comparison(runs[:2]) == []


def test_target_line_gives_a_verdict_per_backend_naming_the_fewer_side() -> None:
    fast, slow = measured(*[10] * 500), measured(*[150] * 100)
    runs = [Run(SQLITE, 1, [Row(LOGIN, fast), Row(CHALLENGES, slow), Row(BASELINE, slow)]),
            Run(SQLITE, 100, [Row(LOGIN, fast), Row(CHALLENGES, fast)]),
            Run(POSTGRESQL, 1, [Row(LOGIN, slow), Row(CHALLENGES, slow)]),
            Run(POSTGRESQL, 100, [Row(LOGIN, fast), Row(CHALLENGES, slow)])]
    assert target_line(runs).endswith("— SQLite: below it: challenges@1×; PG: 1 of 4 meet it: login@100×")
    assert target_line(runs[:2]).endswith("— SQLite: below it: challenges@1×")
    assert target_line(runs[2:3]).endswith("— PG: 0 of 2 meet it")
    assert target_line(runs[1:2]).endswith("— SQLite: all pages meet it")


def test_floor_lines_name_each_page_below_issue_24s_floors_and_each_turn_above_100_ms() -> None:
    autosave = Page("autosave", "/review", autosave=True)
    bare = measured(*[5] * 1000)
    saves = measured(*[60] * 290, *[120] * 10)  # p99 120 ms: within SQLite's 150, above PG's 100
    runs = [Run(SQLITE, 1, [Row(BASELINE, bare), Row(LOGIN, measured(*[10] * 300), (12.0, 180.0)),
                            Row(CHALLENGES, measured(*[20] * 200)), Row(autosave, saves)]),
            Run(SQLITE, 100, [Row(BASELINE, bare), Row(LOGIN, measured(*[14] * 300)),
                              Row(CHALLENGES, measured(*[20] * 980, *[150] * 20)), Row(autosave, saves)]),
            Run(POSTGRESQL, 1, [Row(BASELINE, bare), Row(LOGIN, measured(*[10] * 300)), Row(autosave, saves)])]
    verdict, turns, turn = floor_lines(runs)
    assert verdict.startswith("floors (issue 24): each page ≥0.25× the bare page with p99 ≤100 ms")
    assert verdict.endswith("— SQLite: below: challenges@1× (0.20×), login@100× (p50 1.40× of 1×), "
                            "challenges@100× (p99 150 ms); PG: below: autosave@1× (p99 120 ms)")
    assert turns.endswith("(the tables pool each page's turns): ")
    assert turn == "  SQLite login@1× turn 2: p99 180 ms"
    calm = [Run(POSTGRESQL, 1, [Row(BASELINE, bare), Row(LOGIN, measured(*[10] * 300), (12.0, 14.0))])]
    assert floor_lines(calm) == [floor_lines(calm)[0], floor_lines(calm)[1]] and floor_lines(calm)[0].endswith(
        "— PG: all pages meet them") and floor_lines(calm)[1].endswith(": none")
    assert len(floor_lines(runs[2:])) == 1  # one turn each: nothing pooled, no line about turns


# --- options ----------------------------------------------------------------------------------

def test_options_always_measure_the_baseline_and_refuse_unknown_pages(capsys: pytest.CaptureFixture[str]) -> None:
    options = parse_options(["--pages", "login", "--scale", "1"])
    assert [p.name for p in options.pages] == ["baseline", "login", "baseline-after"] and options.scales == [1]
    assert options.pdfs == 100 and parse_options(["--pdfs", "0"]).pdfs == 0
    with pytest.raises(SystemExit):
        parse_options(["--pages", "nope"])
    assert "unknown page" in capsys.readouterr().err


def test_scale_repeats_and_backends_come_in_table_order(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("ARENA_BENCH_BACKENDS", "ARENA_BENCH_PG", "ARENA_BENCH_REDIS", "ARENA_BENCH_SCALES"):
        monkeypatch.delenv(name, raising=False)
    default = parse_options([])
    assert default.scales == [1, 10] and default.backends is None and default.redis is None
    assert default.pg_admin_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    options = parse_options(["--scale", "1", "--scale", "100", "--backends", "pg, sqlite", "--redis", "none"])
    assert options.scales == [1, 100] and options.backends == [SQLITE, POSTGRESQL] and options.redis == "none"
    monkeypatch.setenv("ARENA_BENCH_BACKENDS", "postgresql")
    monkeypatch.setenv("ARENA_BENCH_PG", "postgresql+asyncpg://bench@db:5433/admin")
    from_env = parse_options([])
    assert from_env.backends == [POSTGRESQL] and from_env.pg_admin_url.endswith("@db:5433/admin")
    with pytest.raises(SystemExit):
        parse_options(["--backends", "sqlite,mysql"])
    assert "unknown backend(s): mysql; known: sqlite, postgresql" in capsys.readouterr().err


def test_bench_database_sits_beside_the_admin_database_with_the_same_credentials() -> None:
    admin = "postgresql+asyncpg://bench:p%40ss@db.example:5433/postgres?ssl=require"
    assert database_url(admin, "arena_bench_ab12") == \
        "postgresql+asyncpg://bench:p%40ss@db.example:5433/arena_bench_ab12?ssl=require"


def test_without_postgresql_the_default_run_is_sqlite_with_a_note_but_an_explicit_one_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "postgres_version", lambda url: None)
    setup = discover(None, PG_ADMIN_URL, None)
    assert setup.backends == [SQLITE] and setup.redis_url is None
    assert "PostgreSQL does not answer" in setup.notes[0] and "SQLite only" in setup.notes[0]
    with pytest.raises(RuntimeError, match="PostgreSQL does not answer"):
        discover([SQLITE, POSTGRESQL], PG_ADMIN_URL, None)
    assert discover([SQLITE], PG_ADMIN_URL, None) == Setup(backends=[SQLITE])  # not even probed


def test_pg_sessions_go_to_redis_when_it_answers_and_none_turns_that_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "postgres_version", lambda url: "15.20")
    asked: list[str] = []
    monkeypatch.setattr(backends, "redis_answers", lambda url: asked.append(url) or url.endswith("/0"))
    assert discover(None, PG_ADMIN_URL, None).redis_url == "redis://127.0.0.1:6379/0"
    assert discover(None, PG_ADMIN_URL, "redis://cache:6379/0").redis_url == "redis://cache:6379/0"
    assert discover(None, PG_ADMIN_URL, "none").redis_url is None and len(asked) == 2
    monkeypatch.setattr(backends, "redis_answers", lambda url: False)
    quiet = discover(None, PG_ADMIN_URL, None)
    assert quiet.redis_url is None and "Redis does not answer" in quiet.notes[0]
    assert "sessions in the database" in quiet.describe(POSTGRESQL)
    with pytest.raises(RuntimeError, match="Redis does not answer at redis://cache:6379/0"):
        discover(None, PG_ADMIN_URL, "redis://cache:6379/0")


def test_a_non_asyncpg_admin_url_is_refused() -> None:
    with pytest.raises(RuntimeError, match="postgresql\\+asyncpg"):
        discover(None, "postgresql://postgres@127.0.0.1/postgres", None)


# --- PostgreSQL's throwaway databases ---------------------------------------------------------

@needs_pg
def test_bench_database_and_its_redis_keys_are_removed_even_when_the_run_is_interrupted(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ctrl-C while `arena demo` loads: the database, the Redis keys under its name and the
    temporary files are gone all the same."""
    from redis import Redis

    if not redis_answers(REDIS_URL):
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    monkeypatch.setattr(runner.tempfile, "tempdir", str(tmp_path))
    messages: list[str] = []

    def interrupted(env: dict[str, str], log: Path, *args: str, timeout: float = 600) -> None:
        name = env["ARENA_DATABASE_URL"].rsplit("/", 1)[1]
        assert env["ARENA_BENCH_DATABASE_URL"] == env["ARENA_DATABASE_URL"]  # the baseline reads it too
        assert env["ARENA_REDIS_URL"] == REDIS_URL and env["ARENA_REDIS_PREFIX"] == name
        assert int(env["ARENA_LOGIN_RATE_LIMIT"]) >= 10_000  # 16 users per page log in from one address
        assert database_exists(name)
        with Redis.from_url(REDIS_URL) as redis:
            redis.set(f"{name}:session:abc", "1", ex=60)
        if args[0] == "demo":
            raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_arena", interrupted)
    options = parse_options(["--scale", "1", "--pages", "login", "--pg", PG_ADMIN_URL])
    setup = Setup(backends=[POSTGRESQL], pg_version="15", redis_url=REDIS_URL)
    with pytest.raises(KeyboardInterrupt):
        runner.bench_all(options, setup, messages.append)
    created = re.search(r"created PostgreSQL database (arena_bench_[0-9a-f]{8})", "\n".join(messages))
    assert created and not database_exists(created.group(1))
    assert f"… dropped PostgreSQL database {created.group(1)}" in messages
    with Redis.from_url(REDIS_URL) as redis:
        assert list(redis.scan_iter(match=f"{created.group(1)}:*")) == []
    assert list(tmp_path.iterdir()) == []


@needs_pg
def test_each_bench_database_gets_its_own_random_name() -> None:
    with postgres_database(PG_ADMIN_URL, lambda message: None) as first, \
            postgres_database(PG_ADMIN_URL, lambda message: None) as second:
        assert first != second and re.search(r"/arena_bench_[0-9a-f]{8}$", first)
    assert not database_exists(first.rsplit("/", 1)[1])


# --- end to end -------------------------------------------------------------------------------

@pytest.mark.slow  # ~35 s per backend on 2 idle cores, most of it `arena demo`
def test_quick_bench_run_prints_both_backends_exits_0_and_leaves_no_files_or_databases(tmp_path: Path) -> None:
    """A real run, kept short: one scale, one page, half a second each. Most of its time is
    `arena demo` loading the data (once per backend); PostgreSQL joins in when it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")} | {
        "TMPDIR": str(tmp_path), "ARENA_BENCH_PG": PG_ADMIN_URL}
    chosen = "sqlite,postgresql" if PG_AVAILABLE else "sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "arena.bench", "--scale", "1", "--pages", "login", "--duration", "0.5",
         "--warmup", "0.2", "--concurrency", "4", "--backends", chosen, "--pdfs", "4"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("page"))
    assert lines[header - 1].startswith("1× data (arena demo --scale 1 took SQLite")
    assert cells(lines[header + 1])[0] == ["baseline"] and cells(lines[header + 3])[0] == ["baseline-after"]
    login = cells(lines[header + 2])
    assert login[0] == ["login"] and len(login) == (3 if PG_AVAILABLE else 2)
    for figures in login[1:]:
        assert float(figures[0]) > 0 and figures[-1] == "0"  # requests answered, no errors
    assert ("  load: wrk " if WRK else "  load: the Python client") in lines[1]  # wrk when installed
    rss = [line for line in lines if "worker RSS after the bench: " in line]
    assert len(rss) == (2 if PG_AVAILABLE else 1)
    assert all(re.search(r": \d+ MB, \d+ MB; after 4 PDFs \(\d+ s\): \d+ MB, \d+ MB \(limit 250 MB each", line)
               for line in rss)  # two workers, read after the pages and after the PDFs
    assert list(tmp_path.iterdir()) == []  # the SQLite database and the logs are gone
    if PG_AVAILABLE:
        created = re.search(r"created PostgreSQL database (arena_bench_[0-9a-f]{8})", done.stderr)
        assert created and not database_exists(created.group(1))


def test_exit_status_is_non_zero_only_when_a_page_answered_non_2xx(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(runner, "discover", lambda backends, url, redis: Setup(backends=[SQLITE, POSTGRESQL],
                                                                                pg_version="15.20"))
    monkeypatch.setattr(wrk, "ensure", lambda report: "/usr/bin/wrk")  # never installs anything here
    monkeypatch.setattr(wrk, "version", lambda path: "wrk 4.1.0")
    outcomes = {"slow but fine": measured(*[500] * 10), "broken": measured(*[5] * 10, errors=3)}
    for name, result in outcomes.items():
        def fake(options: object, setup: Setup, report: object, r: Measurement = result) -> list[Run]:
            return [Run(backend, 1, [Row(LOGIN, r if backend == POSTGRESQL else measured(*[5] * 500))])
                    for backend in setup.backends]

        monkeypatch.setattr(runner, "bench_all", fake)
        status = runner.main(["--scale", "1", "--pages", "login"])
        out = capsys.readouterr().out
        assert "PG: PostgreSQL 15.20" in out and "load: wrk 4.1.0 (2 threads, 16 connections" in out
        if name == "broken":
            assert status == 1 and "errors on login at 1× (PG): 3, first: GET / answered 500" in out
        else:
            assert status == 0 and "SQLite: all pages meet it; PG: 0 of 1 meet it" in out


def test_memory_is_printed_per_server_and_a_failed_pdf_makes_the_exit_status_1(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(runner, "discover", lambda backends, url, redis: Setup(backends=[SQLITE]))
    monkeypatch.setattr(wrk, "ensure", lambda report: None)
    for errors in (0, 2):
        found = Memory(after_bench=[180_000_000, 170_000_000], after_pdfs=[200_000_000, 190_000_000], pdfs=100,
                       pdf_errors=errors, first_pdf_error="/results/3/notice.pdf answered 500" if errors else None)
        monkeypatch.setattr(runner, "bench_all", lambda options, setup, report, m=found: [
            Run(SQLITE, 1, [Row(LOGIN, measured(*[5] * 500))], memory=m)])
        status = runner.main(["--scale", "1", "--pages", "login"])
        out = capsys.readouterr().out
        assert ("  SQLite 1×: worker RSS after the bench: 180 MB, 170 MB; after 100 PDFs (0 s): 200 MB, 190 MB "
                "(limit 250 MB each: within)") in out.splitlines()
        assert status == (1 if errors else 0)
        assert ("errors on the PDFs at 1× (SQLite): 2, first: /results/3/notice.pdf answered 500" in out) == bool(errors)


def test_each_page_is_measured_on_every_scale_in_turn_once_all_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """1× and 100× of one page are measured back to back (in turns with --rounds), not minutes
    apart: a shared machine that slows down between them must not look like a page that slows
    down with the data."""
    import contextlib

    events: list[str] = []

    @contextlib.contextmanager
    def prepared(scale: int, backend: str, options: object, setup: object, report: object):
        events.append(f"serve {backend} {scale}")
        yield runner.Served(Run(backend, scale), scale, -scale)  # no process: no memory to read
        events.append(f"stop {backend} {scale}")

    async def measure(page: Page, port: int, options: object, window: machine.Window) -> Measurement:
        events.append(f"{page.name} on {port}")
        with window():  # the machine read around the measured run
            return measured(5)

    monkeypatch.setattr(runner, "prepared", prepared)
    monkeypatch.setattr(runner, "measure", measure)
    options = parse_options(["--scale", "1", "--scale", "100", "--pages", "login", "--rounds", "2"])
    runs = runner.bench_all(options, Setup(backends=[SQLITE]), lambda message: None)
    assert events == ["serve sqlite 1", "serve sqlite 100", *["baseline on -1", "baseline on -100"] * 2,
                      *["login on 1", "login on 100"] * 2, *["baseline-after on -1", "baseline-after on -100"] * 2,
                      "stop sqlite 100", "stop sqlite 1"]
    assert [(run.scale, [row.page.name for row in run.rows]) for run in runs] == [
        (1, ["baseline", "login", "baseline-after"]), (100, ["baseline", "login", "baseline-after"])]
    assert all(run.memory is None for run in runs)
    first = runs[0].rows[1].result
    assert first is not None and len(first.latencies) == 2 and first.elapsed == 2.0  # the turns add up
    assert len(runs[0].rows[1].turn_usage) == 2 and all(runs[0].rows[1].turn_usage)  # each turn's machine


def test_a_failed_setup_exits_2_with_the_reason(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(backends, "postgres_version", lambda url: None)
    assert runner.main(["--scale", "1", "--pages", "login", "--backends", "postgresql"]) == 2
    assert "bench failed: PostgreSQL does not answer" in capsys.readouterr().err


def test_a_slow_turn_names_who_used_the_cores_then_and_in_the_calmest_turn() -> None:
    busy = machine.Usage(3.0, {"measured server": 0.9, "beam.smp": 0.8, "postgres": 0.2, "wrk": 0.001,
                               "idle": 0.0, "iowait": 0.0, "steal": 0.1})
    calm = machine.Usage(3.0, {"measured server": 1.5, "postgres": 0.3, "idle": 0.1, "iowait": 0.0, "steal": 0.0})
    row = Row(LOGIN, measured(*[10] * 300), (40.0, 230.0, 60.0), (calm, busy, None))
    lines = floor_lines([Run(POSTGRESQL, 1, [Row(BASELINE, measured(*[5] * 1000)), row])])
    assert lines[2] == ("  PG login@1× turn 2: p99 230 ms; cores used then: measured server 0.90, beam.smp 0.80, "
                        "postgres 0.20; idle 0.00, iowait 0.00, steal 0.10 (cores); in turn 1 (p99 40 ms): "
                        "measured server 1.50, postgres 0.30; idle 0.10, iowait 0.00, steal 0.00 (cores)")


def _process(ticks: int, parent: int = 1, started: int = 1, name: str = "python") -> machine.Process:
    return machine.Process(ticks=ticks, parent=parent, started=started, name=name)


def test_machine_usage_groups_the_measured_server_the_others_and_the_rest_by_name() -> None:
    hz = machine.HZ
    before = machine.Snapshot(at=0.0, machine={"busy": 0, "idle": 0, "iowait": 0, "steal": 0}, processes={
        100: _process(0), 101: _process(0, parent=100), 200: _process(0), 201: _process(0, parent=200),
        300: _process(0, name="postgres"), 400: _process(5 * hz, started=1), 500: _process(0, name="gone")})
    after = machine.Snapshot(at=2.0, machine={"busy": 8 * hz, "idle": hz, "iowait": 0, "steal": hz // 2}, processes={
        100: _process(hz // 10), 101: _process(2 * hz, parent=100),  # the measured server and its worker
        102: _process(hz // 2, parent=101),  # a child the worker started during the window
        200: _process(0), 201: _process(hz // 5, parent=200),  # another server
        300: _process(hz, name="postgres"),
        400: _process(hz, started=99),  # the pid was used again by a new process: all of its time counts
        600: _process(hz, name="postgres autovacuum")})
    used = machine.usage(before, after, 100, {100, 200}).cores
    assert used["measured server"] == pytest.approx(1.3)  # (0.1 + 2 + 0.5) s over 2 s
    assert used["other servers"] == pytest.approx(0.1)
    assert used["postgres"] == pytest.approx(0.5) and used["postgres autovacuum"] == pytest.approx(0.5)
    assert used["python"] == pytest.approx(0.5)  # pid 400's new process
    # 8 s busy, 5.8 s of it by the processes still running: the rest ended or was the kernel's
    assert used["ended processes, interrupts"] == pytest.approx(1.1)
    assert (used["idle"], used["steal"]) == (pytest.approx(0.5), pytest.approx(0.25))


def test_machine_snapshot_reads_this_process_and_a_window_measures_around_its_block() -> None:
    found = machine.snapshot()
    assert os.getpid() in found.processes and found.machine["busy"] > 0
    window = machine.Window(measured=None, servers=set())
    with window():
        sum(i * i for i in range(2_000_000))
    assert window.usage is not None and window.usage.cores["bench"] > 0


def test_a_window_reads_the_stalls_the_measured_server_logged_during_it(tmp_path: Path) -> None:
    log = tmp_path / "bench.log"
    log.write_text('{"message": "event loop stalled for stall_ms 90", "stall_ms": 90}\n')  # before the window
    window = machine.Window(measured=None, servers=set(), log=log)
    with window(), log.open("a") as out:
        out.write('{"message": "GET /challenges 200"}\n'
                  '{"message": "event loop stalled for stall_ms 180", "stall_ms": 180, "on_cpu_ms": 12,'
                  ' "runnable_ms": 170}\n'
                  '{"message": "event loop stalled for stall_ms 60", "stall_ms": 60}\n')
    assert window.usage is not None
    assert window.usage.stalls == (machine.Stall(180, 12, 170), machine.Stall(60))
    assert window.usage.line().endswith(
        "; event loop stalled 2×, longest 180 ms (on a CPU 12 ms, waiting for one 170 ms)")
