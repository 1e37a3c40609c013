"""What an operator watches: /metrics behind its token, /readyz, request ids, JSON logs, and the
client's address behind a trusted proxy."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from arena.app import create_app
from arena.observe import logs
from arena.ops.database import head_revision
from arena.settings import ConfigurationError, Settings
from arena.web.forwarded import client_address
from tests.conftest import Browser, make_client

TOKEN = "metrics-" + "t" * 30


@pytest.fixture
async def watched(settings, clock):
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN), clock=clock)
    yield app
    await app.state.engine.dispose()


def _count(route: str, status: str) -> float:
    labels = {"method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value("arena_http_requests_total", labels) or 0.0


async def test_metrics_need_the_token_and_count_requests_per_route_template(watched, db):
    before = _count("/challenges/{challenge_id}", "404")
    async with make_client(watched) as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 401
        for path in ("/challenges/1", "/challenges/2", "/no/such/page"):  # no challenges: both are 404
            await client.get(path)
        await Browser(client).post("/login", {"username": "nobody", "password": "x", "next": "/"})
        answer = await client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    body = answer.text
    # ids are folded into the route template; an unknown path never becomes a series of its own
    assert 'arena_http_requests_total{method="GET",route="/challenges/{challenge_id}"' in body
    assert "/challenges/1\"" not in body and "/no/such/page" not in body
    assert _count("/challenges/{challenge_id}", "404") == before + 2
    assert 'route="unmatched",status="404"' in body
    assert 'arena_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/challenges/{challenge_id}"}' \
        in body
    assert 'arena_login_failures_total{reason="refused"}' in body
    assert "arena_mail_queue_depth 0.0" in body


async def test_without_a_configured_token_there_is_no_metrics_page(app):
    async with make_client(app) as client:
        assert (await client.get("/metrics", headers={"authorization": "Bearer anything"})).status_code == 404


def test_several_worker_processes_add_up_in_one_scrape(tmp_path):
    """prometheus_client's multiprocess mode, as `arena serve` sets it up for its workers."""
    script = textwrap.dedent("""
        import sys
        from arena.observe import metrics
        if sys.argv[1] == "count":
            metrics.observe_request("GET", "/challenges", 200, 0.01)
        else:
            sys.stdout.write(metrics.exposition(metrics.queue_families(3, 0)).decode())
    """)
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _worker in range(2):
        subprocess.run([sys.executable, "-c", script, "count"], env=env, check=True)
    out = subprocess.run([sys.executable, "-c", script, "show"], env=env, check=True, capture_output=True, text=True)
    assert 'arena_http_requests_total{method="GET",route="/challenges",status="200"} 2.0' in out.stdout
    assert "arena_mail_queue_depth 3.0" in out.stdout


async def test_readyz_names_what_is_missing(app, db):
    async with make_client(app) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "checks": {"database": "ok", "schema": "ok",
                                                           "redis": "not configured", "files": "ok"}}
        await db.execute(text("UPDATE alembic_version SET version_num = '20261124_01'"))
        await db.commit()
        behind = await client.get("/readyz")
        # Put it back: the PostgreSQL database is shared by the process's tests, and a node whose
        # schema is behind answers every page with 503 (arena.observe.availability).
        await db.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})
        await db.commit()
    assert behind.status_code == 503
    assert "run arena db upgrade" in behind.json()["checks"]["schema"]


async def test_each_response_carries_a_request_id_and_a_proxys_plausible_one_is_kept(app):
    async with make_client(app) as client:
        first, second = await client.get("/login"), await client.get("/login")
        assert len(first.headers["x-request-id"]) == 32
        assert first.headers["x-request-id"] != second.headers["x-request-id"]
        kept = await client.get("/login", headers={"x-request-id": "edge-7f3a9c21"})
        assert kept.headers["x-request-id"] == "edge-7f3a9c21"
        forged = await client.get("/login", headers={"x-request-id": "x\r\nset-cookie: a=b"})
        assert forged.headers["x-request-id"] != "x\r\nset-cookie: a=b" and "set-cookie" not in forged.headers


def test_json_log_lines_carry_the_request_id_and_keep_chinese_readable():
    record = logging.LogRecord("arena.access", logging.INFO, __file__, 1, "审核 %s", ("完成",), None)
    token = logs.request_id.set("req-12345678")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    line = json.loads(logs.ArenaJsonFormatter().format(record))
    assert line["message"] == "审核 完成" and line["request_id"] == "req-12345678"
    assert line["level"] == "INFO" and line["logger"] == "arena.access" and "time" in line
    assert "完成" in logs.ArenaJsonFormatter().format(record)  # not \\u escapes


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_the_access_log_has_one_line_per_request_with_its_id(settings, clock):
    app = create_app(dataclasses.replace(settings, access_log=True), clock=clock)
    kept, access = _Kept(), logging.getLogger("arena.access")
    kept.addFilter(logs.RequestIdFilter())
    access.addHandler(kept)
    try:
        async with make_client(app) as client:
            answer = await client.get("/challenges")
    finally:
        access.removeHandler(kept)
    lines = kept.records
    assert len(lines) == 1
    assert lines[0].status == 200 and lines[0].route == "/challenges"
    assert lines[0].request_id == answer.headers["x-request-id"]
    await app.state.engine.dispose()


def test_production_logs_json_unless_told_otherwise(tmp_path):
    base = {"ARENA_VAR_DIR": str(tmp_path), "ARENA_ENV": "production", "ARENA_SECRET_KEY": "k" * 40,
            "ARENA_AUDIT_SIGNING_KEY": "ab" * 32, "ARENA_DATABASE_URL": "postgresql+asyncpg://arena@db/arena",
            "ARENA_PUBLIC_URL": "https://arena.example.gov.cn", "ARENA_FILES_DIR": str(tmp_path / "files")}
    assert Settings.from_env(base).log_format == "json" and Settings.from_env(base).access_log
    assert Settings.from_env(base | {"ARENA_LOG_FORMAT": "text"}).log_format == "text"
    assert Settings.from_env({"ARENA_VAR_DIR": str(tmp_path)}).log_format == "text"
    with pytest.raises(ConfigurationError, match="ARENA_LOG_FORMAT"):
        Settings.from_env(base | {"ARENA_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigurationError, match="ARENA_TRUSTED_PROXIES"):
        Settings.from_env(base | {"ARENA_TRUSTED_PROXIES": "10.0.0.1, not-an-ip"})


PROXIES = ("10.0.0.0/8", "192.168.1.5")


@pytest.mark.parametrize(("peer", "header", "expected"), [
    ("10.0.0.2", "203.0.113.7", "203.0.113.7"),
    ("10.0.0.2", "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # skip our own hops only
    ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # an untrusted peer cannot speak for anyone
    ("192.168.1.5", "garbage", "192.168.1.5"),
    ("10.0.0.2", None, "10.0.0.2"),
])
def test_the_clients_address_is_read_from_trusted_proxies_only(peer, header, expected):
    assert client_address(peer, header, PROXIES) == expected
    assert client_address(peer, header, ()) == peer


async def test_behind_a_trusted_proxy_login_throttling_sees_each_person(settings, clock):
    app = create_app(dataclasses.replace(settings, login_rate_limit=1, trusted_proxies=("127.0.0.1",)),
                     clock=clock)
    async with make_client(app) as client:
        browser = Browser(client)
        answers = [await browser.post("/login", {"username": "x", "password": "y"},
                                      headers={"x-forwarded-for": address})
                   for address in ("203.0.113.1", "203.0.113.2", "203.0.113.1")]
    assert [a.status_code for a in answers] == [400, 400, 429]
    await app.state.engine.dispose()
