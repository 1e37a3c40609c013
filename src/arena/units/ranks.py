"""Ranks (职级) and their Chinese labels: plain Python, so code that reads an import file in a
child process (arena.units.import_rows) needs no SQLAlchemy. arena.units.models re-exports them."""

from __future__ import annotations

import enum


class Rank(enum.StrEnum):
    """GLOSSARY rank (职级), in ascending order: eligibility compares positions in this list."""

    CLERK = "clerk"
    DEPUTY_SECTION = "deputy_section"
    SECTION = "section"
    DEPUTY_DIVISION = "deputy_division"
    DIVISION = "division"
    DEPUTY_BUREAU = "deputy_bureau"
    BUREAU = "bureau"

    @property
    def level(self) -> int:
        return list(Rank).index(self)


RANK_LABELS: dict[Rank, str] = {
    Rank.CLERK: "科员",
    Rank.DEPUTY_SECTION: "副科级",
    Rank.SECTION: "正科级",
    Rank.DEPUTY_DIVISION: "副处级",
    Rank.DIVISION: "正处级",
    Rank.DEPUTY_BUREAU: "副厅级",
    Rank.BUREAU: "正厅级",
}
RANK_BY_LABEL: dict[str, Rank] = {label: rank for rank, label in RANK_LABELS.items()}
