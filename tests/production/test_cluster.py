"""Two app processes and two workers on PostgreSQL and Redis, for real: a session made on one
node is valid on the other, racing writes through both lose nothing and never fork the audit
chain, and the two workers send each reminder once."""

from __future__ import annotations

import asyncio
import json
import re
import stat
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from arena.audit.service import verify_chain
from arena.db import create_engine, create_session_maker
from arena.ops.copy import copy_database
from tests.conftest import PG_AVAILABLE, REDIS_AVAILABLE, REDIS_URL, pg_admin, pg_url
from tests.production.cluster import Cluster, form_fields, running

DEMO_BID = 4  # the demo's complete draft by cadre15 on the open 乡村振兴 challenge (bids/demo.py)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"





def sql(url: str, statement: str, **params: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def chain_report(url: str) -> Any:
    async def run() -> Any:
        engine = create_engine(url)
        try:
            async with create_session_maker(engine)() as session:
                return await verify_chain(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def login(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    client.get("/login")
    answer = client.post("/login", data={"username": username, "password": "arena-demo", "next": "/",
                                         "_csrf_token": client.cookies["csrftoken"]})
    assert answer.status_code == 303, answer.text[:300]
    return client


def on(node_url: str, client: httpx.Client) -> httpx.Client:
    """The same browser (cookies) talking to another node."""
    return httpx.Client(base_url=node_url, cookies=client.cookies, timeout=60)


@pytest.fixture
def pg_cluster(tmp_path: Path, demo_template: Path):
    if not PG_AVAILABLE or not REDIS_AVAILABLE:
        pytest.skip("needs PostgreSQL and Redis")
    name = f"arena_cluster_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    cluster = Cluster(tmp_path, pg_url(name), REDIS_URL)
    try:
        copy_database(f"sqlite+aiosqlite:///{demo_template}", cluster.database_url)  # the demo, on PostgreSQL
        with running(cluster):
            yield cluster
    finally:
        asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _race(posts: list[tuple[httpx.Client, str, dict[str, str]]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(lambda p: p[0].post(p[1], data=p[2]), posts))


def test_a_journey_and_racing_writes_across_two_app_processes_and_two_workers(pg_cluster: Cluster):
    url = pg_cluster.database_url
    a = pg_cluster.serve("a", ARENA_LOG_FORMAT="json", ARENA_ACCESS_LOG="1")
    b = pg_cluster.serve("b", ARENA_LOG_FORMAT="json", ARENA_ACCESS_LOG="1")

    # A session made on one node is valid on the other; logging out on the other ends it on both.
    browser = login(a.url, "cadre15")
    page = on(b.url, browser).get(f"/bids/{DEMO_BID}")
    assert page.status_code == 200 and f'action="/bids/{DEMO_BID}/submit"' in page.text
    other = login(b.url, "organizer")
    on(a.url, other).post("/logout", data={"_csrf_token": other.cookies["csrftoken"]})
    assert on(b.url, other).get("/organizer/challenges").status_code in (302, 303, 401)

    # One files directory shared by the nodes (README, "Files on NFS"; the NFS mount itself is not
    # tested here): a file uploaded through one node is served by the other, and what the nodes
    # wrote under the units' UMask is 0640 in 0750 directories — group arena reads, others nothing.
    uploaded = on(a.url, browser).post(f"/bids/{DEMO_BID}/attachments", files={"file": ("方案.pdf", PDF)},
                                       data={"title": "实施方案", "_csrf_token": browser.cookies["csrftoken"]})
    assert uploaded.status_code == 303, uploaded.text[:300]
    attachment = sql(url, "SELECT max(id) FROM bid_attachment WHERE bid_id = :id", id=DEMO_BID)[0][0]
    assert on(b.url, browser).get(f"/bids/{DEMO_BID}/attachments/{attachment}").content == PDF
    store = pg_cluster.root / "files"
    modes = {path.relative_to(store).as_posix(): stat.S_IMODE(path.stat().st_mode) for path in store.rglob("*")}
    assert modes and all(mode == (0o750 if (store / name).is_dir() else 0o640) for name, mode in modes.items()), modes

    # Racing saves of one draft, one through each node, with the same revision: one wins, the
    # other is told the draft changed — never a silent overwrite.
    start = sql(url, "SELECT revision FROM bid WHERE id = :id", id=DEMO_BID)[0][0]
    winners = []
    for round_ in range(6):
        fields = form_fields(on(a.url, browser).get(f"/bids/{DEMO_BID}").text, f"/bids/{DEMO_BID}")
        answers = _race([(on(node.url, browser), f"/bids/{DEMO_BID}",
                          fields | {"plan": fields["plan"] + f"（第 {round_} 轮，{node.name}）"})
                         for node in (a, b)])
        assert sorted(r.status_code for r in answers) == [303, 409], [r.status_code for r in answers]
        winners.append(next(node.name for node, r in zip((a, b), answers, strict=True) if r.status_code == 303))
    revision, plan = sql(url, "SELECT revision, plan FROM bid WHERE id = :id", id=DEMO_BID)[0]
    assert revision == start + 6 and plan.endswith(f"（第 5 轮，{winners[-1]}）")
    saves = sql(url, "SELECT count(*) FROM audit_event WHERE action = 'bid.save' AND object_id = :id",
                id=str(DEMO_BID))[0][0]
    assert saves >= 6

    # Racing submits through both nodes: submitted once, one version.
    fields = form_fields(on(a.url, browser).get(f"/bids/{DEMO_BID}").text, f"/bids/{DEMO_BID}/submit")
    answers = _race([(on(node.url, browser), f"/bids/{DEMO_BID}/submit", fields) for node in (a, b)])
    assert sorted(r.headers.get("location", "") for r in answers) == [f"/bids/{DEMO_BID}",
                                                                        f"/bids/{DEMO_BID}?done=submitted"]
    assert sql(url, "SELECT status FROM bid WHERE id = :id", id=DEMO_BID)[0][0] == "submitted"
    assert sql(url, "SELECT count(*) FROM bid_version WHERE bid_id = :id", id=DEMO_BID)[0][0] == 1

    # A burst of audited writes (logins) through both nodes at once: the chain stays one line.
    users = ["admin", "organizer", "inspector", "cadre1", "cadre2", "cadre3", "expert1", "expert2"] * 2
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: login((a, b)[n % 2].url, users[n]), range(len(users))))
    forks = sql(url, "SELECT prev_hash FROM audit_event GROUP BY prev_hash HAVING count(*) > 1")
    assert forks == []
    report = chain_report(url)
    assert report.ok, report.broken

    # Two workers on the reminders that are due: each is sent once.
    sql(url, "DELETE FROM notification WHERE kind IN (SELECT DISTINCT rule FROM sent_reminder)")
    sql(url, "DELETE FROM sent_reminder")
    for name in ("w1", "w2"):
        pg_cluster.worker(name, interval=0.2)
    sent, stable_since, deadline = -1, time.monotonic(), time.monotonic() + 60
    while time.monotonic() < deadline:
        now = sql(url, "SELECT count(*) FROM sent_reminder")[0][0]
        if now != sent:
            sent, stable_since = now, time.monotonic()
        elif now > 0 and time.monotonic() - stable_since > 3:
            break
        time.sleep(0.3)
    assert sent > 0
    mismatched = sql(url, """
        SELECT s.rule, s.recipient_id, count(DISTINCT s.id), count(DISTINCT n.id) FROM sent_reminder s
        LEFT JOIN notification n ON n.kind = s.rule AND n.recipient_id = s.recipient_id
        GROUP BY s.rule, s.recipient_id HAVING count(DISTINCT s.id) <> count(DISTINCT n.id)""")
    assert mismatched == []
    both_worked = [node.log.read_text() for node in pg_cluster.nodes if node.name.startswith("w")]
    assert all("Traceback" not in log for log in both_worked)

    # Each node logged JSON lines that carry the request id it answered with.
    answer = on(b.url, browser).get("/challenges")
    rid = answer.headers["x-request-id"]
    time.sleep(0.5)  # the queue handler writes from its own thread
    lines = [json.loads(line) for line in b.log.read_text().splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == rid and line.get("route") == "/challenges" for line in lines)
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
