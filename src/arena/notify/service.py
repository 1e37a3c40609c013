"""Notifying people: in the caller's transaction, so a message commits with what caused it.

Callers write the title and body for the recipient (plain text, shown escaped) and must put in
only what that person may see. E-mail is sent later by `arena worker` from the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from arena.clock import Clock
from arena.db import get_or_none
from arena.errors import NotFound
from arena.i18n import gettext as _
from arena.notify.models import Notification


async def notify(db: AsyncSession, clock: Clock, recipients: Iterable[int | None], kind: str, title: str,
                 body: str = "", link: str = "") -> int:
    """One notification per distinct recipient; returns how many were written."""
    ids = sorted({r for r in recipients if r is not None})
    for recipient in ids:
        db.add(Notification(recipient_id=recipient, kind=kind, title=title[:200], body=body, link=link[:300]))
    if ids:
        await db.flush()
    return len(ids)


async def unread_count(db: AsyncSession, user_id: int) -> int:
    return int(await db.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None))) or 0)


def inbox_statement(user_id: int, unread_only: bool = False) -> Select[Any]:
    stmt = select(Notification).where(Notification.recipient_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.id.desc())


async def open_notification(db: AsyncSession, clock: Clock, user_id: int, notification_id: int) -> Notification:
    """Mark one of this person's notifications read; another's answers as not found."""
    found = await get_or_none(db, Notification, notification_id)
    if found is None or found.recipient_id != user_id:
        raise NotFound(_("该消息不存在"))
    if found.read_at is None:
        found.read_at = clock.now()
    return found


async def mark_all_read(db: AsyncSession, clock: Clock, user_id: int) -> None:
    await db.execute(update(Notification).where(Notification.recipient_id == user_id,
                                                Notification.read_at.is_(None)).values(read_at=clock.now()))
