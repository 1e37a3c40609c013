"""Browser journeys: a real Arena server and Debian's Chromium, driven by Playwright.

Each xdist worker starts its own server (a temporary SQLite database with the demo data,
served by `arena serve` on a free loopback port in 8200–8299) and one Chromium; every test
gets a fresh browser context, so cookies never leak between tests. A failing test leaves a
screenshot in tests/.artifacts/.

Without /usr/bin/chromium the tests are skipped with the reason — except in CI (CI=true),
where a missing browser is a failure, so a green CI always means the journeys ran.

Playwright's sync API lives in a thread of its own (`BrowserThread`): the browser fixtures and
the body of every test that uses them run there, never in pytest's main thread. The sync API
drives its own asyncio loop from a greenlet and, between calls, leaves that loop marked as the
calling thread's *running* loop (playwright/_impl/_greenlets.py, `wait_for_future`). In the main
thread that mark outlives the e2e tests, because the browser is session-scoped: every async test
that the same xdist worker runs afterwards fails with "Runner.run() cannot be called from a
running event loop", and pytest-asyncio cannot close its session loop. Confined to one thread,
Playwright's loop and pytest-asyncio's never meet, and no private asyncio state is touched.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest

from arena import PROJECT_ROOT
from arena.bench import ports
from arena.bench.runner import stop

CHROMIUM = Path(os.environ.get("ARENA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "tests" / ".artifacts"
DEMO_PASSWORD = "arena-demo"
IN_CI = os.environ.get("CI") == "true"
BROWSER_FIXTURES = frozenset({"chromium", "page", "login_as"})
T = TypeVar("T")


def skip_or_fail(reason: str) -> None:
    """A missing prerequisite: skipped on a developer's machine, a failure in CI."""
    if IN_CI:
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """Keep each phase's report on the item, so the page fixture knows the test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


# --- the thread that owns Playwright -----------------------------------------------------------

class BrowserThread:
    """Runs callables one at a time in a single daemon thread, where Playwright lives.

    Playwright's sync objects belong to the thread that created them, so everything that touches
    them — fixtures, test bodies, failure screenshots — goes through `run`.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="playwright", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            job, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to the caller, re-raised there
                future.set_exception(exc)

    def run(self, job: Callable[[], T]) -> T:
        if threading.current_thread() is self._thread:
            return job()
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future.result()


@cache
def browser_thread() -> BrowserThread:
    """Started on first use, so workers that run no browser test start no thread."""
    return BrowserThread()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """The body of a test that uses the browser runs in the browser's thread."""
    if not BROWSER_FIXTURES & set(pyfuncitem.fixturenames):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    browser_thread().run(lambda: pyfuncitem.obj(**arguments))
    return True


# --- the server -------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    var_dir: Path
    log: Path


def _arena(*args: str, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run([sys.executable, "-m", "arena.cli", *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"arena {' '.join(args)} failed:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _start_serving(env: dict[str, str], log: Path, timeout: float = 30) -> tuple[subprocess.Popen[bytes], str]:
    """`arena serve` on a claimed port, once it answers /healthz or gives up: the process and its address."""
    with ports.claimed() as [port]:
        url = f"http://127.0.0.1:{port}"
        with log.open("ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "arena.cli", "serve"], env=env | {"ARENA_PORT": str(port)},
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None and not _healthy(url):
            time.sleep(0.1)
    return process, url


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """Arena with the demo data on 127.0.0.1, one per xdist worker, stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="arena-e2e-") as tmp:
        var_dir = Path(tmp)
        log = var_dir / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
        env |= {"ARENA_ENV": "development", "ARENA_VAR_DIR": str(var_dir),
                "ARENA_DATABASE_URL": f"sqlite+aiosqlite:///{var_dir / 'e2e.db'}",
                "ARENA_DEMO_PASSWORD": DEMO_PASSWORD, "ARENA_HOST": "127.0.0.1", "ARENA_WORKERS": "1",
                # every journey logs in from 127.0.0.1: the per-address limit is tested elsewhere
                "ARENA_LOGIN_RATE_LIMIT": "100000"}
        _arena("db", "upgrade", env=env, log=log)
        _arena("demo", env=env, log=log)
        for _ in range(5):
            process, url = _start_serving(env, log)
            if process.poll() is None and _healthy(url):
                break
            stop(process)  # the port was taken meanwhile, or the server did not come up
        else:
            raise RuntimeError(f"Arena did not start on any port in 8200–8299:\n{_tail(log)}")
        try:
            yield LiveServer(url=url, var_dir=var_dir, log=log)
        finally:
            stop(process)


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium per xdist worker."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) "
                     "to run the browser journeys")
    from playwright.sync_api import sync_playwright

    def start() -> tuple[Any, Any]:
        playwright = sync_playwright().start()
        try:
            return playwright, playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                          args=CHROMIUM_FLAGS)
        except BaseException:
            playwright.stop()
            raise

    def stop() -> None:
        try:
            browser.close()
        finally:
            playwright.stop()

    playwright, browser = browser_thread().run(start)
    try:
        yield browser
    finally:
        browser_thread().run(stop)


@pytest.fixture
def page(chromium: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies), Chinese by default like most users."""

    def open_page() -> tuple[Any, Any]:
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN",
                                       viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        return context, context.new_page()

    def close_page() -> None:
        call = getattr(request.node, "report_call", None)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        shot = ARTIFACTS / f"FAILED-{name}.png"
        if call is not None and call.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Exception as exc:  # the browser may be what broke
                sys.stderr.write(f"no failure screenshot for {name}: {exc}\n")
        elif call is not None and call.passed:
            shot.unlink(missing_ok=True)  # an earlier run's failure, fixed since: not to mislead
        context.close()

    context, page = browser_thread().run(open_page)
    try:
        yield page
    finally:
        browser_thread().run(close_page)


def log_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> Any:
    """Log in through the real login form, as a person would; returns the page, now on home."""
    page.goto("/login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"^[^?]*//[^/]+/$"))
    return page


@pytest.fixture
def login_as(page: Any) -> Callable[[str], Any]:
    """`login_as("admin")` logs the test's page in as that demo user and returns the page."""
    return lambda username: log_in(page, username)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
