"""Feeds for people who follow challenges without visiting: an Atom feed of what was made
public (new challenges, 更正公告, 公示) and one iCalendar file per challenge with its deadlines.

Both formats are small enough to write by hand, which keeps their escaping in one readable
place: XML escaping (and no characters XML 1.0 forbids) for Atom; RFC 5545 text escaping and
line folding at 75 octets, CRLF line ends, for iCalendar. The builders are pure functions of
the rows; the loaders below them read only public facts (no drafts, nothing from bids).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.challenges.models import Amendment, Challenge, ChallengeStatus
from arena.challenges.queries import publicly_visible
from arena.execution.models import Milestone, Project, ProjectStatus
from arena.i18n import gettext as _
from arena.publicity.models import Publicity, PublicityStatus
from arena.units.models import Cadre

FEED_ENTRIES = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"

# --- Atom --------------------------------------------------------------------------------------

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """Text safe inside an XML element: escaped, without the characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", value))


def xml_attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FeedEntry:
    id: str  # an absolute IRI that never changes for this event
    title: str
    link: str  # absolute
    updated: datetime
    summary: str = ""


def atom_feed(entries: Iterable[FeedEntry], *, base_url: str, title: str, updated: datetime) -> str:
    """An Atom 1.0 document (RFC 4287) of `entries`, in the order given."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"  <id>{xml_text(base_url + '/feed.atom')}</id>",
             f"  <title>{xml_text(title)}</title>",
             f"  <updated>{rfc3339(updated)}</updated>",
             f"  <link rel=\"self\" type=\"application/atom+xml\" href={xml_attr(base_url + '/feed.atom')}/>",
             f"  <link rel=\"alternate\" type=\"text/html\" href={xml_attr(base_url + '/')}/>",
             f"  <author><name>{xml_text(title)}</name></author>"]
    for entry in entries:
        lines += ["  <entry>",
                  f"    <id>{xml_text(entry.id)}</id>",
                  f"    <title>{xml_text(entry.title)}</title>",
                  f"    <link rel=\"alternate\" type=\"text/html\" href={xml_attr(entry.link)}/>",
                  f"    <updated>{rfc3339(entry.updated)}</updated>"]
        if entry.summary:
            lines.append(f"    <summary>{xml_text(entry.summary)}</summary>")
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


# --- iCalendar ---------------------------------------------------------------------------------

def ics_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newlines escaped; other controls dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch == "\n" or ch == "\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, continued after CRLF and one space, never
    splitting a UTF-8 character."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # the leading space of a continuation counts
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: datetime | date  # a moment (written in UTC) or a whole day
    url: str = ""
    description: str = ""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(events: Iterable[CalendarEvent], *, name: str, stamp: datetime) -> str:
    """A VCALENDAR with one VEVENT per event: a whole day for dates, a moment in UTC otherwise."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Arena//揭榜挂帅//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{ics_text(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{ics_text(event.uid)}", f"DTSTAMP:{_stamp(stamp)}"]
        if isinstance(event.start, datetime):
            lines += [f"DTSTART:{_stamp(event.start)}", f"DTEND:{_stamp(event.start)}"]
        else:
            lines += [f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{event.start + timedelta(days=1):%Y%m%d}"]
        lines.append(f"SUMMARY:{ics_text(event.summary)}")
        if event.description:
            lines.append(f"DESCRIPTION:{ics_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# --- what they show (public facts only) --------------------------------------------------------



async def feed_entries(db: AsyncSession, base_url: str, limit: int = FEED_ENTRIES) -> list[FeedEntry]:
    """Newest first: challenges published, amendments published, 公示 started. Three queries."""
    published = (await db.execute(
        select(Challenge.id, Challenge.title, Challenge.number, Challenge.published_at)
        .where(publicly_visible(), Challenge.published_at.is_not(None))
        .order_by(Challenge.published_at.desc(), Challenge.id.desc()).limit(limit))).all()
    amendments = (await db.execute(
        select(Amendment.challenge_id, Amendment.seq, Amendment.reason, Amendment.published_at, Challenge.title)
        .join(Challenge, Challenge.id == Amendment.challenge_id).where(publicly_visible())
        .order_by(Amendment.published_at.desc(), Amendment.id.desc()).limit(limit))).all()
    publicities = (await db.execute(
        select(Publicity.challenge_id, Publicity.seq, Publicity.first_day, Publicity.last_day,
               Publicity.published_at, Challenge.title)
        .join(Challenge, Challenge.id == Publicity.challenge_id).where(publicly_visible())
        .order_by(Publicity.published_at.desc(), Publicity.id.desc()).limit(limit))).all()
    entries = [FeedEntry(f"{base_url}/challenges/{r.id}#published", _("发榜：%(title)s") % {"title": r.title},
                         f"{base_url}/challenges/{r.id}", r.published_at,
                         _("榜单编号 %(number)s") % {"number": r.number} if r.number else "")
               for r in published]
    entries += [FeedEntry(f"{base_url}/challenges/{r.challenge_id}#amendment-{r.seq}",
                          _("更正公告：%(title)s（第 %(n)s 号）") % {"title": r.title, "n": r.seq},
                          f"{base_url}/challenges/{r.challenge_id}", r.published_at, r.reason)
                for r in amendments]
    entries += [FeedEntry(f"{base_url}/results/{r.challenge_id}#publicity-{r.seq}",
                          _("结果公示：%(title)s") % {"title": r.title}, f"{base_url}/results/{r.challenge_id}",
                          r.published_at, _("公示期 %(first)s 至 %(last)s") % {
                              "first": r.first_day.isoformat(), "last": r.last_day.isoformat()})
                 for r in publicities]
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return entries[:limit]


async def calendar_events(db: AsyncSession, challenge: Challenge, base_url: str) -> list[CalendarEvent]:
    """The challenge's deadlines: its bid window, its 公示's last day, its horse-race checkpoints
    and, once awarded, the due dates of each project's milestones (not eliminated projects').
    `challenge` is public and has its checkpoints loaded. Two queries."""
    cid, page = challenge.id, f"{base_url}/challenges/{challenge.id}"
    events: list[CalendarEvent] = []
    if challenge.bid_opens_at:
        events.append(CalendarEvent(f"challenge-{cid}-bid-open@arena",
                                    _("开榜：%(title)s") % {"title": challenge.title}, challenge.bid_opens_at, page))
    if challenge.bid_closes_at:
        events.append(CalendarEvent(f"challenge-{cid}-bid-close@arena", _("揭榜截止：%(title)s") % {
            "title": challenge.title}, challenge.bid_closes_at, page))
    publicity = await db.scalar(select(Publicity).where(
        Publicity.challenge_id == cid, Publicity.status != PublicityStatus.WITHDRAWN.value)
        .order_by(Publicity.seq.desc()).limit(1))
    if publicity is not None:
        events.append(CalendarEvent(f"challenge-{cid}-publicity-{publicity.seq}-end@arena",
                                    _("公示截止：%(title)s") % {"title": challenge.title}, publicity.last_day,
                                    f"{base_url}/results/{cid}"))
    for checkpoint in challenge.checkpoints:
        events.append(CalendarEvent(f"challenge-{cid}-checkpoint-{checkpoint.position}@arena",
                                    _("赛马节点：%(name)s（%(title)s）") % {"name": checkpoint.title,
                                                                       "title": challenge.title},
                                    checkpoint.due_on, page))
    if challenge.status in (ChallengeStatus.EXECUTING.value, ChallengeStatus.ACCEPTED.value):
        rows = (await db.execute(
            select(Milestone.id, Milestone.position, Milestone.due_on, Project.id.label("project_id"), Cadre.name)
            .join(Project, Project.id == Milestone.project_id).join(Cadre, Cadre.id == Project.lead_id)
            .where(Project.challenge_id == cid, Project.status != ProjectStatus.ELIMINATED.value)
            .order_by(Milestone.due_on, Project.id, Milestone.position))).all()
        several = len({r.project_id for r in rows}) > 1
        for r in rows:
            summary = _("第 %(n)s 个节点任务到期：%(title)s") % {"n": r.position, "title": challenge.title}
            if several:
                summary += _("（牵头人 %(name)s）") % {"name": r.name}
            events.append(CalendarEvent(f"challenge-{cid}-milestone-{r.id}@arena", summary, r.due_on, page))
    return events
