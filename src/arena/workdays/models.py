"""The working-day calendar as stored: which years have an official arrangement, and the days
that differ from the plain rule (Monday to Friday work, weekends rest).

Seeded from `chinese-calendar` for the years it knows (2004–2026); later years are entered by an
admin from the State Council's notice, on a page or from Excel.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base
from arena.workdays.enums import CalendarSource as CalendarSource  # the enums are plain Python (pure rules use them)


class WorkdayYear(Base):
    """A year whose official arrangement is known; dates in other years cannot be counted."""

    __tablename__ = "workday_year"

    year: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")  # e.g. the notice's number


class WorkdayException(Base):
    """A day that breaks the weekday rule: a holiday on a weekday (workday False) or a make-up
    working day on a weekend (workday True)."""

    __tablename__ = "workday_exception"

    day: Mapped[date] = mapped_column(Date, unique=True)
    workday: Mapped[bool] = mapped_column()
    name: Mapped[str] = mapped_column(String(40), default="")
