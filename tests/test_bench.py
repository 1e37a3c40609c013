"""scripts/bench (arena.bench): options, the tables' arithmetic, PostgreSQL's throwaway databases,
and a quick real run end to end. Timings are never asserted: the machine may be shared."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from arena import PROJECT_ROOT
from arena.bench import backends, runner
from arena.bench.backends import (
    POSTGRESQL,
    SQLITE,
    Setup,
    database_url,
    discover,
    postgres_database,
    redis_answers,
)
from arena.bench.load import Measurement
from arena.bench.runner import PAGES, Page, Row, Run, parse_options, scale_comparison, table, target_line
from tests.conftest import PG_ADMIN_URL, PG_AVAILABLE

BASELINE, LOGIN, CHALLENGES = PAGES[0], Page("login", "/login"), Page("challenges", "/challenges")
REDIS_URL = os.environ.get("ARENA_TEST_REDIS", "redis://127.0.0.1:6379/15")
needs_pg = pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")


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

def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    result = measured(*range(1, 101))
    assert result.percentile(0.5) == pytest.approx(50)
    assert result.percentile(0.99) == pytest.approx(99)
    assert measured(7).percentile(0.99) == pytest.approx(7)
    assert Measurement().percentile(0.5) == 0


def test_requests_per_second_counts_the_measured_window() -> None:
    assert measured(*[5] * 300, elapsed=2.0).requests_per_second == 150


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


# --- options ----------------------------------------------------------------------------------

def test_options_always_measure_the_baseline_and_refuse_unknown_pages(capsys: pytest.CaptureFixture[str]) -> None:
    options = parse_options(["--pages", "login", "--scale", "1"])
    assert [p.name for p in options.pages] == ["baseline", "login"] and options.scales == [1]
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
         "--warmup", "0.2", "--concurrency", "4", "--backends", chosen],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("page"))
    assert lines[header - 1].startswith("1× data (arena demo --scale 1 took SQLite")
    assert cells(lines[header + 1])[0] == ["baseline"]
    login = cells(lines[header + 2])
    assert login[0] == ["login"] and len(login) == (3 if PG_AVAILABLE else 2)
    for figures in login[1:]:
        assert float(figures[0]) > 0 and figures[-1] == "0"  # requests answered, no errors
    assert list(tmp_path.iterdir()) == []  # the SQLite database and the logs are gone
    if PG_AVAILABLE:
        created = re.search(r"created PostgreSQL database (arena_bench_[0-9a-f]{8})", done.stderr)
        assert created and not database_exists(created.group(1))


def test_exit_status_is_non_zero_only_when_a_page_answered_non_2xx(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(runner, "discover", lambda backends, url, redis: Setup(backends=[SQLITE, POSTGRESQL],
                                                                                pg_version="15.20"))
    outcomes = {"slow but fine": measured(*[500] * 10), "broken": measured(*[5] * 10, errors=3)}
    for name, result in outcomes.items():
        def fake(options: object, setup: Setup, report: object, r: Measurement = result) -> list[Run]:
            return [Run(backend, 1, [Row(LOGIN, r if backend == POSTGRESQL else measured(*[5] * 500))])
                    for backend in setup.backends]

        monkeypatch.setattr(runner, "bench_all", fake)
        status = runner.main(["--scale", "1", "--pages", "login"])
        out = capsys.readouterr().out
        assert "PG: PostgreSQL 15.20" in out
        if name == "broken":
            assert status == 1 and "errors on login at 1× (PG): 3, first: GET / answered 500" in out
        else:
            assert status == 0 and "SQLite: all pages meet it; PG: 0 of 1 meet it" in out


def test_each_page_is_measured_on_every_scale_in_turn_once_all_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """1× and 100× of one page are measured back to back (in turns with --rounds), not minutes
    apart: a shared machine that slows down between them must not look like a page that slows
    down with the data."""
    import contextlib

    events: list[str] = []

    @contextlib.contextmanager
    def prepared(scale: int, backend: str, options: object, setup: object, report: object):
        events.append(f"serve {backend} {scale}")
        yield Run(backend, scale), scale, -scale
        events.append(f"stop {backend} {scale}")

    async def measure(page: Page, port: int, options: object) -> Measurement:
        events.append(f"{page.name} on {port}")
        return measured(5)

    monkeypatch.setattr(runner, "prepared", prepared)
    monkeypatch.setattr(runner, "measure", measure)
    options = parse_options(["--scale", "1", "--scale", "100", "--pages", "login", "--rounds", "2"])
    runs = runner.bench_all(options, Setup(backends=[SQLITE]), lambda message: None)
    assert events == ["serve sqlite 1", "serve sqlite 100", *["baseline on -1", "baseline on -100"] * 2,
                      *["login on 1", "login on 100"] * 2, "stop sqlite 100", "stop sqlite 1"]
    assert [(run.scale, [row.page.name for row in run.rows]) for run in runs] == [
        (1, ["baseline", "login"]), (100, ["baseline", "login"])]
    first = runs[0].rows[1].result
    assert first is not None and len(first.latencies) == 2 and first.elapsed == 2.0  # the turns add up


def test_a_failed_setup_exits_2_with_the_reason(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(backends, "postgres_version", lambda url: None)
    assert runner.main(["--scale", "1", "--pages", "login", "--backends", "postgresql"]) == 2
    assert "bench failed: PostgreSQL does not answer" in capsys.readouterr().err
