"""Browser journey of issue 21 point 4, on the demo data: an anonymous visitor opens the home
page, follows the challenge closing soonest to its page and downloads its calendar, at desktop
width and on a 390 px phone, with no serious accessibility violation on the home page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import icalendar
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 390])
def test_a_visitor_goes_from_the_home_page_to_a_challenge_calendar(page: Any, artifacts: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    closing = page.get_by_role("region", name="即将截止的榜单")
    expect(closing).to_be_visible()
    for heading in ("正在公示", "最新评审结果", "实施中的项目", "公开核验"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="证书核验").first).to_be_visible()
    page.screenshot(path=str(artifacts / f"public-home-{width}.png"), full_page=True)
    found = blocking(axe_violations(page))
    assert not found, f"/ at {width}px:\n{describe(found)}"

    first = closing.locator(".home-row-title").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    challenge_path = page.url.split("://", 1)[1].split("/", 1)[1]

    with page.expect_download() as download:
        page.get_by_role("link", name="加入日历（.ics）").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_text(encoding="utf-8"))
    challenge_id = challenge_path.rsplit("/", 1)[-1]
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert f"challenge-{challenge_id}-bid-close@arena" in uids
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert f"揭榜截止：{title}" in summaries
