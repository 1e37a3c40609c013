"""Where one page's milliseconds go: the page requested in process, many times, under cProfile.

    ARENA_DATABASE_URL=… python -m arena.bench.profile home-cadre [--requests 200] [--top 25]

The database must hold the demo (`arena demo`, with the same ARENA_DEMO_PASSWORD; the scoring
pages need `--review-load`). The page is one of the bench's (arena.bench.runner.PAGES),
followed through its hops as the bench does, or a path (`--user` to log in first). It is
requested in the same process as the application through httpx's ASGI transport, so the
profile holds the server's work only: no sockets, no load client. Printed: milliseconds per
request (one at a time, unprofiled), then the functions that cost most, by their own time and
with what they call. Logged-in pages are kept between writes (arena.web.page_cache), so a
repeated request measures a kept page; `--cold` empties that cache before every request, to
measure the page's own work, as its first visit after a write costs. `autosave` posts the score
sheet as htmx autosave does, one save after another.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import re
import time
from typing import Any

import httpx

from arena.app import create_app
from arena.bench.load import CSRF_FIELD
from arena.bench.runner import PAGES, REVISION, Page
from arena.settings import Settings


async def _client(app: Any, page: Page, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
                               base_url="http://127.0.0.1", follow_redirects=False)
    if page.user:
        await client.get("/login")
        answer = await client.post("/login", data={"username": page.user, "password": password, "next": "/",
                                                   "_csrf_token": client.cookies.get("csrftoken", "")})
        if answer.status_code != 303:
            raise SystemExit(f"could not log in as {page.user}: HTTP {answer.status_code}")
    return client


async def _path(client: httpx.AsyncClient, page: Page) -> str:
    """The page's path after its hops (the first match of each), as the bench finds it."""
    path = page.path
    for hop in page.hops:
        found = re.search(hop, (await client.get(path)).text)
        if found is None:
            raise SystemExit(f"{page.name}: no link matching {hop} on {path}")
        path = found.group(0)
    return path


async def _measure(page: Page, requests: int, cold: bool = False) -> tuple[str, float, cProfile.Profile]:
    settings = Settings.from_env()
    app = create_app(settings)

    async def get(path: str) -> httpx.Response:
        if cold:
            app.state.page_cache.clear()
        if page.autosave:
            return await save(path)
        return await client.get(path)

    async def save(path: str) -> httpx.Response:
        """The sheet's form posted as htmx autosave does, with the revision the last save gave."""
        form = {"_csrf_token": token, "revision": state["revision"], "comment": "",
                **{name: str(int(state["revision"]) % 10) for name in inputs}}
        answer = await client.post(path, data=form, headers={"HX-Request": "true", "x-csrftoken": token})
        saved = REVISION.search(answer.content)
        if saved:
            state["revision"] = saved.group(1).decode()
        return answer

    async with app.lifespan():
        client = await _client(app, page, settings.demo_password)
        path = await _path(client, page)
        if page.autosave:
            sheet = (await client.get(path)).content
            found_token, found_revision = CSRF_FIELD.search(sheet), REVISION.search(sheet)
            if found_token is None or found_revision is None:
                raise SystemExit(f"{path}: no form to autosave")
            token, state = found_token.group(1).decode(), {"revision": found_revision.group(1).decode()}
            inputs = sorted({name.decode() for name in re.findall(rb'name="(c-\d+)"', sheet)})
        for _ in range(10):  # warm: templates compiled, statements cached
            await get(path)
        started = time.perf_counter()
        for _ in range(requests):
            await get(path)
        elapsed = time.perf_counter() - started
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            answer = await get(path)
        profiler.disable()
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}")
        await client.aclose()
    return path, elapsed * 1000 / requests, profiler


def main(argv: list[str] | None = None) -> None:
    known = {page.name: page for page in PAGES if page.server != "baseline"}
    parser = argparse.ArgumentParser(prog="python -m arena.bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("page", help="a page of the bench (" + ", ".join(sorted(known)) + ") or a path")
    parser.add_argument("--user", help="log in as this demo user first (for a path)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cold", action="store_true", help="render every time (no kept logged-in page)")
    args = parser.parse_args(argv)
    page = known.get(args.page) or Page(args.page, args.page, user=args.user)
    if not page.path.startswith("/"):
        parser.error(f"{args.page}: neither a page of the bench nor a path")
    path, per_request, profiler = asyncio.run(_measure(page, args.requests, args.cold))
    how = "rendered every time" if args.cold else "kept pages reused"
    print(f"{args.page}: {path}, {per_request:.2f} ms per request in process (one at a time, {how}, not profiled)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
