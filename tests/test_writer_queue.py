"""Writers of one process queue on an asyncio lock before SQLite's own (arena.db.begin_write):
none of them waits in SQLite's busy handler, which polls with sleeps of up to 100 ms."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from arena import db as arena_db
from arena.data_versions import DataVersion
from arena.db import begin_write, create_engine, create_session_maker


async def _engine_without_busy_wait(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'queue.db'}")

    @event.listens_for(engine.sync_engine, "connect")
    def _no_wait(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")  # a writer that met the lock would fail at once
        cursor.close()

    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        await connection.run_sync(DataVersion.__table__.create)  # every write bumps the public pages' version
    return engine


class OtherRequests:
    """The process's other requests, standing in as a task that counts its turns of the loop:
    `turns` moves on only while the loop is free to run others."""

    def __init__(self, pause: float = 0) -> None:
        self.turns, self._pause = 0, pause

    async def __aenter__(self) -> OtherRequests:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(self._pause)


async def test_concurrent_writers_of_one_process_take_turns_instead_of_meeting_the_lock(tmp_path):
    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)

    async def write(n: int) -> None:
        async with sessions() as session:
            await begin_write(session)
            await session.execute(text("INSERT INTO counter VALUES (:n)"), {"n": n})
            await asyncio.sleep(0.01)  # the transaction stays open while the others arrive
            await session.commit()

    await asyncio.gather(*(write(n) for n in range(12)))
    async with sessions() as session:
        assert await session.scalar(text("SELECT count(*) FROM counter")) == 12
    await engine.dispose()


async def test_a_transaction_that_ends_in_any_way_lets_the_next_writer_in(tmp_path):
    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)
    async with sessions() as failed:
        await begin_write(failed)
        await failed.execute(text("INSERT INTO counter VALUES (1)"))
        await failed.rollback()
    async with sessions() as closed:  # never committed nor rolled back: closing ends it
        await begin_write(closed)
        await closed.execute(text("INSERT INTO counter VALUES (2)"))
    async with sessions() as session:
        await asyncio.wait_for(begin_write(session), 1)
        await session.execute(text("INSERT INTO counter VALUES (3)"))
        await session.commit()
        assert await session.scalar(text("SELECT sum(n) FROM counter")) == 3
    await engine.dispose()


async def test_a_writer_that_waits_too_long_goes_on_to_sqlites_own_wait(tmp_path, monkeypatch):
    """A session queued behind one its own request holds must not hang for ever: past WRITER_WAIT
    it meets SQLite's lock (here with no busy wait at all, so at once)."""
    monkeypatch.setattr(arena_db, "WRITER_WAIT", 0.05)
    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)
    async with sessions() as holder, sessions() as other:
        await begin_write(holder)
        with pytest.raises(OperationalError, match="locked"):
            await asyncio.wait_for(begin_write(other), 2)
        await holder.rollback()
        await asyncio.wait_for(begin_write(other), 1)  # its turn now
        await other.rollback()
    await engine.dispose()


async def test_writers_of_two_processes_take_turns_on_the_file_lock(tmp_path):
    """Another process holding the writer's flock (as a writer of another serving process
    does) keeps this process's writer waiting, and lets it in the moment it lets go."""
    import subprocess
    import sys
    import time

    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX);"
         " print('held', flush=True); time.sleep(0.5)", f"{tmp_path / 'queue.db'}-writer"],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        started = time.monotonic()
        async with sessions() as session:
            await begin_write(session)  # without the queue: SQLite's lock is free, no wait at all
            waited = time.monotonic() - started
            await session.rollback()
    finally:
        holder.wait(5)
    assert 0.3 < waited < 2
    await engine.dispose()


async def test_a_writer_that_goes_away_while_queued_leaves_the_other_processes_free(tmp_path):
    """The lock file is not left held for a writer of this process that will not come (here its
    cancellation may land before or after its turn: the end state must be the same)."""
    import fcntl
    import os

    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)
    async with sessions() as first, sessions() as second:
        await begin_write(first)
        queued = asyncio.ensure_future(begin_write(second))
        await asyncio.sleep(0.05)
        assert not queued.done()
        # first's transaction ends (as its rollback would) and keeps the file lock for the
        # queued writer, who goes away (its request cancelled) before its turn comes
        arena_db._leave_writer_queue(first.sync_session, first.sync_session.get_transaction())
        queued.cancel()
        await asyncio.gather(queued, return_exceptions=True)
        await first.rollback()
        await second.rollback()
    other_process = os.open(f"{tmp_path / 'queue.db'}-writer", os.O_RDWR)  # its own lock, like another process's
    try:
        fcntl.flock(other_process, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if still held
    finally:
        os.close(other_process)
    await engine.dispose()


async def test_a_writer_holding_the_lock_runs_its_statements_without_letting_the_loop_run_others(tmp_path):
    """The writer's turn is its writes alone (arena.db._Connection): between two statements of a
    write transaction no other task of the process runs; a read still waits on its thread."""
    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)
    async with OtherRequests() as others:
        async with sessions() as writer:
            await begin_write(writer)
            before = others.turns
            for n in range(20):
                await writer.execute(text("INSERT INTO counter VALUES (:n)"), {"n": n})
                await writer.scalar(text("SELECT count(*) FROM counter"))
            assert others.turns == before  # not one turn of the loop inside the transaction
            await writer.commit()
        async with sessions() as reader:
            before = others.turns
            for _ in range(5):
                await reader.scalar(text("SELECT count(*) FROM counter"))
            assert others.turns > before  # a read leaves the loop to the others while SQLite works
            await reader.commit()
        async with sessions() as writer:  # after the write transaction, its connection is threaded again
            await writer.scalar(text("SELECT 1"))
            before = others.turns
            await writer.scalar(text("SELECT count(*) FROM counter"))
            assert others.turns > before
    await engine.dispose()


async def test_a_long_write_gives_the_loop_back_after_its_budget(tmp_path, monkeypatch):
    """An import of thousands of rows must not hold the process's other requests up: past
    INLINE_BUDGET the writer's statements go back to the connection's thread."""
    monkeypatch.setattr(arena_db, "INLINE_BUDGET", 0.05)
    engine = await _engine_without_busy_wait(tmp_path)
    sessions = create_session_maker(engine)
    async with OtherRequests() as others:
        async with sessions() as writer:
            await begin_write(writer)
            before = others.turns
            await writer.execute(text("INSERT INTO counter VALUES (1)"))
            assert others.turns == before  # within the budget: inline
            time.sleep(0.06)  # a long write (blocking, as inline work is)
            await writer.execute(text("INSERT INTO counter VALUES (2)"))
            assert others.turns > before  # past it: the loop runs the others meanwhile
            await writer.commit()
        async with sessions() as session:
            assert await session.scalar(text("SELECT count(*) FROM counter")) == 2
    await engine.dispose()


async def test_a_writer_meeting_a_lock_taken_outside_the_queue_waits_for_it_off_the_loop(tmp_path):
    """Something that writes without queueing (the sqlite3 shell, a raw connection) holds
    SQLite's lock: the writer's BEGIN IMMEDIATE, tried at once in the loop's thread, finds it
    taken and waits on its connection's thread — the process's other requests go on meanwhile."""
    import sqlite3

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outside.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        await connection.run_sync(DataVersion.__table__.create)
    sessions = create_session_maker(engine)
    outside = sqlite3.connect(tmp_path / "outside.db", isolation_level=None, check_same_thread=False)
    outside.execute("BEGIN IMMEDIATE")
    try:
        async with OtherRequests(pause=0.001) as others, sessions() as writer:
            waiting = asyncio.create_task(begin_write(writer))
            await asyncio.sleep(0.3)
            assert not waiting.done() and others.turns > 50  # waiting for the lock, the loop free
            outside.execute("COMMIT")
            await asyncio.wait_for(waiting, 5)
            await writer.execute(text("INSERT INTO counter VALUES (1)"))
            await writer.commit()
    finally:
        outside.close()
    await engine.dispose()
