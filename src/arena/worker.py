"""`arena worker`: reminders, e-mail, the daily audit checkpoint and records whose 公示 has ended
(records.notices.conclude_due), in a loop beside the web processes. It runs every area's jobs,
so it sits above the areas, next to the command line that starts it.

Each pass is one transaction per step. Several workers may run: reminders are claimed by a
unique row, and an e-mail is claimed by marking it before sending (a crash between the two
loses that one e-mail rather than sending it twice: arena.notify.outbox); the day's audit
checkpoint, by a unique row too (arena.audit.checkpoints).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arena.audit.anchor import CheckpointKey
from arena.audit.checkpoints import ChainDoesNotExtend, daily_checkpoint
from arena.auth import throttle
from arena.clock import Clock
from arena.db import transaction
from arena.notify import mail
from arena.notify.outbox import send_pending_mail
from arena.notify.reminders import run_reminders
from arena.records.notices import conclude_due

logger = logging.getLogger("arena.worker")


async def checkpoint_today(session_maker: async_sessionmaker[AsyncSession], clock: Clock,
                           key: CheckpointKey) -> None:
    """Sign the day's audit checkpoint if no worker has yet. A chain that no longer extends the
    last checkpoint is never signed over: that is logged as an error for the operators."""
    try:
        async with transaction(session_maker) as db:
            made = await daily_checkpoint(db, clock, key)
    except ChainDoesNotExtend as exc:
        logger.error("audit checkpoint refused: %s", exc.message)
        return
    if made is not None:
        logger.info("audit checkpoint signed: seq %s, head %s", made.seq, made.head_hash)


async def run_pass(session_maker: async_sessionmaker[AsyncSession], clock: Clock,
                   config: mail.SmtpConfig | None, checkpoint_key: CheckpointKey | None = None) -> tuple[int, int]:
    async with transaction(session_maker) as db:
        reminders = await run_reminders(db, clock)
        await throttle.prune(db, clock.now())
    async with transaction(session_maker) as db:
        await conclude_due(db, clock)  # 任前/表彰公示 that ended with every objection answered take effect
    if checkpoint_key is not None:
        await checkpoint_today(session_maker, clock, checkpoint_key)
    emails = await send_pending_mail(session_maker, clock, config) if config else 0
    return reminders, emails


async def run_forever(session_maker: async_sessionmaker[AsyncSession], clock: Clock,
                      config: mail.SmtpConfig | None, interval: float,
                      checkpoint_key: CheckpointKey | None = None,
                      on_pass: Callable[[float], Awaitable[None]] | None = None) -> None:
    """`on_pass` gets the time of each completed pass (arena.observe.heartbeat)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            reminders, emails = await run_pass(session_maker, clock, config, checkpoint_key)
            # Every pass, even an empty one: a silent worker is how an operator (or an alert) sees it stopped.
            logger.info("worker pass: %s reminders, %s e-mails", reminders, emails,
                        extra={"event": "worker_pass", "reminders": reminders, "emails": emails})
            if on_pass is not None:
                await on_pass(clock.now().timestamp())
        except Exception:
            logger.exception("worker pass failed; trying again next time")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
