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


def test_a_changed_field_and_counts_by_kind_read_by_name():
    changes = '{"changes":{"contact_phone":{"after":"010-2","before":"010-1"},"name":{"after":"乙","before":"甲"}}}'
    assert text("unit", changes) == "变更内容：联系电话：010-1 → 010-2；名称：甲 → 乙"
    assert text("unit", '{"created":{"cadre":2,"expert":0},"logins":2}') == "新增：干部：2；专家：0；新开登录账号数：2"


def test_every_key_a_summary_is_written_with_has_a_name():
    """No raw English on a Chinese page (the audit log): every key of a summary written as a
    literal — to audit.record, a Machine's move or record, a challenge's transition — is named in
    KEY_LABELS, read from the source of every module."""
    import ast

    from arena import PROJECT_ROOT
    from arena.audit.summary import KEY_LABELS

    unnamed = []
    for path in sorted((PROJECT_ROOT / "src" / "arena").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "move", "transition")):
                continue
            for argument in node.args:
                keys = argument.keys if isinstance(argument, ast.Dict) else []
                unnamed += [f"{path.name}:{node.lineno} {key.value}" for key in keys
                            if isinstance(key, ast.Constant) and key.value not in KEY_LABELS
                            and key.value not in ("from", "to")]
    assert not unnamed, unnamed
