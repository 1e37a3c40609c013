"""The logged-in pages kept per process and per session (arena.web.page_cache).

- A kept page is the page: every kept page the demo's roles can reach renders byte for byte the
  same again, and a second visit is answered from the cache with those same bytes.
- Never another session's: two people, and one person's two sessions, each get their own; a
  session that was revoked, or an account that lost a role, is checked again before anything
  kept is sent.
- Never stale: a write from any process shows at the next request; so does the clock reaching
  a bid window or midnight, and MAX_AGE.
- A request that writes is not kept, nor a page for a visitor who is not logged in.
"""

from __future__ import annotations

import difflib
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar, get
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from arena.app import create_app
from arena.auth.models import Role, User, UserRole
from arena.challenges.models import Challenge
from arena.clock import FrozenClock
from arena.notify.models import Notification
from arena.settings import Settings
from arena.web.deps import ActorDep, DbSession
from arena.web.page_cache import KEPT, MAX_AGE, PageCache
from tests.conftest import Browser, as_user, make_client
from tests.crawl import links

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
ROLES = ("admin", "organizer", "cadre1", "cadre9", "cadre14", "expert1", "inspector", "orgdept")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def demo_app(demo_template: Path, tmp_path: Path, clock: FrozenClock) -> Litestar:
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    settings = Settings(env="development", database_url=f"sqlite+aiosqlite:///{target}",
                        secret_key="test-secret-" + "x" * 40, var_dir=tmp_path / "var",
                        files_dir=tmp_path / "files", demo_password="arena-demo")
    return create_app(settings, clock=clock)


def cache_of(app: Litestar) -> PageCache:
    cache: PageCache = app.state.page_cache
    return cache


async def visit(browser: Browser, url: str) -> tuple[int, str]:
    answer = await browser.get(url)
    return answer.status_code, answer.text


async def test_every_kept_page_is_the_page(demo_app):
    """Each role's reachable kept pages: the kept bytes equal a fresh render at the same moment,
    and the next visit is a hit."""
    cache = cache_of(demo_app)
    kept_shapes: set[str] = set()
    for username in ROLES:
        browser = await as_user(demo_app, username)
        queue, seen = ["/"], set()
        while queue and len(seen) < 40:
            url = queue.pop(0)
            if url in seen or url.endswith((".pdf", ".xlsx", ".csv", ".ics", ".atom", ".json", ".pem")):
                continue
            seen.add(url)
            before = len(cache.entries)
            status, first = await visit(browser, url)
            assert status < 500, url
            if len(cache.entries) > before:  # kept: a pure read that answered 200 HTML
                kept_shapes.add(url)
                hits = cache.hits
                assert await visit(browser, url) == (200, first), url
                assert cache.hits == hits + 1, f"{username}: {url} was kept but not reused"
                cache.clear()
                again = await visit(browser, url)
                difference = "\n".join(difflib.unified_diff(first.splitlines(), again[1].splitlines(), lineterm=""))
                assert again == (200, first), f"{username}: {url} renders differently:\n{difference}"
            queue += [link for link, htmx in links(url, first) if not htmx and "/files/" not in link]
    # The crawl reached the working pages of every role (home, lists, a dossier, the review…).
    assert len(kept_shapes) >= 25, sorted(kept_shapes)


async def test_each_session_has_its_own_pages(demo_app):
    async with demo_app.state.session_maker() as db:
        await db.execute(update(User).where(User.username == "cadre1").values(display_name="甲方独有之名"))
        await db.commit()
    first = await as_user(demo_app, "cadre1")
    other = await as_user(demo_app, "cadre2")
    again = await as_user(demo_app, "cadre1")  # the same person in a second browser
    _, mine = await visit(first, "/dossier")
    _, theirs = await visit(other, "/dossier")
    assert "甲方独有之名" in mine and "甲方独有之名" not in theirs
    hits = cache_of(demo_app).hits
    _, second_browser = await visit(again, "/dossier")
    assert cache_of(demo_app).hits == hits, "a kept page went to another session"
    assert "甲方独有之名" in second_browser


async def test_a_visitor_not_logged_in_gets_nothing_kept_here(demo_app):
    """Public pages keep their bodies for every visitor in public_cache instead."""
    visitor = Browser(make_client(demo_app))
    await visitor.csrf()
    for _ in range(2):
        assert (await visitor.get("/challenges/1")).status_code == 200
    assert not cache_of(demo_app).entries


async def test_a_revoked_session_gets_nothing_kept(demo_app):
    browser = await as_user(demo_app, "cadre1")
    assert (await visit(browser, "/dossier"))[0] == 200
    assert (await visit(browser, "/dossier"))[0] == 200  # now kept
    async with demo_app.state.session_maker() as db:
        user_id = await db.scalar(select(User.id).where(User.username == "cadre1"))
        await demo_app.state.session_store.revoke_all(db, user_id, NOW)  # a web_session write: no bump
        await db.commit()
    answer = await browser.get("/dossier")
    assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]


async def test_a_role_taken_away_shows_at_once(demo_app):
    browser = await as_user(demo_app, "organizer")
    assert (await visit(browser, "/organizer/board"))[0] == 200
    assert (await visit(browser, "/organizer/board"))[0] == 200
    async with demo_app.state.session_maker() as db:
        user_id = await db.scalar(select(User.id).where(User.username == "organizer"))
        await db.execute(delete(UserRole).where(UserRole.user_id == user_id, UserRole.role == Role.ORGANIZER.value))
        await db.commit()
    assert (await browser.get("/organizer/board")).status_code == 403


async def test_a_write_from_anywhere_shows_at_the_next_request(demo_app):
    browser = await as_user(demo_app, "cadre1")
    _, before = await visit(browser, "/")
    _, badge = await visit(browser, "/inbox/unread-count")
    assert (await visit(browser, "/inbox/unread-count"))[1] == badge
    # Another process's write: a session of its own, as the worker or a second server would.
    async with demo_app.state.session_maker() as db:
        user_id = await db.scalar(select(User.id).where(User.username == "cadre1"))
        db.add_all([Notification(recipient_id=user_id, kind="test", title="新到的一条消息") for _ in range(3)])
        await db.commit()
    _, newer = await visit(browser, "/inbox/unread-count")
    assert newer != badge
    async with demo_app.state.session_maker() as db:
        await db.execute(update(User).where(User.id == user_id).values(display_name="改过的名字"))
        await db.commit()
    _, after = await visit(browser, "/")
    assert "改过的名字" not in before and "改过的名字" in after


async def _next_window(db: AsyncSession) -> datetime:
    moment = await db.scalar(select(Challenge.bid_closes_at).where(Challenge.bid_closes_at > NOW)
                             .order_by(Challenge.bid_closes_at))
    assert moment is not None
    return moment


async def test_the_clock_reaching_a_window_renders_again(demo_app, clock):
    async with demo_app.state.session_maker() as db:
        window = await _next_window(db)
    clock.at = window - timedelta(seconds=10)
    browser = await as_user(demo_app, "cadre1")
    await visit(browser, "/challenges/eligible")
    entry = next(iter(cache_of(demo_app).entries.values()))
    assert entry.valid_until == window
    hits = cache_of(demo_app).hits
    await visit(browser, "/challenges/eligible")
    assert cache_of(demo_app).hits == hits + 1
    clock.advance(timedelta(seconds=10))
    await visit(browser, "/challenges/eligible")
    assert cache_of(demo_app).hits == hits + 1, "kept past the window's moment"


async def test_nothing_is_kept_longer_than_max_age(demo_app, clock):
    browser = await as_user(demo_app, "cadre9")
    await visit(browser, "/dossier")
    entry = next(iter(cache_of(demo_app).entries.values()))
    assert entry.valid_until <= NOW + MAX_AGE
    clock.advance(MAX_AGE)
    hits = cache_of(demo_app).hits
    await visit(browser, "/dossier")
    assert cache_of(demo_app).hits == hits
    clock.advance(-2 * MAX_AGE)  # a clock set back never gets a page rendered "later"
    await visit(browser, "/dossier")
    assert cache_of(demo_app).hits == hits


async def test_a_request_that_writes_is_not_kept(demo_app):
    @get("/test/writes-as-it-reads", opt={"login": True, **KEPT}, media_type="text/html")
    async def writes(db_session: DbSession, actor: ActorDep) -> str:
        db_session.add(Notification(recipient_id=actor.user_id, kind="test", title="读时写入"))
        return "<p>" + "x" * 2000 + "</p>"

    demo_app.register(writes)
    browser = await as_user(demo_app, "cadre1")
    for _ in range(2):
        assert (await browser.get("/test/writes-as-it-reads")).status_code == 200
    assert not cache_of(demo_app).entries
    async with demo_app.state.session_maker() as db:
        assert len((await db.scalars(select(Notification).where(Notification.title == "读时写入"))).all()) == 2


def test_only_get_html_of_kept_routes_by_a_logged_in_session(demo_app):
    kept = sorted(route.path for route in demo_app.routes
                  for handler in getattr(route, "route_handlers", []) if handler.opt.get("page_cache"))
    assert "/review/sheets/{sheet_id:int}" in kept and "/" in kept
    assert not [path for path in kept if path.startswith(("/api", "/login", "/logout", "/static"))]
