"""Browser journeys of the foundation (issue 3), in Chromium against a live Arena with demo data.

Every demo role logs in through the real form, finds its own navigation and what needs its
attention, and logs out for good; the admin creates an account that then logs in; the inspector
verifies the audit chain. Accessibility is checked page by page in test_foundation_accessibility.
Full-page screenshots of each role's home page are kept in tests/.artifacts/ for people to look at.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from arena.auth.sessions import SESSION_COOKIE
from tests.e2e.conftest import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.e2e

EVERYONE = {"首页", "榜单大厅"}


@dataclass(frozen=True)
class DemoRole:
    username: str
    display_name: str
    nav_required: frozenset[str]  # entries that exist since the foundation
    nav_allowed: frozenset[str]  # every entry this role may ever see (later areas add theirs)
    attention: tuple[str, ...]  # titles of the attention items the demo data must produce


DEMO_ROLES = [
    DemoRole("admin", "赵立新", frozenset({"首页", "账号管理", "审计日志"}),
             frozenset(EVERYONE | {"账号管理", "单位", "人员", "领域", "工作日历", "审计日志", "接口客户端", "组织部门"}),
             ("单位与人员",)),
    DemoRole("organizer", "李明远", frozenset({"首页"}), frozenset(EVERYONE | {"我的发榜", "实施看板", "进展考核", "结果运用",
                                                                       "实绩档案", "统计报表"}), ()),
    DemoRole("inspector", "周正清", frozenset({"首页", "审计日志"}),
             frozenset(EVERYONE | {"审计日志", "廉政审查", "容错申请", "实绩档案", "抽取随机源",
                                    "结果运用意见"}), ("审计日志",)),
    DemoRole("expert1", "陈国华", frozenset({"首页", "我的评审"}), frozenset(EVERYONE | {"我的评审", "进展考核"}), ()),
    DemoRole("cadre1", "张伟", frozenset({"首页"}), frozenset(EVERYONE | {"可揭榜单", "我的揭榜", "我的项目", "我的档案",
                                                                      "我的结果运用"}), ()),
]


def nav_labels(page: Any) -> set[str]:
    return {text.strip() for text in page.locator("nav.main-nav a").all_inner_texts()}


def at_login(page: Any) -> bool:
    return re.search(r"/login(\?|$)", page.url) is not None


@pytest.mark.parametrize("role", DEMO_ROLES, ids=lambda r: r.username)
def test_each_demo_role_logs_in_sees_its_own_home_and_logs_out_for_good(page: Any, artifacts: Path,
                                                                         role: DemoRole) -> None:
    log_in(page, role.username)

    assert page.get_by_role("heading", level=1).inner_text() == f"你好，{role.display_name}"
    seen = nav_labels(page)
    assert role.nav_required <= seen, f"{role.username} misses {role.nav_required - seen}"
    assert seen <= role.nav_allowed, f"{role.username} sees entries of other roles: {seen - role.nav_allowed}"
    titles = [t.strip() for t in page.locator(".attention-title").all_inner_texts()]
    for title in role.attention:
        assert any(t.startswith(title) for t in titles), (title, titles)
    if not titles:
        assert page.get_by_text("暂无待办事项。").is_visible()
    page.screenshot(path=str(artifacts / f"home-{role.username}.png"), full_page=True)

    # A protected page, then out: neither the back button nor the old cookie gets back in.
    page.get_by_role("link", name=role.display_name).click()
    page.wait_for_url("**/account/password")
    old_session = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.go_back()
    assert at_login(page), f"back after logout showed {page.url}"
    page.context.add_cookies([old_session])
    page.goto("/account/password")
    assert at_login(page), "a revoked session id still opened a protected page"
    assert page.get_by_role("heading", level=1).inner_text() == "登录"


def test_wrong_password_is_refused_in_chinese_and_the_username_is_kept(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("用户名", exact=True).fill("cadre2")
    page.get_by_label("密码", exact=True).fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()

    alert = page.get_by_role("alert")
    assert "用户名或密码不正确" in alert.inner_text()
    assert at_login(page)
    assert page.get_by_label("用户名", exact=True).input_value() == "cadre2"
    assert page.get_by_label("密码", exact=True).input_value() == ""


def test_language_switches_to_english_and_back(page: Any) -> None:
    page.goto("/login")
    page.get_by_role("link", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert page.get_by_label("Username", exact=True).is_visible()
    assert at_login(page)

    # English sticks across pages, logged in too.
    log_in_english(page, "admin")
    assert "Accounts" in nav_labels(page)

    page.get_by_role("link", name="中文").click()
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    assert "账号管理" in nav_labels(page)
    assert page.get_by_role("heading", level=1).inner_text() == "你好，赵立新"


def log_in_english(page: Any, username: str) -> None:
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"^[^?]*//[^/]+/$"))


def test_admin_creates_an_account_resets_its_password_and_the_new_user_logs_in(page: Any) -> None:
    username = f"e2e-{uuid.uuid4().hex[:6]}"
    log_in(page, "admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="账号管理").click()
    page.get_by_role("link", name="新建账号").click()
    page.wait_for_url("**/admin/users/new")

    page.get_by_label("用户名").fill(username)
    page.get_by_label("姓名").fill("欧阳晓梅")
    page.get_by_role("checkbox", name="评审专家").check()
    page.get_by_role("checkbox", name="干部").check()
    page.get_by_role("button", name="创建").click()  # no initial password: the admin sets one below
    page.wait_for_url(re.compile(r"/admin/users/\d+\?created=1$"))
    assert page.get_by_role("status").inner_text() == "账号已创建。"

    page.get_by_role("link", name="返回列表").click()
    # htmx is a deferred script: typing before the list page's load event would type into a plain form
    page.wait_for_url(re.compile(r"/admin/users$"))
    page.get_by_role("searchbox", name="用户名或姓名").fill(username)
    expect(page.get_by_role("row")).to_have_count(2)  # the header and this account: htmx filtered as typed
    row = page.get_by_role("row").filter(has_text=username)
    cells = row.inner_text()
    assert "欧阳晓梅" in cells and "评审专家" in cells and "干部" in cells and "未设置密码" in cells

    row.get_by_role("link", name="编辑").click()
    page.get_by_label("新密码").fill("Qingshan-2026")
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_url(re.compile(r"\?reset=1$"))
    assert "密码已重置" in page.get_by_role("status").inner_text()

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    log_in(page, username, "Qingshan-2026")
    assert page.get_by_role("heading", level=1).inner_text() == "你好，欧阳晓梅"
    assert "账号管理" not in nav_labels(page)


def test_inspector_verifies_the_audit_chain_in_place(page: Any, artifacts: Path) -> None:
    log_in(page, "inspector")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/audit")
    assert page.get_by_role("table").get_by_role("row").count() > 10  # the demo left its trail

    page.get_by_role("button", name="校验哈希链").click()
    report = page.locator("#chain-report").get_by_role("status").first
    report.wait_for()
    assert report.inner_text().startswith("哈希链完整")
    assert page.url.endswith("/audit")  # swapped into the page by htmx, not a new page
    page.screenshot(path=str(artifacts / "audit-verified.png"))
