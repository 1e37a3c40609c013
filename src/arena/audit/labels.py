"""Readable names for audit actions, so the log reads as sentences for inspectors.

Each area registers its own actions (`register_actions`) next to the code that records them; an
action without a label is shown by its code.
"""

from __future__ import annotations

from arena.i18n import gettext, lazy

ACTION_LABELS: dict[str, str] = {}


def register_actions(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return gettext(label) if label else action


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
