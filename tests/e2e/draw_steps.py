"""The panel draw as the browser journeys walk it (DESIGN §5): the organizer publishes the
commitment naming a lottery and a later date, the date comes, the inspector enters the result.

The journeys' server runs on the wall clock, so "the date comes" is played by moving the open
commitment one day into the past — committed yesterday, naming today's lottery — which is what
`arena demo` does for its own panels (review.demo.commit_and_draw). The date rule itself (no
entry before the lottery, no date that is not after the commitment day) is tested with a frozen
clock in tests/review/test_panel_draw.py.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

BEACON = "03 07 12 19 25 33 + 09"


def publish_commitment(page: Any, base: str, size: str, reserves: str) -> None:
    """On the organizer's review (or acceptance) page: settings, the suggested lottery (tomorrow)."""
    page.goto(base)
    page.get_by_label("专家组人数（奇数）").fill(size)
    page.get_by_label("后备专家人数").fill(reserves)
    expect(page.get_by_label("公开随机源")).to_have_value("中国福利彩票双色球开奖号码")
    page.get_by_role("button", name="公布抽取承诺", exact=True).click()
    expect(page.get_by_text("抽取承诺已在公开验证页公布")).to_be_visible()


def time_has_passed(conn: sqlite3.Connection) -> None:
    """Time passing is played on the data with plain SQL, which no ORM listener sees: bump every
    data version as the clock would have ended the kept pages (arena.web.page_cache and
    public_cache end entries at midnight and at windows; these steps move data, not the clock)."""
    conn.execute("UPDATE data_version SET version = version + 1")


def lottery_day_comes(database: Path, challenge_id: int, purpose: str) -> None:
    """The open commitment of the panel becomes yesterday's, naming today's lottery."""
    with closing(sqlite3.connect(database, timeout=10)) as conn, conn:
        row = conn.execute(
            "SELECT d.id, d.committed_at, d.beacon_date, p.id FROM draw_commitment d JOIN panel p ON p.id = d.panel_id"
            " WHERE p.challenge_id = ? AND p.purpose = ? AND d.status = 'open'", (challenge_id, purpose)).fetchone()
        assert row is not None, f"no open commitment for challenge {challenge_id} ({purpose})"
        commitment_id, committed_at, beacon_date, panel_id = row
        earlier = _a_day_before(committed_at)
        on = (date.fromisoformat(str(beacon_date)[:10]) - timedelta(days=1)).isoformat()
        conn.execute("UPDATE draw_commitment SET committed_at = ?, beacon_date = ? WHERE id = ?",
                     (earlier, on, commitment_id))
        time_has_passed(conn)
        conn.execute("UPDATE panel SET committed_at = ? WHERE id = ?", (earlier, panel_id))


def _a_day_before(stored: str) -> str:
    """The same moment a day earlier, written the way the column stores it."""
    moment = datetime.fromisoformat(stored) - timedelta(days=1)
    return moment.isoformat(sep=" " if " " in stored else "T")


def enter_lottery_result(page: Any, challenge_title: str, beacon: str = BEACON) -> None:
    """As the inspector: find the waiting draw, copy the result in; the page that follows is the
    public verification page, with the draw done."""
    page.goto("/inspector/draws")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=challenge_title))
    expect(row.locator(".tag")).to_have_text("已到开奖日，待录入")
    row.get_by_role("link", name=challenge_title).click()
    page.get_by_role("textbox", name="开奖结果").fill(beacon)
    page.get_by_role("button", name="录入并抽取").click()
    expect(page.get_by_text("开奖结果已录入，抽取已完成")).to_be_visible()
    expect(page.locator("#draw-verified")).to_be_visible()
