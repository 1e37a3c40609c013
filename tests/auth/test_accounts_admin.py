from __future__ import annotations

import pytest
from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role, User
from tests.factories import make_user

HOSTILE = ["", "x" * 10_000, "😀🎉", "<script>alert(1)</script>", "' OR 1=1 --", "\x00"]


@pytest.fixture
async def admin(browser, db):
    await make_user(db, "root", Role.ADMIN, name="管理员")
    await db.commit()
    await browser.login("root")
    return browser


async def test_admin_creates_an_account_with_roles_and_it_is_audited(admin, db):
    response = await admin.post("/admin/users/new", {"username": "newbie", "display_name": "新人",
                                                     "roles": ["cadre", "expert"], "password": "long-enough-1"})
    assert response.status_code == 303
    user = await db.scalar(select(User).where(User.username == "newbie"))
    assert user is not None and user.role_set == {Role.CADRE, Role.EXPERT}
    assert await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.create"))


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_account_input_gets_a_chinese_message_and_the_form_back(admin, db, value):
    before = await db.scalar(select(func.count()).select_from(User))
    response = await admin.post("/admin/users/new", {"username": value, "display_name": value,
                                                     "roles": ["nonsense"], "password": "x"})
    assert response.status_code == 400
    assert "请修改以下问题" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert await db.scalar(select(func.count()).select_from(User)) == before


async def test_admin_resets_a_password_and_the_users_sessions_end(admin, other_browser, db):
    await make_user(db, "cad", Role.CADRE)
    await db.commit()
    await other_browser.login("cad")
    user = await db.scalar(select(User).where(User.username == "cad"))
    response = await admin.post(f"/admin/users/{user.id}/password", {"password": "brand-new-pass"})
    assert response.status_code == 303
    assert (await other_browser.get("/account/password")).status_code == 303
    await other_browser.login("cad", "brand-new-pass")


async def test_admin_cannot_remove_their_own_admin_role(admin, db):
    me = await db.scalar(select(User).where(User.username == "root"))
    response = await admin.post(f"/admin/users/{me.id}", {"display_name": "管理员", "roles": ["cadre"],
                                                          "is_active": "1"})
    assert response.status_code == 400
    assert "不能取消自己的系统管理员角色" in response.text


async def test_deactivated_account_cannot_log_in(admin, other_browser, db):
    user = await make_user(db, "gone", Role.CADRE)
    await db.commit()
    await admin.post(f"/admin/users/{user.id}", {"display_name": "离职", "roles": ["cadre"]})
    response = await other_browser.post("/login", {"username": "gone", "password": "arena-demo"})
    assert response.status_code == 400


async def test_user_list_is_paginated_in_a_fixed_number_of_queries(admin, db, query_counter):
    counts = []
    for batch in (5, 45):
        for _ in range(batch):
            await make_user(db, None, Role.CADRE)
        await db.commit()
        with query_counter() as counter:
            response = await admin.get("/admin/users")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert "下一页" in response.text


async def test_admin_sets_an_email_address_for_notifications(admin, db):
    user = await make_user(db, "mailme", Role.CADRE)
    await db.commit()
    uid = user.id
    bad = await admin.post(f"/admin/users/{uid}", {"display_name": "张三", "roles": "cadre", "is_active": "1",
                                                   "email": "not an address"})
    assert bad.status_code == 400 and "邮箱格式不正确" in bad.text and "not an address" in bad.text
    ok = await admin.post(f"/admin/users/{uid}", {"display_name": "张三", "roles": "cadre", "is_active": "1",
                                                  "email": "zhangsan@jiangzhou.gov.cn"})
    assert ok.status_code == 303
    await db.rollback()
    db.expunge_all()
    assert (await db.get(User, uid)).email == "zhangsan@jiangzhou.gov.cn"
