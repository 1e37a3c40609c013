from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from arena.actor import SYSTEM, Actor
from arena.audit import service
from arena.audit.chain import GENESIS_HASH, LINK_JOINT, ChainEntry, around_link, event_hash, first_broken_link
from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.clock import Clock
from arena.db import begin_write
from tests.factories import make_user


def _chain(summaries: list[str]) -> list[ChainEntry]:
    entries, prev = [], GENESIS_HASH
    for i, summary in enumerate(summaries, start=1):
        entry = ChainEntry(i, datetime(2026, 1, 1, tzinfo=UTC), 1, "u", "admin", "act", "obj", str(i), summary, prev)
        entry = ChainEntry(**{**entry.__dict__, "hash": event_hash(entry)})
        entries.append(entry)
        prev = entry.hash
    return entries


@given(st.text(max_size=40), st.text(max_size=40), st.integers(min_value=1, max_value=10**9),
       st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_the_form_around_the_link_completed_with_it_hashes_as_the_event(name, summary, seq, prev):
    """PostgreSQL appends an event by completing this form under the chain's lock (migration
    20261204_02): whatever the fields hold, the result is the event's own hash."""
    entry = ChainEntry(0, datetime(2026, 1, 1, 8, 30, tzinfo=UTC), None, name, "expert", "sheet.save",
                       "score_sheet", name[::-1], summary, "")
    before, after = around_link(entry)
    linked = ChainEntry(**{**entry.__dict__, "seq": seq, "prev_hash": prev})
    assert hashlib.sha256((before + prev + LINK_JOINT + str(seq) + after).encode()).hexdigest() == event_hash(linked)


@given(st.lists(st.text(max_size=30), min_size=1, max_size=20))
def test_an_untouched_chain_verifies(summaries):
    assert first_broken_link(_chain(summaries)) is None


@given(st.lists(st.text(max_size=30), min_size=2, max_size=20), st.data())
def test_changing_any_event_breaks_the_chain_at_that_event(summaries, data):
    entries = _chain(summaries)
    index = data.draw(st.integers(0, len(entries) - 1))
    forged = ChainEntry(**{**entries[index].__dict__, "summary": entries[index].summary + "x"})
    entries[index] = forged
    broken = first_broken_link(entries)
    assert broken is not None and broken.seq == index + 1


def test_a_missing_event_is_named():
    entries = _chain(["a", "b", "c"])
    broken = first_broken_link([entries[0], entries[2]])
    assert broken is not None and broken.seq == 2


async def test_recorded_events_verify_and_tampering_is_found(db, backend):
    for i in range(5):
        await service.record(db, Clock(), SYSTEM, "admin", "test.event", "thing", i, {"n": i, "名": "值"})
    await db.commit()
    report = await service.verify_chain(db)
    assert report.ok and report.count == 5
    # Tamper behind the application's back (disable the guard trigger first).
    if backend == "sqlite":
        await db.execute(text("DROP TRIGGER audit_event_no_update"))
    else:
        await db.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_immutable"))
    await db.execute(text("UPDATE audit_event SET summary = :forged WHERE seq = 3"), {"forged": '{"n":99}'})
    if backend != "sqlite":  # this PostgreSQL database is reused by the worker's next tests
        await db.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_immutable"))
    await db.commit()
    report = await service.verify_chain(db)
    assert not report.ok and report.broken.seq == 3


async def test_eight_concurrent_writers_never_fork_the_chain(app, db, backend):
    user = await make_user(db, "writer", Role.ADMIN)
    await db.commit()
    actor = Actor(user.id, user.username, user.display_name, frozenset({Role.ADMIN}))

    async def writer(n: int) -> None:
        for i in range(6):
            async with app.state.session_maker() as session:
                await begin_write(session)
                await service.record(session, Clock(), actor, "admin", "test.concurrent", "thing", f"{n}-{i}")
                await asyncio.sleep(0)
                await session.commit()

    await asyncio.gather(*(writer(n) for n in range(8)))
    seqs = (await db.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq))).all()
    assert seqs == list(range(1, 49))
    report = await service.verify_chain(db)
    assert report.ok and report.count == 48
