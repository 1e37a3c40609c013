"""The `arena` command as an operator uses it: subprocesses against a real database file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def arena(tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ARENA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
               "ARENA_VAR_DIR": str(tmp_path / "var"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], input=stdin, capture_output=True, text=True,
                          env=environ, timeout=180)


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    result = arena(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return tmp_path


@pytest.fixture
def demo_loaded(tmp_path: Path, demo_template: Path) -> Path:
    """The demo as `arena demo` leaves it (loaded once per test process; `arena demo` itself is
    run by the test that checks the command)."""
    shutil.copyfile(demo_template, tmp_path / "cli.db")
    return tmp_path


def test_help_is_in_chinese_and_english(tmp_path):
    result = arena(tmp_path, "--help")
    assert result.returncode == 0
    assert "命令行" in result.stdout and "command line" in result.stdout


def test_operator_creates_the_first_admin_with_password_from_stdin(migrated):
    result = arena(migrated, "user", "create", "root", "--role", "admin", "--name", "管理员", "--password-stdin",
                   stdin="a-long-secret\n")
    assert result.returncode == 0, result.stderr
    assert "已创建账号 root" in result.stdout
    again = arena(migrated, "user", "create", "root", "--role", "admin", "--name", "管理员", "--password-stdin",
                  stdin="a-long-secret\n")
    assert again.returncode != 0
    assert "已被使用" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_short_password_is_refused_in_one_line(migrated):
    result = arena(migrated, "user", "create", "x1", "--role", "cadre", "--name", "某人", "--password-stdin",
                   stdin="short\n")
    assert result.returncode != 0
    assert "密码至少 8 个字符" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_verify_reports_an_intact_chain_and_demo_refuses_a_second_load(migrated):
    assert arena(migrated, "demo").returncode == 0
    verify = arena(migrated, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert "哈希链完整" in verify.stdout
    second = arena(migrated, "demo")
    assert second.returncode != 0 and "Traceback" not in second.stderr
    kept = arena(migrated, "demo", "--if-empty")
    assert kept.returncode == 0 and "admin" in kept.stdout


def test_audit_verify_fails_with_the_broken_link(demo_loaded):
    import sqlite3

    conn = sqlite3.connect(demo_loaded / "cli.db")
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET actor_name = 'forged' WHERE seq = 7")
    conn.commit()
    conn.close()
    result = arena(demo_loaded, "audit", "verify")
    assert result.returncode != 0
    assert "第 7 号事件" in result.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = arena(tmp_path, "db", "upgrade", env={"ARENA_ENV": "production", "ARENA_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "ARENA_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path):
    result = arena(tmp_path, "audit", "verify",
                   env={"ARENA_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_account_can_be_created_with_an_email_address(migrated):
    import sqlite3

    bad = arena(migrated, "user", "create", "m1", "--role", "cadre", "--name", "某人", "--email", "nope")
    assert bad.returncode != 0 and "邮箱格式不正确" in bad.stderr and "Traceback" not in bad.stderr
    ok = arena(migrated, "user", "create", "m2", "--role", "cadre", "--name", "某人", "--email", "m2@example.org")
    assert ok.returncode == 0, ok.stderr
    with sqlite3.connect(migrated / "cli.db") as conn:
        assert conn.execute("SELECT email FROM user_account WHERE username = 'm2'").fetchone() == ("m2@example.org",)


def test_draw_and_results_verify_recompute_and_fail_on_any_change(demo_loaded):
    import sqlite3

    draw = arena(demo_loaded, "draw", "verify", "11")  # the demo's closed review
    assert draw.returncode == 0 and "抽取核验通过" in draw.stdout, draw.stderr
    results = arena(demo_loaded, "results", "verify", "11")
    assert results.returncode == 0 and "评审结果核验通过" in results.stdout, results.stderr
    frozen = sqlite3.connect(demo_loaded / "cli.db").execute("SELECT sha256 FROM review_result").fetchone()[0]
    assert frozen in results.stdout
    none = arena(demo_loaded, "results", "verify", "13")  # in review, nothing frozen yet
    assert none.returncode != 0 and "没有冻结的评审结果" in none.stderr and "Traceback" not in none.stderr

    conn = sqlite3.connect(demo_loaded / "cli.db")
    conn.execute("UPDATE score SET value = value + 1 WHERE id = (SELECT min(id) FROM score)")
    conn.execute("UPDATE panel SET candidates = replace(candidates, 'ZJ0001', 'ZJ0099') WHERE challenge_id = 11")
    conn.commit()
    changed = arena(demo_loaded, "results", "verify", "11")
    assert changed.returncode == 1 and "不一致" in changed.stderr
    forged = arena(demo_loaded, "draw", "verify", "11")
    assert forged.returncode == 1 and "panel" in forged.stderr
    conn.execute("UPDATE draw_commitment SET beacon = '01 02 03 04 05 06 + 07' WHERE panel_id = "
                 "(SELECT id FROM panel WHERE challenge_id = 11 AND purpose = 'bid')")
    conn.commit()
    conn.close()
    other_beacon = arena(demo_loaded, "draw", "verify", "11")
    assert other_beacon.returncode == 1 and "result" in other_beacon.stderr


def test_every_demo_draw_verifies_by_the_beacon_method(demo_loaded):
    """`arena draw verify` on each drawn panel of the demo, bid review and acceptance alike."""
    import sqlite3

    with sqlite3.connect(demo_loaded / "cli.db") as conn:
        panels = conn.execute("SELECT challenge_id, purpose FROM panel WHERE drawn_at IS NOT NULL").fetchall()
        methods = {m for (m,) in conn.execute("SELECT DISTINCT method FROM draw_commitment")}
    assert panels and methods == {"beacon"}
    for challenge_id, purpose in panels:
        flags = ["--acceptance"] if purpose == "acceptance" else []
        checked = arena(demo_loaded, "draw", "verify", str(challenge_id), *flags)
        assert checked.returncode == 0 and "抽取核验通过" in checked.stdout and "开奖结果" in checked.stdout, \
            (challenge_id, purpose, checked.stdout, checked.stderr)


def test_the_profiler_times_a_bench_page_and_names_where_its_time_goes(demo_loaded, monkeypatch, capsys):
    from arena.bench import profile

    monkeypatch.setenv("ARENA_DATABASE_URL", f"sqlite+aiosqlite:///{demo_loaded / 'cli.db'}")
    monkeypatch.setenv("ARENA_VAR_DIR", str(demo_loaded / "var"))
    monkeypatch.setenv("ARENA_ENV", "development")
    monkeypatch.setenv("ARENA_DEMO_PASSWORD", "arena-demo")
    profile.main(["bid-review", "--requests", "3", "--top", "5"])
    printed = capsys.readouterr().out
    assert printed.startswith("bid-review: /bids/") and "/review, " in printed and "ms per request" in printed
    assert "Ordered by: internal time" in printed and "Ordered by: cumulative time" in printed
    assert "kept pages reused" in printed
    profile.main(["bid-review", "--requests", "3", "--top", "5", "--cold"])
    cold = capsys.readouterr().out
    assert "rendered every time" in cold
    with pytest.raises(SystemExit):
        profile.main(["no-such-page"])
