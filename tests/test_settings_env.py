"""Every setting is read through Settings (issue 23 §5): nothing else in src/ reads ARENA_*
from the environment, and the two that used to (the active-bid cap, the worker interval) parse
like the rest."""

from __future__ import annotations

import re

import pytest

from arena import PROJECT_ROOT
from arena.settings import ConfigurationError, Settings

# Not settings of the application: test fault points, the bench's own options (and the
# environment it hands to apt-get when it installs wrk) and the metrics directory handed from
# `arena serve` to its worker processes.
READERS_ALLOWED = {"settings.py", "faults.py", "bench/runner.py", "bench/baseline.py", "bench/wrk.py",
                   "observe/metrics.py", "ops/database.py", "cli.py"}


def test_only_settings_reads_the_environment():
    src = PROJECT_ROOT / "src" / "arena"
    readers = {str(path.relative_to(src)) for path in src.rglob("*.py")
               if re.search(r"os\.environ|getenv", path.read_text())}
    assert readers <= READERS_ALLOWED, readers - READERS_ALLOWED
    cli = (src / "cli.py").read_text()
    assert not re.search(r"os\.environ(\.get)?\(\s*\"ARENA_(?!METRICS)", cli)  # cli only hands on the metrics dir


def test_the_active_bid_cap_and_worker_interval_come_from_the_environment(tmp_path):
    env = {"ARENA_VAR_DIR": str(tmp_path)}
    assert (Settings.from_env(env).active_bid_cap, Settings.from_env(env).worker_interval) == (2, 30)
    chosen = Settings.from_env(env | {"ARENA_ACTIVE_BID_CAP": "3", "ARENA_WORKER_INTERVAL": "5"})
    assert (chosen.active_bid_cap, chosen.worker_interval) == (3, 5)


@pytest.mark.parametrize("name", ["ARENA_ACTIVE_BID_CAP", "ARENA_WORKER_INTERVAL"])
@pytest.mark.parametrize("raw", ["two", "0", "-1"])
def test_a_bad_value_stops_the_start_with_its_name(tmp_path, name, raw):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({"ARENA_VAR_DIR": str(tmp_path), name: raw})


def test_event_loop_stalls_are_logged_from_200_ms_in_production_and_not_watched_in_development(tmp_path):
    env = {"ARENA_VAR_DIR": str(tmp_path)}
    production = env | {"ARENA_ENV": "production", "ARENA_SECRET_KEY": "s" * 40, "ARENA_AUDIT_SIGNING_KEY": "ab" * 32,
                        "ARENA_DATABASE_URL": "sqlite+aiosqlite:///x.db", "ARENA_PUBLIC_URL": "https://arena.example",
                        "ARENA_FILES_DIR": str(tmp_path)}
    assert (Settings.from_env(env).stall_log_ms, Settings.from_env(production).stall_log_ms) == (0, 200)
    assert Settings.from_env(production | {"ARENA_STALL_LOG_MS": "0"}).stall_log_ms == 0  # 0: off
    assert Settings.from_env(env | {"ARENA_STALL_LOG_MS": "50"}).stall_log_ms == 50
    for raw in ("-1", "fast", ""):
        with pytest.raises(ConfigurationError, match="ARENA_STALL_LOG_MS"):
            Settings.from_env(env | {"ARENA_STALL_LOG_MS": raw})
