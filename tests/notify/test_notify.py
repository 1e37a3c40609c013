"""Notifications: the inbox and its live badge, reminders sent once even with two workers, e-mail
through a real (local) SMTP server."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from arena.auth.models import Role
from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus
from arena.notify import mail
from arena.notify.models import Notification, SentReminder
from arena.notify.service import notify
from arena.worker import run_pass
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import Browser, make_client
from tests.factories import make_cadre, make_unit, make_user


async def test_inbox_lists_opens_and_marks_read(browser, db, clock):
    me = await make_user(db, "me", Role.CADRE)
    other = await make_user(db, "other", Role.CADRE)
    await notify(db, clock, [me.id], "test", "团队邀请", "张伟邀请你加入<script>x</script>", "/bids")
    await notify(db, clock, [other.id], "test", "别人的消息", "", "/")
    await db.commit()
    mine, theirs = (await db.scalars(select(Notification.id).order_by(Notification.id))).all()
    await browser.login("me")
    badge = await browser.get("/inbox/unread-count", headers={"HX-Request": "true"})
    assert ">1<" in badge.text and "<html" not in badge.text
    page = await browser.get("/inbox")
    assert "团队邀请" in page.text and "别人的消息" not in page.text
    assert "<script>x</script>" not in page.text and "&lt;script&gt;" in page.text
    assert (await browser.post(f"/inbox/{theirs}/open")).status_code == 404
    opened = await browser.post(f"/inbox/{mine}/open")
    assert opened.status_code == 303 and opened.headers["location"] == "/bids"
    assert "is-empty" in (await browser.get("/inbox/unread-count")).text
    no_token = await browser.client.post(f"/inbox/{mine}/open")
    assert no_token.status_code == 403


async def test_a_link_never_leads_off_site(browser, db, clock):
    me = await make_user(db, "me", Role.CADRE)
    await notify(db, clock, [me.id], "test", "x", "", "https://evil.example/")
    await db.commit()
    nid = await db.scalar(select(Notification.id))
    await browser.login("me")
    assert (await browser.post(f"/inbox/{nid}/open")).headers["location"] == "/inbox"


async def _reminder_world(db):
    organizer = await make_organizer(db, "org")
    unit = await make_unit(db)
    lead_user = await make_user(db, "lead", Role.CADRE, password_hash=None)
    mate_user = await make_user(db, "mate", Role.CADRE, password_hash=None)
    lead = await make_cadre(db, unit, lead_user)
    mate = await make_cadre(db, unit, mate_user)
    challenge = await make_challenge(db, organizer, closes_at=NOW + timedelta(days=2))
    bid = Bid(challenge_id=challenge.id, lead_id=lead.id, status=BidStatus.DRAFT.value)
    db.add(bid)
    await db.flush()
    db.add(BidMember(bid_id=bid.id, challenge_id=challenge.id, cadre_id=mate.id, status=MemberStatus.INVITED.value))
    await db.commit()
    return lead_user.id, mate_user.id


async def test_two_workers_at_once_send_each_reminder_once(app, db, clock):
    lead_id, mate_id = await _reminder_world(db)
    session_maker = app.state.session_maker
    results = await asyncio.gather(run_pass(session_maker, clock, None), run_pass(session_maker, clock, None))
    assert sum(r[0] for r in results) == 2
    again = await run_pass(session_maker, clock, None)
    assert again == (0, 0)
    rows = (await db.execute(select(Notification.recipient_id, Notification.kind))).all()
    assert sorted(rows) == sorted([(lead_id, "bid.window_closing"), (mate_id, "bid.team_pending")])
    assert await db.scalar(select(func.count()).select_from(SentReminder)) == 2


async def test_no_reminder_once_the_window_is_far_or_closed(app, db, clock):
    await _reminder_world(db)
    clock.advance(timedelta(days=3))  # closed now
    assert await run_pass(app.state.session_maker, clock, None) == (0, 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


async def test_email_goes_out_through_smtp_and_only_once(app, db, clock):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        user = await make_user(db, "mailme", Role.CADRE)
        user.email = "mailme@example.org"
        quiet = await make_user(db, "nomail", Role.CADRE)
        await notify(db, clock, [user.id, quiet.id], "test", "资格审查通过：乡村振兴", "请查看。", "/bids")
        await db.commit()
        config = mail.SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?from=arena@example.org")
        assert (await run_pass(app.state.session_maker, clock, config))[1] == 1
        assert (await run_pass(app.state.session_maker, clock, config))[1] == 0
        await asyncio.sleep(0.2)
        assert len(inbox.messages) == 1
        text = inbox.messages[0].decode()
        assert "mailme@example.org" in text and "Subject:" in text
    finally:
        controller.stop()


async def test_a_failed_send_is_retried_later(app, db, clock):
    user = await make_user(db, "mailme", Role.CADRE)
    user.email = "mailme@example.org"
    await notify(db, clock, [user.id], "test", "t", "b", "")
    await db.commit()
    dead = mail.SmtpConfig.from_url(f"smtp://127.0.0.1:{_free_port()}")
    assert (await run_pass(app.state.session_maker, clock, dead))[1] == 0
    await db.rollback()
    row = await db.scalar(select(Notification))
    assert row.emailed_at is None and row.email_attempts == 1


def test_smtp_url_is_read_with_credentials_and_options():
    config = mail.SmtpConfig.from_url("smtp://arena%40gov:p%40ss@mail.example.org:587?from=arena@example.org&starttls=1")
    assert (config.host, config.port, config.username, config.password) == ("mail.example.org", 587, "arena@gov",
                                                                           "p@ss")
    assert config.starttls and config.sender == "arena@example.org"
    with pytest.raises(ValueError):
        mail.SmtpConfig.from_url("http://nope")


def test_arena_worker_once_runs_as_a_command(tmp_path: Path):
    env = os.environ | {"ARENA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", "ARENA_ENV": "development",
                        "ARENA_VAR_DIR": str(tmp_path)}
    arena = str(Path(sys.executable).with_name("arena"))
    assert subprocess.run([arena, "db", "upgrade"], env=env, capture_output=True, check=False).returncode == 0
    done = subprocess.run([arena, "worker", "--once"], env=env, capture_output=True, check=False, timeout=60)
    assert done.returncode == 0 and "reminders" in done.stdout.decode()
    bad = subprocess.run([arena, "worker", "--once"], env=env | {"ARENA_SMTP_URL": "http://x"}, capture_output=True,
                         check=False, timeout=60)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr.decode()


async def test_the_badge_updates_without_a_reload(app, db, clock):
    """The header asks for the count by htmx every 30 s; the fragment reflects new messages."""
    me = await make_user(db, "me", Role.CADRE)
    await db.commit()
    async with make_client(app) as client:
        browser = Browser(client)
        await browser.login("me")
        page = await browser.get("/")
        assert 'hx-get="/inbox/unread-count"' in page.text and "every 30s" in page.text
        assert "is-empty" in (await browser.get("/inbox/unread-count")).text
        await notify(db, clock, [me.id], "test", "新消息", "", "")
        await db.commit()
        assert ">1<" in (await browser.get("/inbox/unread-count")).text
