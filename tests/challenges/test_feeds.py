"""Feeds: the Atom feed of what was made public and a challenge's deadlines as iCalendar.
The writers are tested as tables (escaping, folding); the routes through HTTP, parsed with
xml.etree and icalendar as a feed reader or a calendar would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from arena.challenges.feeds import CalendarEvent, fold, ics_calendar, ics_text, xml_text
from arena.challenges.models import Challenge, ChallengeStatus, Checkpoint
from arena.execution.models import Milestone
from arena.publicity.models import Publicity
from tests.challenges.public_factories import NOW, add_amendment, make_challenge, make_full_challenge, make_organizer
from tests.conftest import fresh
from tests.execution.factories import awarded

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - the app's own output, under test


@pytest.mark.parametrize(("raw", "escaped"), [
    ("plain 文本", "plain 文本"),
    ("a,b;c", "a\\,b\\;c"),
    ("back\\slash", "back\\\\slash"),
    ("two\r\nlines\nthree", "two\\nlines\\nthree"),
    ("bell\x07gone", "bellgone"),
])
def test_calendar_text_is_escaped_as_rfc_5545_says(raw, escaped):
    assert ics_text(raw) == escaped


@pytest.mark.parametrize("line", ["SUMMARY:" + "揭榜挂帅" * 40, "DESCRIPTION:" + "a" * 200, "X:" + "é😀" * 60])
def test_calendar_lines_fold_at_75_octets_without_splitting_a_character(line):
    folded = fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert folded[0] + "".join(part[1:] for part in folded[1:]) == line


def test_xml_text_escapes_markup_and_drops_what_xml_forbids():
    assert xml_text("<b>&\x00\x1f") == "&lt;b&gt;&amp;"


def test_whole_days_and_moments_are_written_as_such():
    text = ics_calendar([CalendarEvent("a@arena", "截止,第一;轮\n备注", datetime(2026, 12, 5, 9, 0, tzinfo=UTC)),
                         CalendarEvent("b@arena", "公示截止", date(2026, 12, 7))],
                        name="榜单", stamp=NOW)
    calendar = icalendar.Calendar.from_ical(text)
    first, second = calendar.walk("VEVENT")
    assert first.decoded("DTSTART") == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert second.decoded("DTSTART") == date(2026, 12, 7) and second.decoded("DTEND") == date(2026, 12, 8)
    assert str(first["SUMMARY"]) == "截止,第一;轮\n备注"


async def test_the_feed_lists_what_was_made_public_newest_first(browser, db):
    organizer = await make_organizer(db, "org")
    full = await make_full_challenge(db, organizer, title="数字政府<攻坚>&改革", published_at=NOW - timedelta(days=9))
    newer = await make_challenge(db, organizer, title="较新的榜单", published_at=NOW - timedelta(days=1))
    await add_amendment(db, newer, organizer, reason="延长截止时间", changes=[], at=NOW - timedelta(hours=1))
    draft = await make_challenge(db, organizer, title="草稿不应出现", status=ChallengeStatus.DRAFT)
    await add_amendment(db, draft, organizer, reason="草稿的更正", changes=[])
    await db.commit()

    response = await browser.get("/feed.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert "草稿" not in response.text
    feed = parse_atom(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    # the full challenge's amendment is dated NOW, the newer one's an hour before
    assert titles == ["更正公告：数字政府<攻坚>&改革（第 1 号）", "更正公告：较新的榜单（第 1 号）", "发榜：较新的榜单",
                      "发榜：数字政府<攻坚>&改革"]
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links[2] == f"http://testserver.local/challenges/{newer.id}"
    assert links[3] == f"http://testserver.local/challenges/{full.id}"
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 4

    # linked from the catalogue, and a draft has no calendar, even for its organizer
    assert 'type="application/atom+xml" href="/feed.atom"' in (await browser.get("/challenges")).text
    assert (await browser.get(f"/challenges/{draft.id}/calendar.ics")).status_code == 404
    await browser.login("org")
    assert (await browser.get(f"/challenges/{draft.id}/calendar.ics")).status_code == 404
    assert (await browser.get("/challenges/99999999/calendar.ics")).status_code == 404


async def test_an_awarded_challenge_calendar_has_its_window_publicity_and_milestones(browser, db, clock):
    story = await awarded(db, clock, horse_race=True)
    await fresh(db)
    challenge = await db.get(Challenge, story.challenge_id)
    publicity = await db.scalar(select(Publicity).where(Publicity.challenge_id == story.challenge_id))
    milestones = (await db.scalars(select(Milestone).order_by(Milestone.id))).all()

    detail = (await browser.get(f"/challenges/{story.challenge_id}")).text
    assert f'href="/challenges/{story.challenge_id}/calendar.ics"' in detail
    response = await browser.get(f"/challenges/{story.challenge_id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    calendar = icalendar.Calendar.from_ical(response.text)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    cid = story.challenge_id
    assert events[f"challenge-{cid}-bid-open@arena"].decoded("DTSTART") == challenge.bid_opens_at
    assert events[f"challenge-{cid}-bid-close@arena"].decoded("DTSTART") == challenge.bid_closes_at
    end = events[f"challenge-{cid}-publicity-{publicity.seq}-end@arena"]
    assert end.decoded("DTSTART") == publicity.last_day
    checkpoint = await db.scalar(select(Checkpoint).where(Checkpoint.challenge_id == cid))
    assert events[f"challenge-{cid}-checkpoint-1@arena"].decoded("DTSTART") == checkpoint.due_on
    for milestone in milestones:
        event = events[f"challenge-{cid}-milestone-{milestone.id}@arena"]
        assert event.decoded("DTSTART") == milestone.due_on
        assert "牵头人" in str(event["SUMMARY"])  # two teams race: each milestone names its lead
    assert len(milestones) >= 2
    assert str(events[f"challenge-{cid}-bid-close@arena"]["URL"]) == f"http://testserver.local/challenges/{cid}"
    # the same file twice: stable UIDs, so a calendar updates rather than duplicates
    again = icalendar.Calendar.from_ical((await browser.get(f"/challenges/{cid}/calendar.ics")).text)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(events)

    # the 公示 is in the feed, linked to the results page
    feed = parse_atom((await browser.get("/feed.atom")).content)
    started = [e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title").startswith("结果公示：")]
    assert [e.find(f"{ATOM}link").get("href") for e in started] == [f"http://testserver.local/results/{cid}"]
