"""A worker's event loop that answers nobody for a while is logged with why (arena.observe.stalls)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from arena.observe import stalls


async def _watched(work: object, threshold_ms: int = 60) -> None:
    async with stalls.watching(threshold_ms):
        await asyncio.sleep(0.06)  # the watch is under way
        work()  # type: ignore[operator]
        await asyncio.sleep(0.06)  # it wakes, late or not


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def _stall_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "arena.stalls"]


def test_the_loop_held_by_this_process_s_own_work_is_logged_as_on_a_cpu(caplog: pytest.LogCaptureFixture) -> None:
    before = stalls.STALLS._value.get()
    with caplog.at_level(logging.WARNING, logger="arena.stalls"):
        asyncio.run(_watched(lambda: _busy(0.25)))
    [record] = _stall_records(caplog)
    assert record.getMessage().startswith("event loop stalled for stall_ms ")
    assert 200 <= record.stall_ms < 1000  # type: ignore[attr-defined]
    assert record.on_cpu_ms >= 200  # type: ignore[attr-defined]  # the thread ran: its own work
    assert stalls.STALLS._value.get() == before + 1


def test_a_blocking_call_on_the_loop_is_logged_as_off_the_cpu(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="arena.stalls"):
        asyncio.run(_watched(lambda: time.sleep(0.25)))
    [record] = _stall_records(caplog)
    assert record.stall_ms >= 200  # type: ignore[attr-defined]
    assert record.on_cpu_ms < 100  # type: ignore[attr-defined]  # it slept: neither its work nor a busy machine


def test_a_loop_that_keeps_turning_logs_nothing_and_0_watches_nothing(caplog: pytest.LogCaptureFixture) -> None:
    async def turning() -> None:
        for _ in range(20):
            await asyncio.sleep(0.01)

    with caplog.at_level(logging.WARNING, logger="arena.stalls"):
        asyncio.run(_watched(lambda: None))
        asyncio.run(_watched(lambda: _busy(0.2), threshold_ms=0))  # off
        asyncio.run(turning())
    assert _stall_records(caplog) == []
