from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.auth.sessions import SESSION_COOKIE
from tests.factories import make_user


async def test_login_with_right_password_opens_home_and_rotates_session(browser, db):
    await make_user(db, "alice", Role.ADMIN, name="艾丽")
    await db.commit()
    browser.client.cookies.set(SESSION_COOKIE, "stale-token-from-before", domain="testserver.local")
    await browser.login("alice")
    token = browser.client.cookies.get(SESSION_COOKIE)
    assert token and token != "stale-token-from-before"
    home = await browser.get("/")
    assert "你好，艾丽" in home.text
    actions = (await db.scalars(select(AuditEvent.action))).all()
    assert "auth.login" in actions


async def test_wrong_password_says_so_in_chinese_and_keeps_username(browser, db):
    await make_user(db, "bob", Role.CADRE)
    await db.commit()
    response = await browser.post("/login", {"username": "bob", "password": "wrong-password"})
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.text
    assert 'value="bob"' in response.text


async def test_repeated_failures_from_one_address_slow_then_pause_it_for_that_account(browser, db, clock):
    await make_user(db, "carol", Role.CADRE)
    await db.commit()
    for _ in range(3):
        response = await browser.post("/login", {"username": "carol", "password": "nope-nope"})
    assert "此地址再失败 2 次将暂停登录该账号 15 分钟" in response.text
    response = await browser.post("/login", {"username": "carol", "password": "nope-nope"})
    assert "秒后再试" in response.text
    clock.advance(timedelta(seconds=5))
    await browser.post("/login", {"username": "carol", "password": "nope-nope"})
    clock.advance(timedelta(seconds=10))
    response = await browser.post("/login", {"username": "carol", "password": "nope-nope"})
    assert "此地址登录该账号失败次数过多，已暂停至 10:15" in response.text  # Beijing time
    # Even the right password is refused from this address while paused.
    response = await browser.post("/login", {"username": "carol", "password": "arena-demo"})
    assert "此地址登录该账号失败次数过多" in response.text
    clock.advance(timedelta(minutes=16))
    await browser.login("carol")


async def test_many_failures_from_one_address_lock_that_address(browser, db, clock):
    for i in range(20):
        await browser.post("/login", {"username": f"ghost{i}", "password": "whatever1"})
        clock.advance(timedelta(seconds=1))
    await make_user(db, "dave", Role.CADRE)
    await db.commit()
    response = await browser.post("/login", {"username": "dave", "password": "arena-demo"})
    assert "此地址登录失败次数过多" in response.text


async def test_logout_revokes_the_session_on_the_server(browser, db):
    await make_user(db, "erin", Role.ORGANIZER)
    await db.commit()
    await browser.login("erin")
    token = browser.client.cookies.get(SESSION_COOKIE)
    await browser.logout()
    browser.client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
    response = await browser.get("/account/password")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_post_without_csrf_token_is_refused_with_a_friendly_page(browser, db):
    await make_user(db, "frank", Role.ADMIN)
    await db.commit()
    await browser.login("frank")
    response = await browser.post("/logout", csrf=False)
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "Traceback" not in response.text


async def test_open_redirect_after_login_is_refused(browser, db):
    await make_user(db, "gina", Role.ADMIN)
    await db.commit()
    response = await browser.post("/login", {"username": "gina", "password": "arena-demo",
                                             "next": "//evil.example.com/"})
    assert response.headers["location"] == "/"


async def test_changing_own_password_needs_the_current_one(browser, db):
    await make_user(db, "hank", Role.CADRE)
    await db.commit()
    await browser.login("hank")
    response = await browser.post("/account/password", {"current_password": "bad", "new_password": "new-secret-1",
                                                        "confirm": "new-secret-1"})
    assert response.status_code == 400
    assert "当前密码不正确" in response.text
    response = await browser.post("/account/password", {"current_password": "arena-demo",
                                                        "new_password": "new-secret-1", "confirm": "new-secret-1"})
    assert "密码已修改" in response.text
    await browser.logout()
    await browser.login("hank", "new-secret-1")
