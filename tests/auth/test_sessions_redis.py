"""Sessions in Redis (ARENA_REDIS_URL): shared by every process, revoked at logout and reset."""

from __future__ import annotations

import dataclasses

import pytest

from arena.app import create_app
from arena.auth.models import Role
from arena.auth.sessions import RedisSessionStore
from tests.conftest import REDIS_URL, Browser, make_client, needs_redis
from tests.factories import make_user

pytestmark = needs_redis


@pytest.fixture
async def redis_app(settings, clock):
    return create_app(dataclasses.replace(settings, redis_url=REDIS_URL), clock=clock)


async def test_login_lives_in_redis_and_a_second_process_sees_it(redis_app, settings, clock, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    assert isinstance(redis_app.state.session_store, RedisSessionStore)
    async with make_client(redis_app) as client:
        browser = Browser(client)
        await browser.login("adm")
        assert (await browser.get("/admin/users")).status_code == 200
        # Another process: a separate app object sharing the same Redis and database.
        other = create_app(dataclasses.replace(settings, redis_url=REDIS_URL), clock=clock)
        async with make_client(other) as second:
            second.cookies.update(client.cookies)
            assert (await second.get("/admin/users")).status_code == 200
        token = client.cookies.get("arena_session")
        await browser.logout()
        client.cookies.set("arena_session", token)  # the old cookie, replayed: revoked in Redis
        assert (await browser.get("/admin/users")).status_code == 303


async def test_password_reset_revokes_every_redis_session(redis_app, db):
    await make_user(db, "adm", Role.ADMIN)
    target = await make_user(db, "victim", Role.CADRE)
    await db.commit()
    async with make_client(redis_app) as admin_client, make_client(redis_app) as victim_client:
        admin, victim = Browser(admin_client), Browser(victim_client)
        await admin.login("adm")
        await victim.login("victim")
        assert (await victim.get("/account/password")).status_code == 200
        response = await admin.post(f"/admin/users/{target.id}/password", {"password": "a-brand-new-password"})
        assert response.status_code == 303
        assert (await victim.get("/account/password")).status_code == 303
