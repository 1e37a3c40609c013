"""Real processes for the production tests: `arena serve` nodes and `arena worker`s on one
database, started and killed like an operator (or a power cut) would."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from arena import PROJECT_ROOT
from arena.bench import ports
from tests.e2e.conftest import _arena, _healthy, _tail
from tests.production.systemd import unit

SECRET = "cluster-secret-" + "s" * 40  # every node must share it: a CSRF token made on one is checked on another
UNIT_UMASK = int(unit(PROJECT_ROOT / "deploy/systemd/arena.service")["Service"]["UMask"][0], 8)
"""The units' UMask=: nodes run with it as under systemd, so what they write has production's modes."""


@dataclass
class Node:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        if sig != signal.SIGKILL:
            # Whatever is left of the group then goes too: granian does not stop a worker it
            # respawned that was still starting when the SIGTERM came, and waits for it for ever.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class Cluster:
    root: Path
    database_url: str
    redis_url: str | None = None
    nodes: list[Node] = field(default_factory=list)
    redis_prefix: str = field(default_factory=lambda: f"arena-test-{uuid.uuid4().hex[:8]}")

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
        env |= {"ARENA_ENV": "development", "ARENA_SECRET_KEY": SECRET, "ARENA_DATABASE_URL": self.database_url,
                "ARENA_FILES_DIR": str(self.root / "files"),  # shared storage, as on several machines
                "ARENA_VAR_DIR": str(self.root / "var"), "ARENA_DEMO_PASSWORD": "arena-demo",
                "ARENA_WORKERS": "1", "ARENA_LOGIN_RATE_LIMIT": "10000"}
        if self.redis_url:
            env |= {"ARENA_REDIS_URL": self.redis_url, "ARENA_REDIS_PREFIX": self.redis_prefix}
        return env

    def arena(self, *args: str) -> None:
        _arena(*args, env=self.env, log=self.root / "setup.log")

    def _spawn(self, name: str, args: list[str], extra: dict[str, str]) -> Node:
        machine = self.root / name  # each node its own var dir, like its own machine
        machine.mkdir(parents=True, exist_ok=True)
        log = machine / "out.log"
        with log.open("ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "arena.cli", *args],
                                       env=self.env | {"ARENA_VAR_DIR": str(machine)} | extra,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                       umask=UNIT_UMASK)
        node = Node(name, process, log)
        self.nodes.append(node)
        return node

    def serve(self, name: str, **extra: str) -> Node:
        for _ in range(5):
            with ports.claimed() as [port]:
                node = self._spawn(name, ["serve"], {"ARENA_PORT": str(port)} | extra)
                url = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and node.process.poll() is None and not _healthy(url):
                    time.sleep(0.1)
            if node.process.poll() is None and _healthy(url):
                node.url = url
                return node
            node.kill()
            self.nodes.remove(node)
        raise RuntimeError(f"{name} did not start:\n{_tail(node.log)}")

    def worker(self, name: str, interval: float = 0.3, **extra: str) -> Node:
        return self._spawn(name, ["worker", "--interval", str(interval)], extra)

    def stop(self) -> None:
        for node in self.nodes:
            node.kill(signal.SIGTERM)
        self.nodes.clear()


@contextlib.contextmanager
def running(cluster: Cluster) -> Iterator[Cluster]:
    try:
        yield cluster
    finally:
        cluster.stop()


class FormFields(HTMLParser):
    """The fields of the first form whose action is `action`, as a browser would post them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and values.get("action") == self.action:
            self.inside = True
        elif self.inside and tag == "input" and values.get("name") and values.get("type") not in ("file", "submit"):
            self.fields[values["name"]] = values.get("value", "")
        elif self.inside and tag == "textarea" and values.get("name"):
            self._textarea = values["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(html)
    if not parser.fields:
        raise AssertionError(f"no form posting to {action}")
    return parser.fields
