"""In-app notifications (站内消息), their e-mail outbox, and the record of reminders sent."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base


class Notification(Base):
    """One message to one person. Title and body are plain text, written by the caller for
    this recipient: nobody else's confidential facts go in (a veto's reason never does)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_id_read_at", "recipient_id", "read_at"),
                      Index("ix_notification_emailed_at", "emailed_at"))

    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # the e-mail outbox: pending while emailed_at is null and the recipient has an address
    emailed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)


class SentReminder(Base):
    """A reminder rule fired for one object and one person. The unique key makes it once only,
    however many workers run the same pass at the same moment."""

    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("rule", "object_type", "object_id", "recipient_id"),)

    rule: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
