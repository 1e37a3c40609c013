"""Where a year's working-day calendar came from — plain Python, like every area's enums.
arena.workdays.models re-exports it, and the column stores its value as a string."""

from __future__ import annotations

import enum


class CalendarSource(enum.StrEnum):
    PACKAGE = "package"  # seeded from chinese-calendar
    ADMIN = "admin"  # entered on the page
    IMPORT = "import"  # imported from Excel
