"""Arena on a phone (issue 22, point 7): every main page fits a 390 px screen, the header folds
its navigation behind a menu button, and a cadre can submit a bid from the phone.

"Fits" means no page-wide sideways scrolling: only a wide data table may scroll, inside its own
.table-wrap, which then says so (表格可左右滑动) and takes the keyboard's focus. Each page is also
checked with axe and for English words (tests/e2e/english.py). Full-page screenshots are kept in
tests/.artifacts/phone-*.png for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe
from tests.e2e.conftest import log_in
from tests.e2e.english import assert_no_english
from tests.e2e.test_foundation_accessibility import CASES

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# The pages the brief names (bid form, score sheet, execution board, people, API clients) and
# every role's home page; the demo's world is fixed, so these ids are the same everywhere.
PHONE_PAGES: dict[str, tuple[str, ...]] = {
    "visitor": ("/", "/challenges", "/challenges/1", "/results/14", "/login"),
    "admin": ("/", "/admin/people", "/admin/people?kind=expert", "/admin/api-clients", "/admin/units", "/audit"),
    "organizer": ("/", "/organizer/board", "/organizer/challenges", "/organizer/challenges/11/review"),
    "inspector": ("/", "/inspector/vetting/5", "/audit"),
    "expert11": ("/", "/review", "/review/sheets/28"),
    "cadre4": ("/", "/bids/1", "/bids", "/challenges/eligible"),
}


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def assert_fits(page: Any, where: str) -> None:
    """No page-level sideways scrolling; a table that is wider scrolls in its labelled box."""
    assert page_width(page) <= PHONE["width"], f"{where} is {page_width(page)} px wide on a 390 px phone"
    for wrap in page.locator(".table-wrap").all():
        if wrap.evaluate("el => el.scrollWidth > el.clientWidth + 1"):
            assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("aria-label"), where
            hint = page.locator("#" + (wrap.get_attribute("aria-describedby") or "missing"))
            expect(hint).to_have_text("表格可左右滑动")


def assert_menu_opens(page: Any, where: str) -> None:
    """The navigation is folded behind 菜单; the button opens it, Escape closes it again."""
    button = page.locator("header").get_by_role("button", name="菜单")
    nav = page.get_by_role("navigation", name="主导航")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    assert page_width(page) <= PHONE["width"], f"{where}: the open menu is wider than the phone"
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(button).to_be_focused()


@pytest.mark.parametrize("user", PHONE_PAGES)
def test_main_pages_fit_a_phone_and_their_menu_opens(page: Any, artifacts: Path, user: str) -> None:
    page.set_viewport_size(PHONE)
    if user != "visitor":
        log_in(page, user)
    for number, path in enumerate(PHONE_PAGES[user]):
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        page.wait_for_load_state("load")
        page.screenshot(path=str(artifacts / f"phone-{user}-{number}.png"), full_page=True)
        where = f"{path} as {user}"
        assert_fits(page, where)
        assert_menu_opens(page, where)
        assert_no_english(page, where)
        found = blocking(axe_violations(page))
        assert not found, f"{where} on a phone:\n{describe(found)}"


def test_without_javascript_the_navigation_shows_stacked_and_there_is_no_menu_button(
        chromium: Any, live_server: Any) -> None:
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/challenges")
        expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="榜单大厅")).to_be_visible()
        expect(page.locator("header .menu-button")).to_be_hidden()
        assert page_width(page) <= PHONE["width"]
    finally:
        context.close()


@pytest.mark.parametrize("user", sorted({c.user or "visitor" for c in CASES.values()}))
def test_no_english_word_on_the_chinese_pages_and_none_is_wider_than_a_phone(page: Any, user: str) -> None:
    """Every page the accessibility crawl visits, as the same user, in Chinese on a phone."""
    page.set_viewport_size(PHONE)
    if user != "visitor":
        log_in(page, user)
    for name, case in CASES.items():
        if (case.user or "visitor") != user or name.endswith("-en"):
            continue
        page.goto(case.path)
        if case.then:
            case.then(page)
        where = f"{case.path} ({name})"
        assert_no_english(page, where)
        assert page_width(page) <= PHONE["width"], f"{where} is {page_width(page)} px wide on a 390 px phone"


def test_cadre_submits_a_bid_on_a_phone(page: Any, artifacts: Path) -> None:
    """The desktop bid journey (test_bids_journeys) on a phone, by cadre15 on challenge 1 (cadre15 has
    one bid in progress, so a second one is within the limit)."""
    page.set_viewport_size(PHONE)
    log_in(page, "cadre15")
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="可揭榜单").click()
    page.get_by_role("link", name="数字政府“一网通办”集成改造攻坚").click()
    page.get_by_role("button", name="我要揭榜").click()
    page.wait_for_url(re.compile(r"/bids/\d+$"))
    assert_fits(page, "the new bid")

    page.get_by_label("实施方案").fill("一、摸清底数；二、建设统一受理平台；三、分批上线并评估。")
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=10_000)
    page.get_by_label("承诺事项").fill("按期完成全部节点，接受组织考核。")
    for n in (1, 2, 3):
        kpi = page.get_by_label(f"节点 {n} 考核指标")
        kpi.fill(f"第 {n} 阶段指标全部达成")
        box = kpi.bounding_box()
        assert box is not None and box["width"] >= 250, f"milestone {n}'s field is {box} on a phone"
    file_box = page.get_by_label("文件", exact=True).bounding_box()
    assert file_box is not None and file_box["x"] + file_box["width"] <= PHONE["width"], file_box
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    assert_fits(page, "the saved draft")
    page.screenshot(path=str(artifacts / "phone-bid-draft.png"), full_page=True)

    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_text("已提交。回执已生成")).to_be_visible()
    assert_fits(page, "the submitted bid")
    assert_no_english(page, "the submitted bid")
    page.screenshot(path=str(artifacts / "phone-bid-submitted.png"), full_page=True)
