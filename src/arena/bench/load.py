"""A small asyncio HTTP client for loopback: keep-alive HTTP/1.1, one connection per virtual user.

It logs the bench's virtual users in, follows links to each one's page, checks the answers,
and drives the load (the GETs and the autosave POSTs) when wrk (`arena.bench.wrk`, which costs
the server far less CPU) is not installed. Written against asyncio streams rather than an HTTP
library on purpose: the client shares the machine's cores with the server it measures, and a
bare client costs a fraction of what httpx or aiohttp spend per request. It speaks just enough
HTTP/1.1 for our own servers: Content-Length or chunked bodies, keep-alive, reconnect when the
server closes.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import gzip
import math
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlencode

from arena.auth.sessions import SESSION_COOKIE

CSRF_COOKIE = "csrftoken"
CSRF_FIELD = re.compile(rb'name="_csrf_token" value="([^"]+)"')


class HTTPError(Exception):
    """The server answered something this client cannot read, or the connection broke."""


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def content(self) -> bytes:
        """The body, uncompressed (the load itself never pays for this)."""
        if (self.header("content-encoding") or "").lower() == "gzip":
            return gzip.decompress(self.body)
        return self.body

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def cookies(self) -> dict[str, str]:
        found = {}
        for key, value in self.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, cookie = pair.partition("=")
                found[name.strip()] = cookie.strip()
        return found


@dataclass
class Client:
    """One virtual user: one keep-alive connection and its cookies."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None) -> Reply:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: text/html",
                 "Accept-Encoding: gzip"]  # as a browser would: compression is part of the cost
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if self.cookies:
            lines.append("Cookie: " + self.cookie_header())
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: reconnect once
            reader, writer = await self._connection()
            try:
                writer.write(payload)
                await writer.drain()
                reply = await _read_reply(reader)
            except (ConnectionError, asyncio.IncompleteReadError, HTTPError) as exc:
                await self.close()
                if attempt == 2:
                    raise HTTPError(f"{method} {path}: {exc!r}") from exc
                continue
            if (reply.header("connection") or "").lower() == "close":
                await self.close()
            return reply
        raise AssertionError("unreachable")

    def cookie_header(self) -> str:
        """This user's cookies as a Cookie header's value ("" without any)."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def login(self, username: str, password: str) -> None:
        """Log in through the real form: the CSRF cookie and field, then the session cookie."""
        page = await self.request("GET", "/login")
        self.cookies.update(page.cookies())
        token = CSRF_FIELD.search(page.content())
        if page.status != 200 or token is None or CSRF_COOKIE not in self.cookies:
            raise HTTPError(f"GET /login answered {page.status} without a CSRF token")
        reply = await self.request("POST", "/login", {"_csrf_token": token.group(1).decode(), "username": username,
                                                      "password": password, "next": "/"})
        self.cookies.update(reply.cookies())
        if reply.status != 303 or SESSION_COOKIE not in self.cookies:
            raise HTTPError(f"login as {username} answered {reply.status}, not a redirect with a session")

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    status_line = await reader.readline()
    if not status_line:
        raise HTTPError("connection closed before the response")
    try:
        status = int(status_line.split(b" ", 2)[1])
    except (IndexError, ValueError) as exc:
        raise HTTPError(f"bad status line {status_line!r}") from exc
    headers: list[tuple[str, str]] = []
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip().lower(), value.strip()))
    lookup = dict(headers)
    if "content-length" in lookup:
        body = await reader.readexactly(int(lookup["content-length"]))
    elif lookup.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body = await reader.read()  # delimited by the end of the connection
    return Reply(status, headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


class Result(Protocol):
    """A page's figures, whichever client measured them: every request (`Measurement`, this
    module's client) or wrk's summary of them (`Summary`)."""

    errors: int
    first_error: str | None
    elapsed: float  # seconds measured

    @property
    def requests(self) -> int: ...

    @property
    def requests_per_second(self) -> float: ...

    def percentile(self, share: float) -> float: ...


@dataclass
class Measurement:
    """What the virtual users saw during the measured window (warm-up excluded)."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per request
    errors: int = 0
    first_error: str | None = None
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile in milliseconds (0 when nothing was measured)."""
        return self.percentiles([share])[0]

    def percentiles(self, shares: Sequence[float]) -> list[float]:
        """`percentile` of each share, sorting once."""
        if not self.latencies:
            return [0.0 for _share in shares]
        ordered = sorted(self.latencies)
        return [ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1] * 1000 for share in shares]

    def error(self, message: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or message


PERCENTILES = (0.5, 0.99)  # the ones the tables show

# The shares at which a Summary keeps a turn's latencies (wrk hands out percentiles, not
# latencies): every 1% up to 90%, every 0.1% above, and the slowest answer. Turns are pooled
# through them (Summary.pool), so a page's p99 is that of all its requests together.
GRID: tuple[float, ...] = tuple(sorted({*(i / 100 for i in range(1, 91)), *(i / 1000 for i in range(901, 1001))}))


@dataclass
class Summary:
    """Figures without the single latencies: what wrk reports (requests, time, errors, and the
    latency at each share of GRID)."""

    requests: int = 0
    elapsed: float = 0.0
    errors: int = 0
    first_error: str | None = None
    quantiles: tuple[float, ...] = ()  # milliseconds at each share of GRID, not decreasing

    @classmethod
    def of(cls, result: Result) -> Summary:
        if isinstance(result, Summary):
            return result
        at = result.percentiles(GRID) if isinstance(result, Measurement) else [result.percentile(s) for s in GRID]
        return cls(result.requests, result.elapsed, result.errors, result.first_error,
                   tuple(at) if result.requests else ())

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Milliseconds: the latency at the first share of GRID from `share` on (0 when nothing
        was measured)."""
        if not self.requests or not self.quantiles:
            return 0.0
        return self.quantiles[min(bisect.bisect_left(GRID, share - 1e-9), len(GRID) - 1)]

    def answered_within(self, ms: float) -> float:
        """How many requests took at most `ms`, never more than there were: the requests up to
        the largest share of GRID whose latency is at most `ms`."""
        within = bisect.bisect_right(self.quantiles, ms)
        return self.requests * GRID[within - 1] if within else 0.0

    @staticmethod
    def pool(turns: Sequence[Summary]) -> Summary:
        """Turns of one page as one, their requests pooled: the latency at a share is the least of
        their latencies within which that share of all their requests was answered. Read off
        GRID, a pooled latency is never below the exact one, and at most 1% of the requests
        above it (pooled at once: pooling what was pooled adds the errors up)."""
        measured = [turn for turn in turns if turn.requests and turn.quantiles]
        total = sum(turn.requests for turn in measured)
        candidates = sorted({ms for turn in measured for ms in turn.quantiles})

        def answered(ms: float) -> float:  # never decreasing with ms, so bisect can search it
            return sum(turn.answered_within(ms) for turn in measured)

        last = len(candidates) - 1
        quantiles = tuple(candidates[min(last, bisect.bisect_left(candidates, share * total - 1e-6, key=answered))]
                          for share in GRID) if measured else ()
        return Summary(sum(turn.requests for turn in turns), sum(turn.elapsed for turn in turns),
                       sum(turn.errors for turn in turns),
                       next((turn.first_error for turn in turns if turn.first_error), None), quantiles)


def pool(turns: Sequence[Result]) -> Result:
    """A page's turns as one result: every latency when the Python client measured them all,
    else wrk's summaries pooled (Summary.pool)."""
    exact = [turn for turn in turns if isinstance(turn, Measurement)]
    if len(exact) == len(turns):
        return Measurement([latency for turn in exact for latency in turn.latencies],
                           sum(turn.errors for turn in exact),
                           next((turn.first_error for turn in exact if turn.first_error), None),
                           sum(turn.elapsed for turn in exact))
    return Summary.pool([Summary.of(turn) for turn in turns])


Step = Callable[[Client], Awaitable[Reply]]


async def drive(clients: list[Client], path: str, *, warmup: float, duration: float,
                steps: list[Step] | None = None) -> Measurement:
    """Every client requests `path` back to back (or runs its own step from `steps`):
    `warmup` seconds unmeasured, then `duration`."""
    result = Measurement()
    loop = asyncio.get_running_loop()
    measure_from = loop.time() + warmup
    measure_until = measure_from + duration

    async def user(client: Client, step: Step | None) -> None:
        while (started_at := loop.time()) < measure_until:
            measured = started_at >= measure_from
            started = time.perf_counter()
            try:
                reply = await step(client) if step else await client.request("GET", path)
            except HTTPError as exc:
                if measured:
                    result.error(str(exc))
                continue
            if measured:
                result.latencies.append(time.perf_counter() - started)
                if not 200 <= reply.status < 300:
                    result.error(f"{path} answered {reply.status}")

    await asyncio.gather(*(user(client, steps[i] if steps else None) for i, client in enumerate(clients)))
    result.elapsed = max(loop.time() - measure_from, 1e-9)
    return result
