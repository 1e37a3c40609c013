"""Crash containment: one web process of a node dying (kill -9) is replaced by granian while the
node's other process keeps answering (`arena serve` passes --respawn-failed-workers)."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.production.cluster import Cluster, running

pytestmark = pytest.mark.slow


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


class Load(threading.Thread):
    """Requests one after another, counting answers and failures, until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stopped = url, threading.Event()
        self.answered: list[float] = []
        self.failures: list[tuple[float, str]] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        self.answered.append(time.monotonic())
            except OSError as error:
                self.failures.append((time.monotonic(), repr(error)[:120]))

    @property
    def failed(self) -> int:
        return len(self.failures)


def test_killing_one_web_process_under_load_leaves_the_node_answering_and_it_is_replaced(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "arena.db")
    cluster = Cluster(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'arena.db'}")
    with running(cluster):
        node = cluster.serve("app-1", ARENA_WORKERS="2")
        deadline = time.monotonic() + 60
        while len(workers := children(node.process.pid)) < 2:
            assert time.monotonic() < deadline, "granian did not start two workers"
            time.sleep(0.1)
        load = Load(node.url)
        load.start()
        try:
            time.sleep(0.5)
            victim = min(workers)
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            deadline = killed_at + 60
            while not ((replaced := children(node.process.pid) - {victim}) and len(replaced) == 2):
                assert node.process.poll() is None, "the node went down with one worker"
                assert time.monotonic() < deadline, "the dead worker was not replaced"
                time.sleep(0.1)
            # The replacement shows up as a child as soon as it is forked, long before it can answer: the
            # window in which only the surviving worker can answer runs on for a while after that.
            time.sleep(2)
            answered_meanwhile = sum(1 for moment in load.answered if moment > killed_at)
        finally:
            load.stopped.set()
            load.join(timeout=10)
        assert node.process.poll() is None
        assert answered_meanwhile > 0, "the other worker stopped answering while the dead one was replaced"
        assert load.failed <= 2, f"{load.failed} requests failed: {summary(load, killed_at)}"
        assert any(moment > killed_at for moment in load.answered[-5:])
        log = node.log.read_text()
        assert "Unexpected exit from worker" in log and "Respawning worker" in log


def summary(load: Load, killed_at: float) -> str:
    from collections import Counter

    kinds = Counter(kind for _, kind in load.failures)
    first, last = load.failures[0][0] - killed_at, load.failures[-1][0] - killed_at
    return f"from {first:+.2f} s to {last:+.2f} s after the kill: {dict(kinds)}"
