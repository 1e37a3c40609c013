"""Fault injection for crash tests: `ARENA_FAULT_PAUSE=name:seconds` makes the named point wait
inside its transaction, so a test can kill the server at exactly that moment. Unset (always, in
real use) it does nothing."""

from __future__ import annotations

import asyncio
import os


async def pause_point(name: str) -> None:
    spec = os.environ.get("ARENA_FAULT_PAUSE")
    if not spec:
        return
    point, _sep, seconds = spec.partition(":")
    if point == name:
        await asyncio.sleep(float(seconds or 1))
