"""What an API token may read — plain Python, like every area's enums. arena.api.models
re-exports it, and the column stores its value as a string."""

from __future__ import annotations

import enum


class Scope(enum.StrEnum):
    CHALLENGES = "challenges"  # published challenges
    RESULTS = "results"  # announced results
    RECORDS = "records"  # approved records (结果运用记录)
