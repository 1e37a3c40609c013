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
import contextlib
import gzip
import math
import re
import time
from collections.abc import Awaitable, Callable
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

    def add(self, other: Result) -> Result: ...


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
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
        return ordered[rank - 1] * 1000

    def error(self, message: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or message

    def add(self, other: Result) -> Result:
        """This and another turn of the same page, as one measurement (exact when both kept
        every latency)."""
        if isinstance(other, Measurement):
            return Measurement(self.latencies + other.latencies, self.errors + other.errors,
                               self.first_error or other.first_error, self.elapsed + other.elapsed)
        return Summary.of(self).add(other)


PERCENTILES = (0.5, 0.99)  # the ones the tables show, and all a Summary keeps


@dataclass
class Summary:
    """Figures without the single latencies: what wrk reports (requests, time, errors, p50, p99)."""

    requests: int = 0
    elapsed: float = 0.0
    errors: int = 0
    first_error: str | None = None
    percentiles: dict[float, float] = field(default_factory=dict)  # share → milliseconds

    @classmethod
    def of(cls, result: Result) -> Summary:
        return cls(result.requests, result.elapsed, result.errors, result.first_error,
                   {share: result.percentile(share) for share in PERCENTILES})

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Milliseconds, for a share in PERCENTILES (0 when nothing was measured)."""
        return self.percentiles[share] if self.requests else 0.0

    def add(self, other: Result) -> Result:
        """Two turns as one. The percentiles are each turn's weighted by its requests: close, not
        exact (wrk hands out percentiles, not latencies), and only with --rounds above 1."""
        total = self.requests + other.requests

        def mixed(share: float) -> float:
            if not total:
                return 0.0
            return (self.percentile(share) * self.requests + other.percentile(share) * other.requests) / total

        return Summary(total, self.elapsed + other.elapsed, self.errors + other.errors,
                       self.first_error or other.first_error, {share: mixed(share) for share in PERCENTILES})


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
