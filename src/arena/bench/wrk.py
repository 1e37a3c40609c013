"""wrk, the compiled HTTP load generator (Debian's `wrk`), driving scripts/bench's GET load.

The bench shares the machine's cores with the server it measures. wrk sends the requests from
C with a few threads, at a fraction of the CPU the Python client needs for the same rate, so
more of the CPU goes to Arena and a page's figures say more about Arena than about the client.
The Python client (`arena.bench.load`) still logs the virtual users in, follows the links to
each user's page and checks that it answers 2xx (wrk counts a redirect to the login page as a
success); wrk then rotates through those (path, session cookie) pairs, one per virtual user.
Autosave is wrk's too (`autosave_script`): each expert on a thread of its own, posting the
sheet with the revision its last answer gave back.

When wrk is missing the bench installs it with apt-get (as root), or falls back to the Python
client and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from arena.bench.load import GRID, HTTPError, Summary

THREADS = 2  # wrk's threads: two keep a few dozen connections busy on loopback
TIMEOUT = "30s"  # a slower answer is counted as an error and left out of the latencies: not on our pages
MARK = "ARENA-WRK"  # the line `done()` writes, read back by `parse`
FIELDS = ("requests", "duration_us", "connect", "read", "write", "status", "timeout")
LATENCY_MARK = "ARENA-WRK-LATENCY"  # the second line: microseconds at each share of load.GRID

Target = tuple[str, str]  # (path, Cookie header or "") for one virtual user
Window = Callable[[], AbstractContextManager[object]]  # around the measured run (arena.bench.machine)


def ensure(report: Callable[[str], None]) -> str | None:
    """wrk's path; installed from Debian first when missing and running as root. None when it
    cannot be had (not root, no apt-get, the install failed): the caller uses the Python client."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    report("… installing wrk (apt-get install wrk)")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
    for command in (install, ["apt-get", "update", "-qq"], install):  # a stale package list: update once
        try:
            done = subprocess.run(command, env=env, capture_output=True, check=False, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if command is install and done.returncode == 0:
            break
    return shutil.which("wrk")


def version(path: str) -> str:
    """e.g. "wrk 4.1.0" (`wrk -v` says "wrk debian/4.1.0-3+b2 [epoll] …" and exits 1)."""
    try:
        done = subprocess.run([path, "-v"], capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "wrk"
    words = (done.stdout + done.stderr).split()
    if len(words) < 2 or words[0] != "wrk":
        return "wrk"
    return "wrk " + words[1].rsplit("/", 1)[-1].split("-", 1)[0]


def _lua_string(text: str) -> str:
    """`text` as a Lua string literal: anything but printable ASCII as a three-digit byte escape."""
    return '"' + "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\'
        else "".join(f"\\{byte:03d}" for byte in char.encode())
        for char in text) + '"'


def script(targets: Sequence[Target]) -> str:
    """The Lua script: each thread's requests built once in init() and taken in turn (threads
    start at different users), headers as a browser sends them, and one machine-readable line
    from done(). No response() function: with one, wrk parses every body and the client slows."""
    if not targets:
        raise ValueError("wrk needs at least one target")
    rows = "\n".join(f"  {{{_lua_string(path)}, {_lua_string(cookie)}}}," for path, cookie in targets)
    return f"""-- written by arena.bench.wrk
local targets = {{
{rows}
}}
local prepared = {{}}
{_setup("counter")}

function init(args)
  counter = counter or 0
  for i, target in ipairs(targets) do
    local headers = {{["Accept"] = "text/html", ["Accept-Encoding"] = "gzip"}}
    if target[2] ~= "" then headers["Cookie"] = target[2] end
    prepared[i] = wrk.format("GET", target[1], headers)
  end
end

function request()
  counter = counter % #prepared + 1
  return prepared[counter]
end

{DONE}"""


def _setup(name: str) -> str:
    """Lua: each thread gets its number as global `name`, so that threads start at different users."""
    return f"""local threads = 0

function setup(thread)
  thread:set("{name}", threads)
  threads = threads + 1
end"""


DONE = f"""
local shares = {{{", ".join(f"{share * 100:g}" for share in GRID[:-1])}}}

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("{MARK}{''.join(f' {name}=%.0f' for name in FIELDS)}\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  local at = {{}}
  for i, share in ipairs(shares) do at[i] = string.format("%.0f", latency:percentile(share)) end
  -- the slowest: wrk's percentile(100) finds no request at a rank past the last one
  at[#at + 1] = string.format("%.0f", latency.max)
  io.write("{LATENCY_MARK} " .. table.concat(at, " ") .. "\\n")
end
"""
"""Two machine-readable lines at the end of a run, read back by `parse`."""


@dataclass(frozen=True)
class Saver:
    """One expert autosaving: the sheet's path, the session's Cookie header, the form's CSRF
    token, the revision the sheet is at, and its score inputs (c-<criterion>)."""

    path: str
    cookie: str
    token: str
    revision: int
    inputs: tuple[str, ...]


def autosave_script(savers: Sequence[Saver]) -> str:
    """The Lua script for autosave: wrk runs one thread per connection, each thread one expert
    (threads start at different experts). A POST as htmx sends it from the sheet (HX-Request,
    the CSRF header, the form with the revision and a score in every input), and a response()
    that keeps the revision the answer gives back (its out-of-band field), so that each save
    follows the last as on the page: a save refused as "changed elsewhere" is counted as an
    error (400)."""
    if not savers:
        raise ValueError("wrk needs at least one expert to autosave")
    rows = "\n".join(
        f"  {{{_lua_string(s.path)}, {_lua_string(s.cookie)}, {_lua_string(s.token)}, {s.revision}, "
        f"{_lua_string(quote(s.token, safe=''))}, {{{', '.join(_lua_string(name) for name in s.inputs)}}}}},"
        for s in savers)
    return f"""-- written by arena.bench.wrk
local savers = {{
{rows}
}}
{_setup("index")}

function init(args)
  saver = savers[(index or 0) % #savers + 1]
  revision = saver[4]
  turn = 0
  request_headers = {{["Accept"] = "text/html", ["Accept-Encoding"] = "gzip", ["Cookie"] = saver[2],
    ["HX-Request"] = "true", ["x-csrftoken"] = saver[3],
    ["Content-Type"] = "application/x-www-form-urlencoded"}}
end

function request()
  turn = turn + 1
  local form = {{"_csrf_token=" .. saver[5], "revision=" .. revision, "comment="}}
  for i, name in ipairs(saver[6]) do
    form[#form + 1] = name .. "=" .. ((turn + i) % 10)
  end
  return wrk.format("POST", saver[1], request_headers, table.concat(form, "&"))
end

function response(status, headers, body)
  local saved = string.match(body, 'name="revision" id="f%-revision" value="(%d+)"')
  if saved then revision = saved end
end
{DONE}"""


def parse(output: str) -> Summary:
    """wrk's standard output → the figures (ValueError without the lines `done()` writes)."""
    lines = output.splitlines()
    line = next((line for line in lines if line.startswith(MARK + " ")), None)
    latency = next((line for line in lines if line.startswith(LATENCY_MARK + " ")), None)
    if line is None or latency is None:
        raise ValueError(f"no {MARK} lines in wrk's output")
    figures = {key: int(float(value)) for key, _, value in (word.partition("=") for word in line.split()[1:])}
    missing = [name for name in FIELDS if name not in figures]
    if missing:
        raise ValueError(f"wrk's {MARK} line lacks {', '.join(missing)}")
    quantiles = tuple(int(float(value)) / 1000 for value in latency.split()[1:])
    if len(quantiles) != len(GRID):
        raise ValueError(f"wrk's {LATENCY_MARK} line has {len(quantiles)} latencies, not {len(GRID)}")
    result = Summary(requests=figures["requests"], elapsed=figures["duration_us"] / 1e6,
                     quantiles=quantiles if figures["requests"] else ())
    kinds = {"status": "answers ≥ 400", "timeout": f"timeouts (> {TIMEOUT})", "connect": "connect errors",
             "read": "read errors", "write": "write errors"}
    found = [f"{figures[kind]} {label}" for kind, label in kinds.items() if figures[kind]]
    result.errors = sum(figures[kind] for kind in kinds)
    result.first_error = "wrk: " + ", ".join(found) if found else None
    return result


def seconds(value: float) -> int:
    """wrk counts whole seconds (at least one)."""
    return max(1, round(value))


async def _wrk(path: str, url: str, lua: Path, connections: int, duration: int, threads: int = THREADS) -> str:
    command = [path, "-c", str(connections), "-t", str(min(threads, connections)), "-d", f"{duration}s",
               "--timeout", TIMEOUT, "--latency", "-s", str(lua), url]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=duration + 60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise HTTPError(f"wrk did not finish within {duration + 60} s") from None
    if process.returncode != 0:
        raise HTTPError(f"wrk exited with {process.returncode}: {(err or out).decode(errors='replace')[-500:]}")
    return out.decode(errors="replace")


async def run(path: str, url: str, targets: Sequence[Target], *, connections: int, duration: float,
              warmup: float, window: Window = contextlib.nullcontext) -> Summary:
    """GET load from `connections` connections on `url` (scheme, host and port), rotating
    through `targets`: `warmup` seconds discarded (when above 0), then `duration` measured,
    inside `window` (arena.bench.machine reads the machine around it)."""
    with tempfile.TemporaryDirectory(prefix="arena-wrk-") as tmp:
        lua = Path(tmp) / "targets.lua"
        lua.write_text(script(targets))
        if warmup > 0:
            await _wrk(path, url, lua, connections, seconds(warmup))
        with window():
            output = await _wrk(path, url, lua, connections, seconds(duration))
    try:
        return parse(output)
    except ValueError as exc:
        raise HTTPError(str(exc)) from exc


async def autosave(path: str, url: str, savers: Callable[[], Awaitable[Sequence[Saver]]], *, connections: int,
                   duration: float, warmup: float, window: Window = contextlib.nullcontext) -> Summary:
    """Autosave load: `connections` experts, each saving its own sheet back to back (one wrk
    thread each, so that each keeps its own revision). `savers` reads where every sheet is
    before each run: the warm-up moves the revisions on."""
    with tempfile.TemporaryDirectory(prefix="arena-wrk-") as tmp:
        lua = Path(tmp) / "autosave.lua"
        if warmup > 0:
            lua.write_text(autosave_script(await savers()))
            await _wrk(path, url, lua, connections, seconds(warmup), threads=connections)
        lua.write_text(autosave_script(await _settled(savers)))
        with window():
            output = await _wrk(path, url, lua, connections, seconds(duration), threads=connections)
    try:
        return parse(output)
    except ValueError as exc:
        raise HTTPError(str(exc)) from exc


async def _settled(savers: Callable[[], Awaitable[Sequence[Saver]]]) -> Sequence[Saver]:
    """The sheets once the saves of the run before have all been answered: wrk stops without
    waiting for the requests on their way, and a save the server finishes after the sheets were
    read would make the next run's first save stale."""
    last = await savers()
    for _ in range(20):
        await asyncio.sleep(0.1)
        now = await savers()
        if now == last:
            return now
        last = now
    return last
