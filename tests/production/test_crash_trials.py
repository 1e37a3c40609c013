"""kill -9, two dozen times (ARENA_CRASH_TRIALS=200 for a soak): an app process in the middle
of saving drafts and the worker in the middle of a reminder pass, both at a random moment (often inside their transactions, which
the fault points hold open for a random while). After every kill nothing is half-written —
each committed save has its audit event and its revision, each claimed reminder its
notification, the audit chain verifies — and the next start carries on from there.

Trials alternate between SQLite (the journal keeps the file whole) and PostgreSQL (an open
transaction of a dead client is rolled back) when PostgreSQL is reachable."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from arena.ops.copy import copy_database
from tests.conftest import PG_AVAILABLE, pg_admin, pg_url
from tests.production.cluster import Cluster, Node, form_fields
from tests.production.test_cluster import DEMO_BID, chain_report, login, sql

TRIALS = int(os.environ.get("ARENA_CRASH_TRIALS", "24"))  # ARENA_CRASH_TRIALS=200 for a long soak
FAULTS = "bid.save:0-0.6,reminders.sent:0.8-1.6"


@dataclass
class Tally:
    trials: int = 0
    app_mid_transaction: int = 0
    worker_mid_transaction: int = 0


def _paused_at_kill(node: Node) -> bool:
    """Did the process die between a fault pause and its resume (inside the transaction)?"""
    lines = [line for line in node.log.read_text(errors="replace").splitlines() if "fault " in line]
    return bool(lines) and "fault pause" in lines[-1]


def _reset_reminders(url: str) -> None:
    """Give the worker the same work again: forget what was reminded (and its notifications)."""
    sql(url, "DELETE FROM notification WHERE kind IN (SELECT DISTINCT rule FROM sent_reminder)")
    sql(url, "DELETE FROM sent_reminder")


def _saves(url: str) -> tuple[int, int]:
    """(the draft's revision, its bid.save audit events)."""
    revision = sql(url, "SELECT revision FROM bid WHERE id = :id", id=DEMO_BID)[0][0]
    saves = sql(url, "SELECT count(*) FROM audit_event WHERE action = 'bid.save' AND object_id = :id",
                id=str(DEMO_BID))[0][0]
    return revision, saves


def _consistent(url: str, before: tuple[int, int]) -> None:
    revision, saves = _saves(url)
    assert revision - before[0] == saves - before[1]  # every committed save has its event, and only those
    orphans = sql(url, """
        SELECT s.rule, s.recipient_id FROM sent_reminder s
        LEFT JOIN notification n ON n.kind = s.rule AND n.recipient_id = s.recipient_id
        WHERE n.id IS NULL""")
    assert orphans == []  # a claimed reminder always has its notification
    untracked = sql(url, """
        SELECT n.id FROM notification n
        WHERE n.kind IN ('bid.window_closing', 'bid.team_pending', 'milestone.overdue', 'publicity.ended')
        AND NOT EXISTS (SELECT 1 FROM sent_reminder s WHERE s.rule = n.kind AND s.recipient_id = n.recipient_id)""")
    assert untracked == []  # and a reminder notification its claim
    assert sql(url, "SELECT prev_hash FROM audit_event GROUP BY prev_hash HAVING count(*) > 1") == []
    report = chain_report(url)
    assert report.ok, report.broken


def _saving(node: Node, cookies: httpx.Cookies, stop_at: float) -> None:
    with httpx.Client(base_url=node.url, cookies=cookies, timeout=10) as client:
        while time.monotonic() < stop_at:
            try:
                page = client.get(f"/bids/{DEMO_BID}").text
                fields = form_fields(page, f"/bids/{DEMO_BID}")
                client.post(f"/bids/{DEMO_BID}", data=fields | {"plan": fields["plan"][:2000] + "。"})
            except (httpx.HTTPError, AssertionError):
                return  # the server was killed under us


def _trial(cluster: Cluster, url: str, cookies: httpx.Cookies, tally: Tally, rng: random.Random) -> None:
    cluster.database_url = url
    _reset_reminders(url)
    before = _saves(url)
    # Both start together; the worker's pass is slow on purpose (its fault point pauses a second
    # or so after each reminder), so it is still going when the app is ready and busy saving.
    worker = cluster.worker(f"worker-{tally.trials}", interval=0.05, ARENA_FAULT_PAUSE=FAULTS)
    app = cluster.serve(f"app-{tally.trials}", ARENA_FAULT_PAUSE=FAULTS)
    with ThreadPoolExecutor(1) as pool:  # one saver: racing ones would mostly be refused as stale
        pool.submit(_saving, app, cookies, time.monotonic() + 30)
        deadline = time.monotonic() + 20
        while "fault pause" not in worker.log.read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.6, 1.6))  # a random moment, while both are at work
        app.kill(signal.SIGKILL)
        worker.kill(signal.SIGKILL)
    cluster.nodes.clear()
    tally.app_mid_transaction += _paused_at_kill(app)
    tally.worker_mid_transaction += _paused_at_kill(worker)
    _consistent(url, before)
    tally.trials += 1


@pytest.fixture
def installations(tmp_path: Path, demo_template: Path):
    """The demo on SQLite, and the same data on PostgreSQL when it is reachable."""
    shutil.copy(demo_template, tmp_path / "crash.db")
    cluster = Cluster(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}")
    urls = [cluster.database_url]
    name = f"arena_crash_{uuid.uuid4().hex[:10]}"
    if PG_AVAILABLE:
        asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
        copy_database(cluster.database_url, pg_url(name))
        urls.append(pg_url(name))
    try:
        yield cluster, urls
    finally:
        cluster.stop()
        if PG_AVAILABLE:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.timeout(1800)  # ~2 min on 2 idle cores, more than 5 on a busy machine
def test_repeated_kills_of_the_app_and_the_worker_mid_work_leave_nothing_half_written(installations):
    cluster, urls = installations
    rng = random.Random(20261202)
    cookies = {}
    for url in urls:  # one login per database: sessions live there and outlast the kills
        cluster.database_url = url
        app = cluster.serve("login")
        cookies[url] = login(app.url, "cadre15").cookies
        cluster.stop()
    tally = Tally()
    while tally.trials < TRIALS:
        _trial(cluster, urls[tally.trials % len(urls)], cookies[urls[tally.trials % len(urls)]], tally, rng)
    # Most kills must land inside a transaction, or the test proves little.
    assert tally.app_mid_transaction >= TRIALS // 4, tally
    assert tally.worker_mid_transaction >= TRIALS // 4, tally
    print(tally)

    # The next start continues: a full reminder pass and a clean save work on every database.
    for url in urls:
        cluster.database_url = url
        _reset_reminders(url)
        cluster.arena("worker", "--once")
        assert sql(url, "SELECT count(*) FROM sent_reminder")[0][0] > 0
        before = _saves(url)
        app = cluster.serve("after")
        with httpx.Client(base_url=app.url, cookies=cookies[url], timeout=30) as client:
            fields = form_fields(client.get(f"/bids/{DEMO_BID}").text, f"/bids/{DEMO_BID}")
            assert client.post(f"/bids/{DEMO_BID}", data=fields).status_code == 303
        cluster.stop()
        assert _saves(url)[0] == before[0] + 1
        _consistent(url, before)
