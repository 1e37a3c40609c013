"""The public pages kept per process (arena.web.public_cache) are never stale.

- Every public page of the demo, rendered for an anonymous visitor, reads no table whose writes
  the "public" version ignores (so the ignore list can only hold tables no public page shows).
- A write to any other table, through the ORM, a bulk statement or plain SQL, shows at the
  visitor's next request; so does the clock passing a moment the page depends on.
- Writes to the ignored tables (sessions, experts' autosaves…) leave the kept pages alone.
- Logged-in readers and query strings never get the anonymous body.
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from sqlalchemy import select, text, update

from arena import data_versions
from arena.app import create_app
from arena.auth.models import User
from arena.challenges.models import Challenge, ChallengeStatus, MilestoneTemplate
from arena.clock import Clock
from arena.db import Base
from arena.notify.models import Notification
from arena.settings import Settings
from arena.web import public_cache
from tests.challenges.public_factories import make_full_challenge, make_organizer
from tests.conftest import Browser, as_user, count_queries, make_client


@pytest.fixture
async def demo_app(demo_template: Path, tmp_path: Path) -> Litestar:
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    settings = Settings(env="development", database_url=f"sqlite+aiosqlite:///{target}",
                        secret_key="test-secret-" + "x" * 40, var_dir=tmp_path / "var",
                        files_dir=tmp_path / "files", demo_password="arena-demo")
    return create_app(settings, clock=Clock())


def _tables_in(statement: str) -> set[str]:
    return {t for t in Base.metadata.tables if re.search(rf'\b"?{t}"?\b', statement)}


def test_the_ignored_tables_exist():
    assert set(public_cache.IGNORED_TABLES) <= set(Base.metadata.tables)


async def test_no_public_page_reads_a_table_whose_writes_are_ignored(demo_app):
    async with demo_app.state.session_maker() as db:
        ids = (await db.scalars(select(Challenge.id).where(Challenge.status != ChallengeStatus.DRAFT.value))).all()
    urls = ["/", "/feed.atom", "/challenges", "/publicity/records", "/honours"]
    for challenge_id in ids:
        urls += [f"/challenges/{challenge_id}", f"/results/{challenge_id}", f"/challenges/{challenge_id}/calendar.ics"]
    visitor = Browser(make_client(demo_app))
    read: dict[str, set[str]] = {}
    shown = 0
    with count_queries(demo_app.state.engine) as queries:
        for url in urls:
            start = len(queries.statements)
            answer = await visitor.get(url)
            assert answer.status_code in (200, 404), url
            shown += answer.status_code == 200
            for statement in queries.statements[start:]:
                if "audit_event" in statement:
                    # the one exception (public_cache.IGNORED_TABLES): a challenge's own
                    # transitions, and the sheets' commitments from before a review froze
                    assert "audit_event.object_type" in statement and (
                        "audit_event.action IN" in statement or "audit_event.occurred_at <=" in statement), statement
                    continue
                for table in _tables_in(statement) & (set(public_cache.IGNORED_TABLES) - {"data_version"}):
                    read.setdefault(table, set()).add(url)
    assert shown > 3 * len(ids) // 2  # the crawl reached the pages (results exist for part of the demo)
    assert read == {}, f"public pages read tables whose writes do not refresh them: {read}"


async def _page(visitor: Browser, url: str) -> str:
    answer = await visitor.get(url)
    assert answer.status_code == 200
    return str(answer.text)


async def _published(app, db) -> tuple[User, Challenge, str, Browser]:
    """A published challenge with every section, its page's address and an anonymous visitor."""
    organizer = await make_organizer(db)
    challenge = await make_full_challenge(db, organizer)
    await db.commit()
    return organizer, challenge, f"/challenges/{challenge.id}", Browser(make_client(app))


async def test_every_kind_of_write_shows_at_the_next_request(app, db, query_counter):
    _organizer, challenge, url, visitor = await _published(app, db)
    assert "完成需求调研" in await _page(visitor, url)
    with query_counter() as kept:
        await _page(visitor, url)
    assert kept.count == 1  # the version, and nothing else

    # through the unit of work (a table no other cache watches)
    template = await db.scalar(select(MilestoneTemplate).where(MilestoneTemplate.challenge_id == challenge.id,
                                                               MilestoneTemplate.position == 1))
    assert template is not None
    template.title = "完成需求调研（修订一）"
    await db.commit()
    assert "完成需求调研（修订一）" in await _page(visitor, url)
    # a bulk statement
    await db.execute(update(MilestoneTemplate).where(MilestoneTemplate.id == template.id)
                     .values(title="完成需求调研（修订二）"))
    await db.commit()
    assert "完成需求调研（修订二）" in await _page(visitor, url)
    # plain SQL
    await db.execute(text("UPDATE milestone_template SET title = '完成需求调研（修订三）' WHERE id = :id"),
                     {"id": template.id})
    await db.commit()
    assert "完成需求调研（修订三）" in await _page(visitor, url)


async def test_a_rolled_back_write_and_an_ignored_table_leave_the_kept_page(app, db, query_counter):
    organizer, challenge, url, visitor = await _published(app, db)
    await _page(visitor, url)
    before = await data_versions.current(db, public_cache.NAME)
    db.add(Notification(recipient_id=organizer.id, kind="test", title="仅本人可见"))
    await db.commit()
    (await db.get_one(Challenge, challenge.id)).title = "回滚的标题"
    await db.flush()
    await db.rollback()
    assert await data_versions.current(db, public_cache.NAME) == before
    with query_counter() as kept:
        page = await _page(visitor, url)
    assert kept.count == 1 and "回滚的标题" not in page


async def test_the_clock_alone_closes_the_window_on_a_kept_page(app, db, clock):
    _organizer, challenge, url, visitor = await _published(app, db)
    assert "已截止" not in await _page(visitor, url)
    assert challenge.bid_closes_at is not None
    clock.advance(challenge.bid_closes_at - clock.now() + timedelta(seconds=1))
    assert "已截止" in await _page(visitor, url)


async def test_readers_who_are_logged_in_or_bring_a_query_string_get_their_own_page(app, db):
    organizer, _challenge, url, visitor = await _published(app, db)
    assert "登录后可以向发榜人提问" in await _page(visitor, url)  # the body is now kept
    reader = await as_user(app, organizer.username)
    assert "登录后可以向发榜人提问" not in await _page(reader, url)
    assert 'name="question"' in await _page(reader, url)
    assert "问题已提交" in await _page(reader, url + "?asked=1")
    assert "问题已提交" not in await _page(visitor, url)
