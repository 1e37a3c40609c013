"""The home page an anonymous visitor opens first (issue 21): challenges closing soonest,
running 公示, recent results, projects with their progress, the verification tools — in a
fixed number of queries, kept per data version, and only for visitors."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from arena.challenges.models import ChallengeStatus
from arena.execution import award
from arena.execution.models import Milestone, MilestoneStatus
from arena.publicity import service as publicity
from arena.review import service as review
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import fresh
from tests.execution.factories import actor, publicized


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


async def test_visitors_see_open_challenges_closing_soonest_first_and_never_drafts(browser, db, query_counter):
    organizer = await make_organizer(db, "org")
    await make_challenge(db, organizer, title="晚截止的榜", closes_at=NOW + timedelta(days=20))
    soon = await make_challenge(db, organizer, title="早截止的榜", closes_at=NOW + timedelta(days=2))
    await make_challenge(db, organizer, title="草稿榜单", status=ChallengeStatus.DRAFT)
    await make_challenge(db, organizer, title="尚未开榜", opens_at=NOW + timedelta(days=1),
                         closes_at=NOW + timedelta(days=1, hours=1))
    await db.commit()

    with query_counter() as few:
        page = (await browser.get("/")).text
    closing = _section(page, "home-closing")
    assert closing.index("早截止的榜") < closing.index("晚截止的榜")
    assert f'href="/challenges/{soon.id}"' in closing and "剩余 2 天" in closing
    assert "草稿榜单" not in page and "尚未开榜" not in closing
    for tool in ('href="/verify"', 'href="/audit/checkpoints"', 'href="/challenges?phase=reviewing"',
                 'href="/challenges?phase=publicity"'):
        assert tool in page
    assert '<link rel="alternate" type="application/atom+xml" href="/feed.atom"' in page
    assert 'href="/challenges?phase=open"' in closing  # 更多

    # More of everything costs no more queries; a second visit is one version lookup.
    for n in range(6):
        await make_challenge(db, organizer, title=f"更多榜单{n}", closes_at=NOW + timedelta(days=30 + n))
    await db.commit()
    with query_counter() as many:
        page = (await browser.get("/")).text
    assert many.count == few.count, many.statements
    assert len(re.findall(r'class="home-row-title"', _section(page, "home-closing"))) == 5
    with query_counter() as hit:
        again = (await browser.get("/")).text
    assert hit.count == 1, hit.statements
    assert _section(again, "home-closing") == _section(page, "home-closing")
    assert "晚截止的榜" in _section(page, "home-closing")  # still among the five soonest


async def test_home_follows_a_challenge_from_publicity_to_execution(browser, db, clock):
    story = await publicized(db, clock)
    page = (await browser.get("/")).text
    running = _section(page, "home-publicity")
    assert f'href="/results/{story.challenge_id}"' in running and "剩余" in running
    assert "暂无已公布的评审结果" in _section(page, "home-results")

    # The 公示 ends and the award follows: the cached page moves on by itself (a write, a clock).
    await awarded_after(db, clock, story)
    page = (await browser.get("/")).text
    assert "目前没有正在公示的事项" in _section(page, "home-publicity")
    results = _section(page, "home-results")
    assert f'href="/results/{story.challenge_id}"' in results and "已挂帅" in results
    projects = _section(page, "home-projects")
    await fresh(db)
    total = await db.scalar(select(func.count()).select_from(Milestone))
    assert f"已完成 0 / {total} 个节点任务" in projects

    milestone = await db.scalar(select(Milestone).order_by(Milestone.id).limit(1))
    milestone.status = MilestoneStatus.COMPLETED.value
    await db.commit()
    page = (await browser.get("/")).text
    assert f"已完成 1 / {total} 个节点任务" in _section(page, "home-projects")


async def awarded_after(db, clock, story) -> None:
    """Award the publicized story (the factory's own steps, from the publicity on), unsigned."""
    current = await publicity.current_publicity(db, story.challenge_id)
    clock.advance(current.ends_at - clock.now() + timedelta(hours=1))
    org = await actor(db, "org")
    await award.award(db, clock, org, await review.organizer_challenge(db, org, story.challenge_id))
    await db.commit()


async def test_logged_in_users_keep_their_own_home(browser, db):
    organizer = await make_organizer(db, "org")
    await make_challenge(db, organizer, title="早截止的榜", closes_at=NOW + timedelta(days=2))
    await db.commit()
    await browser.login("org")
    page = (await browser.get("/")).text
    assert "你好" in page and "即将截止的榜单" not in page and "公开核验" not in page
