"""Browser journey of issue 21 point 3, on the demo data: an anonymous visitor follows challenges
to the end — the accepted one (graded 良好) on the stepper at 结果运用 with its grade and the
acceptance report's hash, the horse race with the team eliminated at its checkpoint — at desktop
width and on a 390 px phone, with no serious accessibility violation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe

pytestmark = pytest.mark.e2e

SHA256 = re.compile(r"^[0-9a-f]{64}$")
ACCEPTED, HORSE = 18, 17  # 科技金融“贷款+”服务创新（已验收，良好）, 高校院所成果中试熟化赛马攻坚


def check_accessible(page: Any, what: str) -> None:
    found = blocking(axe_violations(page))
    assert not found, f"{what}:\n{describe(found)}"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_visitor_follows_challenges_to_their_grade(page: Any, artifacts: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"/challenges/{ACCEPTED}")
    current = page.locator(".stepper [aria-current='step']")
    expect(current).to_contain_text("结果运用")
    expect(page.locator(".stepper .step-done", has_text="验收")).to_be_visible()
    expect(page.get_by_role("heading", name="挂帅与实施")).to_be_visible()
    expect(page.get_by_role("heading", name="挂帅人：赵磊")).to_contain_text("验收等次：良好")
    expect(page.get_by_role("heading", name="验收结果")).to_be_visible()
    expect(page.locator("#acceptance-hash")).to_have_text(SHA256)
    expect(page.get_by_role("table", name="赵磊 团队的节点任务")).to_be_visible()
    page.screenshot(path=str(artifacts / f"public-follow-accepted-{width}.png"), full_page=True)
    check_accessible(page, f"/challenges/{ACCEPTED} at {width}px")

    page.goto(f"/results/{ACCEPTED}")
    expect(page.get_by_role("heading", name="挂帅人", exact=True)).to_be_visible()
    expect(page.get_by_text("已确定挂帅").first).to_be_visible()
    check_accessible(page, f"/results/{ACCEPTED} at {width}px")

    page.goto(f"/challenges/{HORSE}")
    expect(page.get_by_role("heading", name="赛马节点比选")).to_be_visible()
    expect(page.get_by_text("马超 团队排名末位，予以淘汰")).to_be_visible()
    expect(page.get_by_role("heading", name="挂帅人：马超")).to_contain_text("已淘汰")
    page.screenshot(path=str(artifacts / f"public-follow-horse-race-{width}.png"), full_page=True)
    check_accessible(page, f"/challenges/{HORSE} at {width}px")
