"""Coded values in audit summaries read by name: each area registers its own codes."""

from __future__ import annotations

import arena.auth.service  # registers the role names
import arena.records.labels  # noqa: F401  (registers record types and triggers)
from arena.audit.summary import register_values, text


def test_record_types_triggers_and_roles_read_by_name():
    assert text("record", '{"type":"admonishment","trigger":"eliminated"}') == "类型：诫勉；依据：赛马末位淘汰"
    assert text("user", '{"roles":["cadre","expert"]}') == "角色：干部、评审专家"


def test_a_value_nobody_registered_shows_as_stored():
    register_values("colour", {"red": "红"})
    assert text("x", '{"colour":"blue","type":"something_new","roles":["cadre","robot"]}') == \
        "colour：blue；类型：something_new；角色：cadre、robot"
