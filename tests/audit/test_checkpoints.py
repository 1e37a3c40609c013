"""Signed checkpoints against a real database: cutting or rewriting-and-rehashing the chain
passes the plain chain check but not a kept checkpoint; the worker signs one a day however many
workers run; an unchanged head is not signed again; the public pages and downloads."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import SYSTEM
from arena.audit import checkpoints, service
from arena.audit.anchor import parse_checkpoint, signature_valid
from arena.audit.chain import ChainEntry, event_hash
from arena.audit.models import AuditCheckpoint, AuditEvent
from arena.auth.models import Role
from arena.errors import DomainError
from arena.worker import run_pass
from tests.conftest import make_client


async def _events(db: AsyncSession, clock, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        await service.record(db, clock, SYSTEM, "admin", "test.event", "thing", i, {"n": i})
    await db.commit()


async def _tamper(db: AsyncSession, backend: str, *statements: tuple[str, dict[str, object]]) -> None:
    """Change audit rows behind the application's back, as an insider with database access could."""
    if backend == "sqlite":
        await db.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        await db.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
    else:
        await db.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_immutable"))
    for sql, params in statements:
        await db.execute(text(sql), params)
    if backend != "sqlite":  # this PostgreSQL database is reused by the worker's next tests
        await db.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_immutable"))
    await db.commit()


async def _rewrite_and_rehash(db: AsyncSession, backend: str, from_seq: int) -> None:
    """Change event `from_seq` and recompute every later hash: the links all hold again."""
    events = (await db.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all()
    statements, prev = [], events[from_seq - 2].hash if from_seq > 1 else "0" * 64
    for event in events[from_seq - 1:]:
        summary = '{"n":"forged"}' if event.seq == from_seq else event.summary
        entry = ChainEntry(event.seq, event.occurred_at, event.actor_id, event.actor_name, event.actor_role,
                           event.action, event.object_type, event.object_id, summary, prev)
        prev = event_hash(entry)
        statements.append(("UPDATE audit_event SET summary = :s, prev_hash = :p, hash = :h WHERE seq = :q",
                           {"s": summary, "p": entry.prev_hash, "h": prev, "q": event.seq}))
    await _tamper(db, backend, *statements)


async def test_a_truncated_chain_verifies_alone_but_not_against_a_kept_checkpoint(app, db, clock, backend):
    key = checkpoints.signing_key(app.state.settings)
    await _events(db, clock, 6)
    kept, made = await checkpoints.make_checkpoint(db, clock, key)
    await db.commit()
    assert made and kept.seq == 6
    assert (await checkpoints.verify_against(db, kept.seq, kept.head_hash)).ok
    await _tamper(db, backend, ("DELETE FROM audit_event WHERE seq > :n", {"n": 4}))
    assert (await service.verify_chain(db)).ok  # the weakness this work closes
    report = await checkpoints.verify_against(db, kept.seq, kept.head_hash)
    assert not report.ok and "截断" in report.problem and "只有 4 条" in report.problem


async def test_a_rewritten_and_rehashed_chain_verifies_alone_but_not_against_a_kept_checkpoint(app, db, clock,
                                                                                               backend):
    key = checkpoints.signing_key(app.state.settings)
    await _events(db, clock, 6)
    kept, _made = await checkpoints.make_checkpoint(db, clock, key)
    await db.commit()
    await _rewrite_and_rehash(db, backend, 3)
    assert (await service.verify_chain(db)).ok  # the weakness this work closes
    report = await checkpoints.verify_against(db, kept.seq, kept.head_hash)
    assert not report.ok and "第 6 号事件" in report.problem and "改写" in report.problem
    # An earlier checkpoint, taken before the forged event, is still honoured.
    assert (await checkpoints.verify_against(db, 2, (await checkpoints.hash_at(db, 2)) or "")).ok
    # And Arena refuses to sign over the rewritten chain.
    with pytest.raises(checkpoints.ChainDoesNotExtend, match="改写"):
        await _events(db, clock, 1, start=10)
        await checkpoints.make_checkpoint(db, clock, key)


async def test_a_stored_checkpoint_carries_a_signature_that_verifies(app, db, clock):
    key = checkpoints.signing_key(app.state.settings)
    await _events(db, clock, 2)
    row, _made = await checkpoints.make_checkpoint(db, clock, key)
    published = checkpoints.published(row)
    checkpoint = parse_checkpoint(published)
    assert signature_valid(checkpoint, base64.b64decode(published["public_key"]))
    assert not signature_valid(parse_checkpoint({**published, "seq": 1}), key.public_key)


async def test_an_unchanged_head_is_not_signed_again_and_an_empty_chain_not_at_all(app, db, clock):
    key = checkpoints.signing_key(app.state.settings)
    with pytest.raises(DomainError, match="还没有事件"):
        await checkpoints.make_checkpoint(db, clock, key)
    await _events(db, clock, 2)
    first, made = await checkpoints.make_checkpoint(db, clock, key)
    clock.advance(timedelta(hours=1))
    again, made_again = await checkpoints.make_checkpoint(db, clock, key)
    assert made and not made_again and again.id == first.id
    await _events(db, clock, 1, start=5)
    newer, made_newer = await checkpoints.make_checkpoint(db, clock, key)
    assert made_newer and newer.seq == 3


async def test_two_workers_sign_one_checkpoint_a_day_and_none_while_nothing_happens(app, db, clock):
    key = checkpoints.signing_key(app.state.settings)
    session_maker = app.state.session_maker
    await _events(db, clock, 3)
    await asyncio.gather(run_pass(session_maker, clock, None, key), run_pass(session_maker, clock, None, key))
    await db.rollback()
    rows = (await db.scalars(select(AuditCheckpoint))).all()
    assert [(r.seq, r.daily_on) for r in rows] == [(3, clock.now().date())]
    await _events(db, clock, 1, start=5)  # same day: the day's checkpoint is done
    await run_pass(session_maker, clock, None, key)
    clock.advance(timedelta(days=1))
    await asyncio.gather(run_pass(session_maker, clock, None, key), run_pass(session_maker, clock, None, key))
    clock.advance(timedelta(days=1))  # nothing new since: no checkpoint that day
    await run_pass(session_maker, clock, None, key)
    await db.rollback()
    assert (await db.execute(select(AuditCheckpoint.seq).order_by(AuditCheckpoint.id))).scalars().all() == [3, 4]


async def test_the_worker_logs_an_error_instead_of_signing_over_a_cut_chain(app, db, clock, backend, caplog):
    key = checkpoints.signing_key(app.state.settings)
    await _events(db, clock, 4)
    await checkpoints.make_checkpoint(db, clock, key)
    await db.commit()
    await _tamper(db, backend, ("DELETE FROM audit_event WHERE seq > :n", {"n": 2}))
    await _events(db, clock, 3, start=10)  # the chain grows past the old head again, from a cut
    with caplog.at_level(logging.ERROR, logger="arena.worker"):
        await run_pass(app.state.session_maker, clock, None, key)
    assert "audit checkpoint refused" in caplog.text
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1


async def test_anyone_reads_the_checkpoints_the_public_key_and_downloads_the_history(app, db, clock):
    key = checkpoints.signing_key(app.state.settings)
    public = make_client(app)
    empty = await public.get("/audit/checkpoints")
    assert empty.status_code == 200 and "还没有审计链锚点" in empty.text
    assert (await public.get("/audit/checkpoints/latest.json")).status_code == 404
    await _events(db, clock, 2)
    row, _made = await checkpoints.make_checkpoint(db, clock, key)
    await db.commit()
    page = await public.get("/audit/checkpoints")
    assert page.status_code == 200
    assert row.head_hash in page.text and key.fingerprint in page.text
    assert checkpoints.signed(row).message().decode().replace('"', "&#34;") in page.text
    latest = (await public.get("/audit/checkpoints/latest.json")).json()
    assert latest == checkpoints.published(row)
    assert signature_valid(parse_checkpoint(latest), key.public_key)
    history = await public.get("/audit/checkpoints.json")
    assert history.json() == [latest] and "attachment" in history.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO((await public.get("/audit/checkpoints.csv")).content.decode("utf-8-sig"))))
    assert [(r["seq"], r["head_hash"], r["signature"]) for r in table] == [("2", row.head_hash, row.signature)]
    published_key = (await public.get("/audit/public-key")).json()
    assert published_key["fingerprint_sha256"] == key.fingerprint
    assert base64.b64decode(published_key["public_key"]) == key.public_key
    assert (await public.get("/audit/public-key.pem")).text.startswith("-----BEGIN PUBLIC KEY-----")
    english = await public.get("/audit/checkpoints", headers={"accept-language": "en"})
    assert english.status_code == 200


async def test_the_results_notice_prints_the_latest_checkpoint(app, db, clock):
    from pypdf import PdfReader

    from tests.execution.factories import publicized

    story = await publicized(db, clock)
    public = make_client(app)
    before = await public.get(f"/results/{story.challenge_id}/notice.pdf")
    assert "平台尚未签发审计链锚点" in _pdf_text(PdfReader, before.content)
    row, _made = await checkpoints.make_checkpoint(db, clock, checkpoints.signing_key(app.state.settings))
    await db.commit()
    notice = await public.get(f"/results/{story.challenge_id}/notice.pdf")
    printed = _pdf_text(PdfReader, notice.content)
    assert "审计链锚点" in printed and row.head_hash in printed and row.signature in printed
    assert "/audit/checkpoints" in printed


def _pdf_text(reader: type, content: bytes) -> str:
    """The PDF's text with line breaks and spaces removed, so long hashes read whole."""
    text_ = "".join(page.extract_text() for page in reader(io.BytesIO(content)).pages)
    return "".join(text_.split())


async def test_a_member_of_the_public_checks_a_kept_checkpoint_against_todays_chain(app, db, clock, backend):
    key = checkpoints.signing_key(app.state.settings)
    await _events(db, clock, 5)
    kept, _made = await checkpoints.make_checkpoint(db, clock, key)
    await db.commit()
    public = make_client(app)
    ok = await public.get("/audit/checkpoints", params={"seq": str(kept.seq), "head_hash": kept.head_hash})
    assert ok.status_code == 200 and "✓" in ok.text and "没有被截断或改写" in ok.text
    bad = await public.get("/audit/checkpoints", params={"seq": "五", "head_hash": kept.head_hash})
    assert bad.status_code == 400 and "64 位十六进制" in bad.text and kept.head_hash in bad.text
    await _tamper(db, backend, ("DELETE FROM audit_event WHERE seq > :n", {"n": 3}))
    cut = await public.get("/audit/checkpoints", params={"seq": str(kept.seq), "head_hash": kept.head_hash})
    assert cut.status_code == 200 and "核对未通过" in cut.text and "截断" in cut.text


async def test_the_checkpoint_table_refuses_updates_and_deletes_in_the_database(app, db, clock):
    await _events(db, clock, 1)
    await checkpoints.make_checkpoint(db, clock, checkpoints.signing_key(app.state.settings))
    await db.commit()
    for statement in ("UPDATE audit_checkpoint SET seq = 9", "DELETE FROM audit_checkpoint"):
        with pytest.raises(Exception, match="append-only"):
            await db.execute(text(statement))
        await db.rollback()


async def test_the_inspectors_chain_check_says_whether_the_latest_checkpoint_still_holds(app, db, clock, backend):
    from tests.conftest import as_user
    from tests.factories import make_user

    await make_user(db, "insp", Role.INSPECTOR)
    await _events(db, clock, 4)
    await checkpoints.make_checkpoint(db, clock, checkpoints.signing_key(app.state.settings))
    await db.commit()
    inspector = await as_user(app, "insp")
    held = await inspector.post("/audit/verify", htmx=True)
    assert held.status_code == 200 and "仍包含最近的审计链锚点" in held.text
    await _tamper(db, backend, ("DELETE FROM audit_event WHERE seq > :n", {"n": 2}))
    cut = await inspector.post("/audit/verify", htmx=True)
    assert "哈希链完整" in cut.text and "链条被截断" in cut.text
