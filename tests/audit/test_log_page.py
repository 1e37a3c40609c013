"""The audit log page: who did what, in words the reader understands."""

from __future__ import annotations

from arena.auth.models import Role
from tests.factories import make_user


async def test_audit_log_names_roles_in_the_readers_language(browser, db):
    await make_user(db, "insp", Role.INSPECTOR)
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    await browser.post("/admin/users/new", {"username": "newbie", "display_name": "新人", "roles": "cadre",
                                            "password": "a-long-enough-password"})
    await browser.logout()
    await browser.login("insp")
    page = await browser.get("/audit")
    assert page.status_code == 200
    assert "<td>系统管理员</td>" in page.text and "<td>本人</td>" in page.text
    assert "<td>admin</td>" not in page.text
    assert "<td>创建账号<br>" in page.text and "<code class=\"small muted\">user.create</code>" in page.text
    browser.client.cookies.set("arena_lang", "en")
    english = await browser.get("/audit")
    assert "<td>System administrator</td>" in english.text and "<td>Self</td>" in english.text
