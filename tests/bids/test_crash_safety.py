"""Kill the server in the middle of a submit: the bid is either fully submitted or still a
draft, never in between (one transaction; SQLite's journal and PostgreSQL's WAL do the rest)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import _arena, _healthy, _start_serving

DEMO_BID = 4  # the demo's complete draft by cadre15 on the open 乡村振兴 challenge (bids/demo.py)


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    for _ in range(5):
        process, url = _start_serving(env, log)
        if process.poll() is None and _healthy(url):
            return process, url
        os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("server did not start")


def _state(db: Path) -> tuple[str, int, str | None]:
    with sqlite3.connect(db) as conn:
        status, number = conn.execute("SELECT status, number FROM bid WHERE id = ?", (DEMO_BID,)).fetchone()
        versions = conn.execute("SELECT count(*) FROM bid_version WHERE bid_id = ?", (DEMO_BID,)).fetchone()[0]
    return status, versions, number


def _submit(url: str, result: dict[str, object]) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/login")
        client.post("/login", data={"username": "cadre15", "password": "arena-demo", "next": "/",
                                    "_csrf_token": client.cookies["csrftoken"]})
        page = client.get(f"/bids/{DEMO_BID}").text
        revision = re.search(r'name="revision" value="(\d+)"', page)
        assert revision is not None
        result["ready"] = True
        try:
            result["response"] = client.post(f"/bids/{DEMO_BID}/submit", data={
                "revision": revision.group(1), "_csrf_token": client.cookies["csrftoken"]}).status_code
        except httpx.HTTPError as exc:  # the server died under the request
            result["response"] = type(exc).__name__


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and signals")
def test_killing_the_server_mid_submit_leaves_a_draft_then_a_clean_submit_works(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    env |= {"ARENA_ENV": "development", "ARENA_VAR_DIR": str(tmp_path), "ARENA_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
            "ARENA_DEMO_PASSWORD": "arena-demo", "ARENA_WORKERS": "1"}
    _arena("db", "upgrade", env=env, log=log)
    _arena("demo", env=env, log=log)
    assert _state(db) == ("draft", 0, None)

    process, url = _serve(env | {"ARENA_FAULT_PAUSE": "bid.submit:20"}, log)
    result: dict[str, object] = {}
    thread = threading.Thread(target=_submit, args=(url, result))
    thread.start()
    deadline = time.monotonic() + 20
    while not result.get("ready") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # the submit is now inside its transaction, paused
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    thread.join(timeout=30)
    assert result.get("response") != 303
    assert _state(db) == ("draft", 0, None)  # nothing half-written

    process, url = _serve(env, log)  # the same data, a healthy server
    try:
        result = {}
        _submit(url, result)
        assert result["response"] == 303
        status, versions, number = _state(db)
        assert (status, versions) == ("submitted", 1) and number
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
