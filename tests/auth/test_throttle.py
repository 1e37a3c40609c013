"""Wrong passwords are throttled per (account, address), per address and — only slowed — per
account, so guessing is slow but no stranger can lock an owner out (issue 19). Re-entering the
password to sign the commitment (军令状) or to change it counts as a login attempt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from arena.auth import throttle
from arena.auth.models import LoginThrottle, Role, User
from arena.clock import to_display
from arena.execution.models import Project
from arena.worker import run_pass
from tests.conftest import Browser, fresh
from tests.execution.factories import awarded
from tests.factories import make_user

OWNER = "10.1.0.5"  # the owner's own desk
STRANGER = "10.2.0.66"

PAUSED = "此地址登录该账号失败次数过多"


@pytest.fixture
async def at(app) -> AsyncIterator[Callable[[str], Browser]]:
    """`at(address)`: a browser whose requests come from `address` (the connection's peer)."""
    async with AsyncExitStack() as stack:
        def make(address: str) -> Browser:
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            client = httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                       follow_redirects=False)
            stack.push_async_callback(client.aclose)
            return Browser(client)

        yield make


async def guess(browser: Browser, username: str, password: str = "wrong-guess") -> httpx.Response:
    return await browser.post("/login", {"username": username, "password": password, "next": "/"})


async def fail_until_paused(browser: Browser, clock, username: str) -> None:
    """Wrong passwords, waiting out each growing delay, until this address is paused."""
    for _ in range(throttle.PAIR_LOCK_AFTER):
        response = await guess(browser, username)
        assert response.status_code == 400
        clock.advance(timedelta(seconds=5))
    assert PAUSED in response.text


async def test_a_strangers_wrong_passwords_from_another_address_do_not_keep_the_owner_out(at, db, clock):
    await make_user(db, "inspector1", Role.INSPECTOR)
    await db.commit()
    stranger = at(STRANGER)
    await fail_until_paused(stranger, clock, "inspector1")
    # The stranger's address is paused for this account: even the right password is not tried.
    refused = await guess(stranger, "inspector1", "arena-demo")
    assert refused.status_code == 400 and PAUSED in refused.text
    # The owner, at their own desk, logs in with the right password at once.
    assert (await guess(at(OWNER), "inspector1", "arena-demo")).status_code == 303


async def test_an_attackers_address_is_paused_for_every_account_after_many_failures(at, db, clock):
    await make_user(db, "expert1", Role.EXPERT)
    await db.commit()
    attacker = at(STRANGER)
    for n in range(throttle.ADDRESS_LOCK_AFTER):
        await guess(attacker, f"someone{n}")
        clock.advance(timedelta(seconds=1))
    response = await guess(attacker, "expert1", "arena-demo")
    assert response.status_code == 400 and "此地址登录失败次数过多，已暂停登录至" in response.text
    assert (await guess(at(OWNER), "expert1", "arena-demo")).status_code == 303


async def test_failures_from_many_addresses_slow_the_account_but_the_owner_gets_in_at_once(at, db, clock):
    await make_user(db, "expert2", Role.EXPERT)
    await db.commit()
    attackers = [at(f"10.3.0.{n}") for n in range(1, 7)]
    for attacker in attackers:  # 12 failures, two from each address: none of them paused yet
        for _ in range(2):
            assert "此地址再失败" in (await guess(attacker, "expert2")).text
    # The account is slowed for the addresses that have been failing: one try per ACCOUNT_PAUSE.
    slowed = await guess(attackers[0], "expert2", "arena-demo")
    assert slowed.status_code == 400 and "该账号近期在多处登录失败，请 15 秒后再试" in slowed.text
    clock.advance(throttle.ACCOUNT_PAUSE)
    assert "此地址再失败" in (await guess(attackers[1], "expert2")).text  # the one try of this pause
    assert "该账号近期在多处登录失败" in (await guess(attackers[2], "expert2")).text
    # The owner — from their own address, even after one typo of their own — gets in at once.
    owner = at(OWNER)
    assert "此地址再失败 4 次" in (await guess(owner, "expert2", "typo-typo")).text
    assert (await guess(owner, "expert2", "arena-demo")).status_code == 303


async def test_parallel_guesses_from_one_address_cannot_slip_past_the_slowdown(at, db, clock):
    await make_user(db, "expert3", Role.EXPERT)
    await db.commit()
    attacker = at(STRANGER)
    await attacker.csrf()
    answers = await asyncio.gather(*(guess(attacker, "expert3") for _ in range(8)))
    assert all(a.status_code == 400 for a in answers)
    await fresh(db)
    pair = await db.scalar(select(LoginThrottle).where(LoginThrottle.key == throttle.keys("expert3", STRANGER)[0]))
    # Decided one after another: three wrong passwords were checked, then the delay refused the rest.
    assert pair.failures == throttle.SLOW_AFTER
    assert sum("秒后再试" in a.text for a in answers) == 8 - throttle.SLOW_AFTER


async def test_wrong_passwords_at_signing_count_with_login_failures_and_then_refuse_even_the_right_one(
        app, at, db, clock):
    story = await awarded(db, clock, sign=False)
    pid = story.project_ids[0]
    lead = at(OWNER)
    await lead.login("lead1")
    lead_elsewhere = at(STRANGER)  # the same person's other address (or anyone else's)
    # Two wrong logins from the lead's address, then wrong passwords on the signing form.
    for _ in range(2):
        await guess(at(OWNER), "lead1")
    for left in (2, 1):
        clock.advance(timedelta(seconds=5))
        wrong = await lead.post(f"/projects/{pid}/sign", {"password": "not-my-password"})
        assert wrong.status_code == 400
        assert f"密码不正确，军令状未签署（此地址再失败 {left} 次将暂停登录该账号 15 分钟）" in wrong.text
    clock.advance(timedelta(seconds=5))
    wrong = await lead.post(f"/projects/{pid}/sign", {"password": "not-my-password"})
    until = to_display(clock.now() + throttle.LOCK_FOR).strftime("%H:%M")
    assert f"{PAUSED}，已暂停至 {until}。请稍后再试" in wrong.text
    # Paused: the right password signs nothing from this address, and logging in is paused too.
    right = await lead.post(f"/projects/{pid}/sign", {"password": "arena-demo"})
    assert right.status_code == 400 and PAUSED in right.text and 'name="password"' in right.text
    assert PAUSED in (await guess(at(OWNER), "lead1", "arena-demo")).text
    await fresh(db)
    assert (await db.get(Project, pid)).signed_at is None
    assert (await guess(lead_elsewhere, "lead1", "arena-demo")).status_code == 303  # not for other addresses
    clock.advance(throttle.LOCK_FOR)
    assert (await lead.post(f"/projects/{pid}/sign", {"password": "arena-demo"})).status_code == 303
    await fresh(db)
    assert (await db.get(Project, pid)).signed_at == clock.now()


async def test_wrong_current_passwords_count_with_login_failures_and_pause_changing_it(at, db, clock):
    user = await make_user(db, "hank2", Role.CADRE)
    await db.commit()
    old_hash = user.password_hash
    me = at(OWNER)
    await me.login("hank2")
    change = {"new_password": "new-secret-1", "confirm": "new-secret-1"}
    await guess(at(OWNER), "hank2")  # one wrong login first: they count together
    for left in (3, 2, 1):
        clock.advance(timedelta(seconds=5))
        wrong = await me.post("/account/password", {"current_password": "not-it-at-all"} | change)
        assert wrong.status_code == 400
        assert f"当前密码不正确（此地址再失败 {left} 次将暂停登录该账号 15 分钟）" in wrong.text
    clock.advance(timedelta(seconds=5))
    assert PAUSED in (await me.post("/account/password", {"current_password": "not-it-at-all"} | change)).text
    right = await me.post("/account/password", {"current_password": "arena-demo"} | change)
    assert right.status_code == 400 and PAUSED in right.text and "密码已修改" not in right.text
    await fresh(db)
    assert (await db.scalar(select(User.password_hash).where(User.username == "hank2"))) == old_hash
    clock.advance(throttle.LOCK_FOR)
    assert "密码已修改" in (await me.post("/account/password", {"current_password": "arena-demo"} | change)).text


async def test_the_worker_forgets_counters_a_day_old_but_keeps_pauses_in_force(app, db, clock):
    now = clock.now()
    old, day = now - timedelta(days=2), timedelta(days=1)
    db.add_all([
        LoginThrottle(key="pair:10.0.0.1 old", failures=2, last_failure_at=old, created_at=old, updated_at=old),
        LoginThrottle(key="addr:10.0.0.2", failures=20, last_failure_at=old, locked_until=now + day,
                      created_at=old, updated_at=old),
        LoginThrottle(key="user:recent", failures=1, last_failure_at=now - timedelta(minutes=5),
                      created_at=old, updated_at=old),
    ])
    await db.commit()
    assert await run_pass(app.state.session_maker, clock, None) == (0, 0)
    await fresh(db)
    kept = set((await db.scalars(select(LoginThrottle.key))).all())
    assert kept == {"addr:10.0.0.2", "user:recent"}
