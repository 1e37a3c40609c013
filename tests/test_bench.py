"""scripts/bench (arena.bench): the table's arithmetic, and a quick real run end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from arena import PROJECT_ROOT
from arena.bench.load import Measurement
from arena.bench.runner import PAGES, Page, Row, parse_options, scale_comparison, table, target_line


def measured(*latencies_ms: float, elapsed: float = 1.0, errors: int = 0) -> Measurement:
    result = Measurement(latencies=[ms / 1000 for ms in latencies_ms], elapsed=elapsed)
    for _ in range(errors):
        result.error("GET / answered 500")
    return result


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    result = measured(*range(1, 101))
    assert result.percentile(0.5) == pytest.approx(50)
    assert result.percentile(0.99) == pytest.approx(99)
    assert measured(7).percentile(0.99) == pytest.approx(7)
    assert Measurement().percentile(0.5) == 0


def test_requests_per_second_counts_the_measured_window() -> None:
    assert measured(*[5] * 300, elapsed=2.0).requests_per_second == 150


def test_table_gives_the_ratio_to_the_baseline_and_marks_missing_pages() -> None:
    baseline, login = PAGES[0], Page("login", "/login")
    rows = [Row(baseline, 1, measured(*[5] * 1000)), Row(login, 1, measured(*[10] * 500, errors=2)),
            Row(Page("challenges", "/challenges"), 1, None)]
    lines = table(rows)
    assert lines[0].split() == ["page", "scale", "req/s", "p50", "ms", "p99", "ms", "×baseline", "errors"]
    assert lines[1].split() == ["baseline", "1×", "1000", "5.0", "5.0", "1.00", "0"]
    assert lines[2].split() == ["login", "1×", "500", "10.0", "10.0", "0.50", "2"]
    assert "missing" in lines[3] and "404" in lines[3]


def test_scale_comparison_and_target_lines() -> None:
    login = Page("login", "/login")
    rows = [Row(login, 1, measured(*[10] * 500)), Row(login, 10, measured(*[12] * 500))]
    assert scale_comparison(rows) == "latency 10× vs 1× data (p50/p99 ratio, 1.00 = flat): login 1.20/1.20"
    assert scale_comparison(rows[:1]) is None
    assert target_line(rows).endswith("all pages meet it")
    slow = [Row(login, 1, measured(*[150] * 100))]
    assert target_line(slow).endswith("below it: login@1×")


def test_options_always_measure_the_baseline_and_refuse_unknown_pages(capsys: pytest.CaptureFixture[str]) -> None:
    options = parse_options(["--pages", "login", "--scale", "1"])
    assert [p.name for p in options.pages] == ["baseline", "login"] and options.scales == [1]
    with pytest.raises(SystemExit):
        parse_options(["--pages", "nope"])
    assert "unknown page" in capsys.readouterr().err


def test_quick_bench_run_prints_the_table_exits_0_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """A real run, kept short: one scale, one page, half a second each (about 10 s in all)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "arena.bench", "--scale", "1", "--pages", "login", "--duration", "0.5",
         "--warmup", "0.2", "--concurrency", "4"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("page"))
    assert lines[header + 1].split()[:2] == ["baseline", "1×"]
    login = lines[header + 2].split()
    assert login[:2] == ["login", "1×"] and float(login[2]) > 0 and login[-1] == "0"
    assert list(tmp_path.iterdir()) == []  # the database and logs are gone


def test_exit_status_is_non_zero_only_when_a_page_answered_non_2xx(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from arena.bench import runner

    login = Page("login", "/login")
    outcomes = {"slow but fine": measured(*[500] * 10), "broken": measured(*[5] * 10, errors=3)}
    for name, result in outcomes.items():
        monkeypatch.setattr(runner, "bench_scale", lambda scale, options, report, r=result: [Row(login, scale, r)])
        status = runner.main(["--scale", "1", "--pages", "login"])
        out = capsys.readouterr().out
        if name == "broken":
            assert status == 1 and "errors on login at 1×: 3, first: GET / answered 500" in out
        else:
            assert status == 0 and "below it: login@1×" in out
