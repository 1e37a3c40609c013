"""The e-mail outbox: notifications still to be e-mailed, sent in batches by `arena worker`
(arena.worker). Each notification is claimed before it is sent, so two workers never send one
twice; a failed send gives it back for a later pass, up to MAX_ATTEMPTS."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arena.auth.models import User
from arena.clock import Clock
from arena.db import transaction
from arena.notify import mail
from arena.notify.models import Notification

logger = logging.getLogger("arena.worker")
MAX_ATTEMPTS = 5
BATCH = 50


def _unsent(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Notifications still to be e-mailed: recipient has an address, not older than a week."""
    return (Notification.emailed_at.is_(None), User.email.is_not(None),
            Notification.created_at > now - timedelta(days=7))


async def mail_queue(db: AsyncSession, now: datetime) -> tuple[int, int]:
    """(waiting, given up) e-mails, for /metrics: one statement."""
    row = (await db.execute(
        select(func.count().filter(Notification.email_attempts < MAX_ATTEMPTS),
               func.count().filter(Notification.email_attempts >= MAX_ATTEMPTS))
        .select_from(Notification).join(User, User.id == Notification.recipient_id)
        .where(*_unsent(now)))).one()
    return int(row[0]), int(row[1])


async def send_pending_mail(session_maker: async_sessionmaker[AsyncSession], clock: Clock,
                            config: mail.SmtpConfig) -> int:
    async with transaction(session_maker) as db:
        rows = (await db.execute(
            select(Notification.id, Notification.title, Notification.body, Notification.link, User.email)
            .join(User, User.id == Notification.recipient_id)
            .where(*_unsent(clock.now()), Notification.email_attempts < MAX_ATTEMPTS)
            .order_by(Notification.id).limit(BATCH))).all()
        # claim them: whoever marks first sends
        claimed = []
        for row in rows:
            result = await db.execute(update(Notification).where(Notification.id == row.id,
                                                                  Notification.emailed_at.is_(None))
                                      .values(emailed_at=clock.now(), email_attempts=Notification.email_attempts + 1))
            if result.rowcount:  # type: ignore[attr-defined]
                claimed.append(row)
    sent = 0
    for row in claimed:
        body = row.body + (f"\n\n{row.link}" if row.link else "")
        try:
            await asyncio.to_thread(mail.send, config, row.email, row.title, body)
            sent += 1
        except Exception:  # the server is down or refused: give it back for a later pass
            logger.warning("e-mail for notification %s failed; will retry", row.id, exc_info=True)
            async with transaction(session_maker) as db:
                await db.execute(update(Notification).where(Notification.id == row.id).values(emailed_at=None))
    return sent
