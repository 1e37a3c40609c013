"""Readable names for audit actions, so the log reads as sentences for inspectors.

Each area registers its own actions (`register_actions`) next to the code that records them; an
action without a label is shown by its code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arena.i18n import gettext, lazy

ACTION_LABELS: dict[str, str] = {}
STATE_LABELS: dict[str, dict[str, str]] = {}
"""object type → state code → msgid, so a summary's `from`/`to` read as 状态 名称 → 名称."""


def register_actions(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def register_states(object_type: str, labels: Mapping[Any, str]) -> None:
    STATE_LABELS.setdefault(object_type, {}).update({str(code): label for code, label in labels.items()})


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return gettext(label) if label else action


def state_label(object_type: str, state: object) -> str:
    label = STATE_LABELS.get(object_type, {}).get(str(state))
    return gettext(label) if label else str(state)


def action_choices() -> list[str]:
    """Every registered action's name in the reader's language, once each, in a stable order:
    what the log's 操作 filter offers (a name shared by several actions finds them all)."""
    return list(dict.fromkeys(gettext(label) for _code, label in sorted(ACTION_LABELS.items())))


def actions_named(text: str) -> list[str]:
    """The action codes whose name (in the reader's language) contains `text`, or the code
    itself when `text` is one: the log's 操作 filter, e.g. 挂帅 finds challenge.award and bid.win."""
    if text in ACTION_LABELS or "." in text:
        return [text]
    return sorted(code for code, label in ACTION_LABELS.items() if text in gettext(label) or text in label)


OBJECT_LABELS: dict[str, str] = {
    "challenge": lazy("榜单"),
    "bid": lazy("揭榜申报"),
    "panel": lazy("评审专家组"),
    "panel_seat": lazy("评审席位"),
    "score_sheet": lazy("评分表"),
    "publicity": lazy("公示"),
    "objection": lazy("异议"),
    "project": lazy("项目"),
    "milestone": lazy("节点任务"),
    "report": lazy("进展报告"),
    "checkpoint": lazy("赛马节点"),
    "plan_change": lazy("计划变更"),
    "tolerance": lazy("容错申请"),
    "record": lazy("结果运用记录"),
    "record_rule": lazy("结果运用规则"),
    "user": lazy("账号"),
    "unit": lazy("单位"),
    "cadre": lazy("干部"),
    "expert": lazy("专家"),
    "api_client": lazy("接口客户端"),
    "calendar": lazy("工作日安排"),
    "org_department": lazy("组织部门"),
}
"""object type → its name (msgid), for the log's 对象 column and filter."""


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return gettext(label) if label else object_type


register_actions({
    "auth.login": lazy("登录"),
    "user.create": lazy("创建账号"),
    "user.update": lazy("修改账号"),
    "user.password_reset": lazy("重置密码"),
    "user.password_change": lazy("修改本人密码"),
    "demo.units": lazy("载入演示单位"),
    "demo.scale": lazy("载入扩容演示数据"),
    "cadre.create": lazy("新增干部"),
    "expert.create": lazy("新增专家"),
})
