"""State machines of publicity and of an objection: one table each (STYLE)."""

from __future__ import annotations

from arena.audit.summary import register_values
from arena.i18n import lazy
from arena.publicity.enums import ObjectionAction
from arena.publicity.models import ObjectionStatus, PublicityStatus
from arena.statemachine import Machine, Transition

P, J = PublicityStatus, ObjectionStatus

PUBLICITY = Machine("publicity", lazy("结果公示"), {
    P.PUBLISHED: lazy("公示中"), P.CONCLUDED: lazy("公示结束"), P.WITHDRAWN: lazy("已撤回")}, {
    "conclude": Transition(frozenset({P.PUBLISHED}), P.CONCLUDED, lazy("公示结束")),
    "withdraw": Transition(frozenset({P.PUBLISHED}), P.WITHDRAWN, lazy("撤回公示")),
}, other_actions={"publish": lazy("发布结果公示")})

OBJECTION = Machine("objection", lazy("异议"), {
    J.OPEN: lazy("待答复"), J.UPHELD: lazy("异议成立"), J.DISMISSED: lazy("异议不成立")}, {
    "uphold": Transition(frozenset({J.OPEN}), J.UPHELD, lazy("认定异议成立")),
    "dismiss": Transition(frozenset({J.OPEN}), J.DISMISSED, lazy("认定异议不成立")),
}, other_actions={"file": lazy("提出异议")})

ACTION_LABELS: dict[str, str] = {ObjectionAction.DISQUALIFY: lazy("取消揭榜资格"),
                                 ObjectionAction.REOPEN_REVIEW: lazy("重新开启评审")}
"""What an upheld objection led to, by name, as the audit log reads it (`action`)."""
register_values("action", ACTION_LABELS)
