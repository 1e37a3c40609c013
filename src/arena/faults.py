"""Fault injection for crash tests: `ARENA_FAULT_PAUSE=name:seconds[,name:lo-hi…]` makes the named
points wait inside their transactions (a fixed time, or a random one between lo and hi), so a
test can kill the process at exactly that moment. Each pause is logged first, so the test can
tell a kill that landed mid-transaction. Unset (always, in real use) it does nothing."""

from __future__ import annotations

import asyncio
import os
import random


async def pause_point(name: str) -> None:
    spec = os.environ.get("ARENA_FAULT_PAUSE")
    if not spec:
        return
    seconds = pause_for(spec, name)
    if seconds is not None:
        # Straight to stderr, not through logging: the app's log queue dies unflushed with kill -9.
        os.write(2, f"fault pause {name} {seconds:.3f}s\n".encode())
        await asyncio.sleep(seconds)
        os.write(2, f"fault resume {name}\n".encode())


def pause_for(spec: str, name: str) -> float | None:
    """The pause `spec` asks for at point `name` (pure but for the random draw)."""
    for entry in spec.split(","):
        point, _sep, value = entry.strip().partition(":")
        if point != name:
            continue
        low, _dash, high = (value or "1").partition("-")
        return random.uniform(float(low), float(high)) if high else float(low)
    return None
