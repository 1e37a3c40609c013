"""ARENA_YOUNG_CADRE_AGE: the age line of 年轻干部 in the statistics (GLOSSARY young_cadre)."""

from __future__ import annotations

import pytest

from arena.settings import ConfigurationError, Settings


def test_young_cadres_are_under_35_unless_configured(tmp_path):
    env = {"ARENA_VAR_DIR": str(tmp_path)}
    assert Settings.from_env(env).young_cadre_age == 35
    assert Settings.from_env(env | {"ARENA_YOUNG_CADRE_AGE": "40"}).young_cadre_age == 40


@pytest.mark.parametrize("raw", ["thirty-five", "35.5", "", "0", "-3", "500"])
def test_a_bad_young_cadre_age_stops_the_start_with_a_message(tmp_path, raw):
    with pytest.raises(ConfigurationError, match="ARENA_YOUNG_CADRE_AGE"):
        Settings.from_env({"ARENA_VAR_DIR": str(tmp_path), "ARENA_YOUNG_CADRE_AGE": raw})
