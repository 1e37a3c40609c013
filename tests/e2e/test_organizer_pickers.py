"""Browser journey of issue 22 (the organizer's working week), on the demo data: the organizer
filters the execution board and sees the overdue milestone in red with its days; on project 16's
execution page types part of an expert's name, picks them with the keyboard and assigns them as
assessor; a cadre drafting a bid finds a colleague by part of their name. axe-core finds no
serious violation on the board nor on the page with the picker's matches open."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

IN_EXECUTION, HORSE = 16, 17  # 县域科技创新服务平台建设, 高校院所成果中试熟化赛马攻坚


def no_serious_violations(page: Any, what: str) -> None:
    found = blocking(axe_violations(page))
    assert not found, f"{what}:\n{describe(found)}"


def test_the_organizer_filters_the_board_picks_an_assessor_and_a_cadre_a_colleague_by_name(page: Any, artifacts: Path) -> None:
    log_in(page, "organizer")
    page.goto("/organizer/board")
    page.get_by_label("状态").select_option(label="有逾期节点任务")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=overdue"))
    expect(page.locator(".chip-overdue").first).to_contain_text(re.compile(r"逾期 \d+ 天"))
    expect(page.locator(".board-row")).to_have_count(1)
    page.screenshot(path=str(artifacts / "board-overdue.png"), full_page=True)
    no_serious_violations(page, "/organizer/board?status=overdue")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.goto(f"/organizer/challenges/{IN_EXECUTION}/execution")
    field = page.get_by_label("专家编号")
    field.press_sequentially("国华", delay=50)
    choice = page.get_by_role("button", name=re.compile("陈国华"))
    expect(choice).to_be_visible()
    page.screenshot(path=str(artifacts / "assessor-picker.png"), full_page=True)
    no_serious_violations(page, "the execution page with the expert picker open")
    field.press("ArrowDown")
    expect(choice).to_be_focused()
    choice.press("Enter")
    expect(field).to_have_value(re.compile(r"^ZJ\d+$"))
    expect(field).to_be_focused()
    expect(page.locator(".picker-option")).to_have_count(0)
    page.get_by_role("button", name="指定", exact=True).click()
    expect(page.get_by_text("已指定考核专家。")).to_be_visible()
    expect(page.locator("#assessors")).to_contain_text("陈国华")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")

    # a cadre drafting a bid (cadre7's draft, bid 2) finds a colleague by part of a name
    log_in(page, "cadre7")
    page.goto("/bids/2")
    field = page.get_by_label("成员工号")
    field.press_sequentially("张", delay=50)
    choice = page.get_by_role("button", name=re.compile("张伟"))
    expect(choice).to_be_visible()
    expect(page.locator("#f-member_code-results")).not_to_contain_text("1990")
    choice.click()
    expect(field).to_have_value("GB0001")
    page.screenshot(path=str(artifacts / "team-picker.png"), full_page=True)
