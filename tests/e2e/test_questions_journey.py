"""Browser journey of 答疑 (issue 21): a cadre asks on an open challenge, the organizer's home card
opens the question page, the organizer answers, and the answer is public without the asker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

QUESTION = "联合申报的团队成员可以来自不同区县吗？"
ANSWER = "可以，团队成员不限所在区县，但须在申报书中写明分工。"


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")


def test_cadre_asks_organizer_answers_and_the_answer_is_public(page: Any, artifacts: Path) -> None:
    log_in(page, "cadre3")
    asker = page.locator("a.user-name").inner_text().strip()
    page.goto("/challenges/1")  # 数字政府“一网通办”, open, organized by `organizer`
    page.get_by_label("向发榜人提问").fill(QUESTION)
    page.get_by_role("button", name="提交问题").click()
    expect(page.get_by_text("问题已提交。")).to_be_visible()
    mine = page.locator(".qa-mine")
    expect(mine).to_contain_text(QUESTION)
    expect(mine).to_contain_text("待答复")
    found = blocking(axe_violations(page))
    assert not found, describe(found)
    log_out(page)

    log_in(page, "organizer")
    card = page.get_by_role("link", name=re.compile("答疑"))
    card.first.click()
    page.wait_for_url("**/organizer/challenges/1/questions")
    item = page.locator(".qa-item", has_text=QUESTION)
    expect(item).to_contain_text("待答复")
    found = blocking(axe_violations(page))
    assert not found, describe(found)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "questions-organizer-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    item.get_by_label("答复").fill(ANSWER)
    item.get_by_role("button", name="答复并公开").click()
    expect(page.get_by_text("答复已公开。")).to_be_visible()
    page.screenshot(path=str(artifacts / "questions-organizer.png"), full_page=True)
    log_out(page)

    page.goto("/challenges/1#sec-questions")
    section = page.locator("#sec-questions")
    expect(section).to_contain_text(QUESTION)
    expect(section).to_contain_text(ANSWER)
    assert asker not in section.inner_text()
    page.screenshot(path=str(artifacts / "questions-public.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    section.screenshot(path=str(artifacts / "questions-public-390.png"))
