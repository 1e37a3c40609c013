"""State machines of review: the panel, a seat, a score sheet — one table each (STYLE).

`check(table, action, current)` returns the target state or refuses with a message naming the
states the action needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arena.audit.labels import register_actions
from arena.errors import DomainError
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.review.models import PanelStatus, SeatStatus, SheetStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    label: str


P, T, H = PanelStatus, SeatStatus, SheetStatus

PANEL_TRANSITIONS: dict[str, Transition] = {
    "commit": Transition(frozenset({P.COMMITTED}), P.COMMITTED, lazy("公布抽取承诺值")),
    "draw": Transition(frozenset({P.COMMITTED}), P.DRAWN, lazy("抽取评审专家")),
    "close": Transition(frozenset({P.DRAWN}), P.CLOSED, lazy("结束评审")),
    "reopen": Transition(frozenset({P.CLOSED}), P.DRAWN, lazy("重新开启评审")),  # an upheld objection
}
SEAT_TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({T.INVITED}), T.ACCEPTED, lazy("接受邀请")),
    "decline": Transition(frozenset({T.INVITED}), T.DECLINED, lazy("谢绝邀请")),
    "promote": Transition(frozenset({T.RESERVE}), T.INVITED, lazy("后备专家递补")),
    # After the due date, a member who still owes work (review.deadlines.replace_refusal).
    "replace": Transition(frozenset({T.INVITED, T.ACCEPTED}), T.REPLACED, lazy("替换逾期专家")),
}
SHEET_TRANSITIONS: dict[str, Transition] = {
    "save": Transition(frozenset({H.DRAFT}), H.DRAFT, lazy("保存评分")),
    "submit": Transition(frozenset({H.DRAFT}), H.SUBMITTED, lazy("提交评分")),
    "reopen": Transition(frozenset({H.SUBMITTED}), H.DRAFT, lazy("退回重评")),
    "recuse": Transition(frozenset({H.DRAFT}), H.RECUSED, lazy("申请回避")),
    "void": Transition(frozenset({H.DRAFT, H.SUBMITTED}), H.VOID, lazy("作废评分表")),  # its expert replaced
}

PANEL_LABELS = {P.COMMITTED: lazy("已公布承诺值，待抽取"), P.DRAWN: lazy("评审中"), P.CLOSED: lazy("评审已结束")}
SEAT_LABELS = {T.INVITED: lazy("待确认"), T.ACCEPTED: lazy("已接受"), T.DECLINED: lazy("已谢绝"),
               T.RESERVE: lazy("后备"), T.REPLACED: lazy("已替换")}
SHEET_LABELS = {H.DRAFT: lazy("未提交"), H.SUBMITTED: lazy("已提交"), H.RECUSED: lazy("已回避"), H.VOID: lazy("已作废")}
_LABELS: dict[type[StrEnum], dict[str, str]] = {
    PanelStatus: {k.value: v for k, v in PANEL_LABELS.items()},
    SeatStatus: {k.value: v for k, v in SEAT_LABELS.items()},
    SheetStatus: {k.value: v for k, v in SHEET_LABELS.items()}}

register_actions({f"panel.{a}": t.label for a, t in PANEL_TRANSITIONS.items()}
                 | {f"seat.{a}": t.label for a, t in SEAT_TRANSITIONS.items()}
                 | {f"sheet.{a}": t.label for a, t in SHEET_TRANSITIONS.items()}
                 | {"panel.chair": lazy("指定评审组组长"), "expert.conflict": lazy("申报回避"),
                    "expert.fields": lazy("修改专家领域"), "review.results_verified": lazy("核验评审结果"),
                    "panel.due": lazy("设定评审截止日期"), "panel.chase": lazy("催评")})


def check(table: dict[str, Transition], kind: type[StrEnum], action: str, current: str) -> str:
    transition = table[action]
    if current not in transition.sources:
        labels = _LABELS[kind]
        allowed = "、".join(_(labels[s]) for s in sorted(transition.sources))
        raise DomainError(_("只有“{allowed}”状态才能{action}（当前：{current}）").format(
            allowed=allowed, action=_(transition.label), current=_(labels[current])))
    return transition.target
