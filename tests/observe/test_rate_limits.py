"""Rate limits on login, uploads and the API: counted per window, refused with a message in the
user's language and Retry-After, shared through Redis by every process."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

from sqlalchemy import func, select

from arena.app import create_app
from arena.challenges.models import ChallengeStatus
from arena.files.models import StoredFile
from arena.ratelimit import Limit, MemoryLimiter, RedisLimiter, decide
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.conftest import REDIS_URL, Browser, make_client, needs_redis

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"





def test_a_decision_counts_down_and_rounds_the_wait_up():
    limit = Limit("login", 3)
    assert decide(limit, 1, 59.2) == decide(limit, 1, 59.9)
    assert decide(limit, 3, 10.1).allowed and decide(limit, 3, 10.1).remaining == 0
    refused = decide(limit, 4, 0.2)
    assert not refused.allowed and refused.reset == 1


async def test_the_memory_window_opens_at_the_first_hit_and_ends_after_its_seconds():
    limiter, limit = MemoryLimiter(), Limit("upload", 2, seconds=60)
    answers = [await limiter.hit(limit, "user:1", now=1000.0 + n) for n in range(3)]
    assert [a.allowed for a in answers] == [True, True, False]
    assert answers[2].reset == 58
    assert (await limiter.hit(limit, "user:2", now=1002.0)).allowed  # each key its own budget
    assert (await limiter.hit(limit, "user:1", now=1060.0)).allowed  # a new window


@needs_redis
async def test_in_redis_concurrent_hits_from_two_processes_never_overshoot():
    prefix = f"arena-test-{uuid.uuid4().hex[:8]}"
    first, second = RedisLimiter(REDIS_URL, prefix), RedisLimiter(REDIS_URL, prefix)
    limit = Limit("api", 10)
    answers = await asyncio.gather(*[(first if n % 2 else second).hit(limit, "token:x") for n in range(40)])
    assert sum(a.allowed for a in answers) == 10
    assert all(1 <= a.reset <= 60 for a in answers)
    await first.redis.aclose()
    await second.redis.aclose()


async def test_too_many_login_attempts_from_one_address_get_a_429_before_any_password_check(settings, clock, db):
    app = create_app(dataclasses.replace(settings, login_rate_limit=3), clock=clock)
    await make_organizer(db, "org")
    await db.commit()
    async with make_client(app) as client:
        browser = Browser(client)
        answers = [await browser.post("/login", {"username": "org", "password": "wrong", "next": "/"})
                   for _n in range(3)]
        assert [a.status_code for a in answers] == [400, 400, 400]
        refused = await browser.post("/login", {"username": "org", "password": "arena-demo", "next": "/"})
        assert refused.status_code == 429
        assert "登录尝试过于频繁" in refused.text and 'value="org"' in refused.text  # the form comes back
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        client.cookies.set("arena_lang", "en")
        english = await browser.post("/login", {"username": "org", "password": "arena-demo", "next": "/"})
        assert english.status_code == 429 and "Too many login attempts" in english.text
    await app.state.engine.dispose()


async def test_certificate_look_ups_from_one_address_are_limited(settings, clock):
    app = create_app(dataclasses.replace(settings, verify_rate_limit=2), clock=clock)
    async with make_client(app) as client:
        assert (await client.get("/verify")).status_code == 200  # the empty form costs nothing
        answers = [(await client.get(f"/verify/ABCD-EFGH-{n:04d}")).status_code for n in range(2)]
        assert answers == [404, 404]
        refused = await client.get("/verify?code=ABCD-EFGH-0003")
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        assert "核验过于频繁" in refused.text and 'value="ABCD-EFGH-0003"' in refused.text
        assert "未找到验证码" not in refused.text  # no verdict either way while refused
        client.cookies.set("arena_lang", "en")
        assert "Too many verifications" in (await client.get("/verify/ABCD-EFGH-0004")).text
    await app.state.engine.dispose()


async def test_uploads_over_the_budget_are_refused_with_the_form_and_nothing_stored(settings, clock, db):
    app = create_app(dataclasses.replace(settings, upload_rate_limit=1), clock=clock)
    organizer = await make_organizer(db, "org")
    challenge = await make_challenge(db, organizer, status=ChallengeStatus.DRAFT)
    await db.commit()
    async with make_client(app) as client:
        browser = Browser(client)
        await browser.login("org")

        async def upload(name: str):
            return await client.post(f"/organizer/challenges/{challenge.id}/attachments",
                                     files={"file": (name, PDF + name.encode(), "application/pdf")},
                                     data={"title": "实施方案", "_csrf_token": await browser.csrf()})

        assert (await upload("a.pdf")).status_code == 303
        refused = await upload("b.pdf")
        assert refused.status_code == 400 and "上传过于频繁" in refused.text
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 1
    await app.state.engine.dispose()


@needs_redis
async def test_with_redis_two_app_processes_share_the_login_budget(settings, clock, db):
    shared = dataclasses.replace(settings, login_rate_limit=2, redis_url=REDIS_URL,
                                 redis_prefix=f"arena-test-{uuid.uuid4().hex[:8]}")
    apps = [create_app(shared, clock=clock), create_app(shared, clock=clock)]
    statuses = []
    for app in [*apps, apps[0]]:
        async with make_client(app) as client:
            statuses.append((await Browser(client).post("/login", {"username": "nobody", "password": "x"})).status_code)
    assert statuses == [400, 400, 429]
    for app in apps:
        await app.state.engine.dispose()
