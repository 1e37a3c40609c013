"""The bid state machine: one table of allowed transitions (STYLE: state and rules).

`BID_TRANSITIONS` maps an action to the states it may start from and the state it leads to.
`check_transition` refuses with a message that says which states the action needs, so a
refused click explains itself ("只有已提交的揭榜才能撤回（当前：草稿）").
"""

from __future__ import annotations

from dataclasses import dataclass

from arena.bids.models import BidStatus
from arena.errors import DomainError
from arena.i18n import gettext as _
from arena.i18n import lazy

S = BidStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset[BidStatus]
    target: BidStatus
    label: str  # msgid: what the action is called in a refusal message


BID_TRANSITIONS: dict[str, Transition] = {
    # the cadre, while the window is open
    "submit": Transition(frozenset({S.DRAFT}), S.SUBMITTED, lazy("提交")),
    "resubmit": Transition(frozenset({S.SUBMITTED}), S.SUBMITTED, lazy("提交新版本")),
    "withdraw": Transition(frozenset({S.DRAFT, S.SUBMITTED}), S.WITHDRAWN, lazy("撤回")),
    "reopen": Transition(frozenset({S.WITHDRAWN}), S.DRAFT, lazy("重新起草")),
    # the organizer, after the window has closed
    "qualify": Transition(frozenset({S.SUBMITTED, S.DISQUALIFIED}), S.QUALIFIED, lazy("资格审查通过")),
    "disqualify": Transition(frozenset({S.SUBMITTED, S.QUALIFIED}), S.DISQUALIFIED, lazy("资格审查不通过")),
    # the inspector (一票否决), before review starts
    "veto": Transition(frozenset({S.SUBMITTED, S.QUALIFIED}), S.VETOED, lazy("一票否决")),
    # the award (execution issue)
    "win": Transition(frozenset({S.QUALIFIED}), S.WON, lazy("确定挂帅")),
    "not_chosen": Transition(frozenset({S.QUALIFIED}), S.NOT_CHOSEN, lazy("未入选")),
}

STATUS_LABELS: dict[BidStatus, str] = {
    S.DRAFT: lazy("草稿"),
    S.SUBMITTED: lazy("已提交"),
    S.WITHDRAWN: lazy("已撤回"),
    S.QUALIFIED: lazy("资格审查通过"),
    S.DISQUALIFIED: lazy("资格审查未通过"),
    S.VETOED: lazy("一票否决"),
    S.WON: lazy("已挂帅"),
    S.NOT_CHOSEN: lazy("未入选"),
}

# What the cadre (and their team) may read: a veto shows as not passing qualification, and
# nothing more (DESIGN §3: the reason is for inspectors and organizers only).
CADRE_STATUS_LABELS: dict[BidStatus, str] = STATUS_LABELS | {S.VETOED: lazy("资格审查未通过")}

ACTIVE = frozenset({S.SUBMITTED, S.QUALIFIED, S.WON})
"""States in which a bid ties its lead to the challenge (the cap on active projects counts these)."""


def check_transition(action: str, current: str) -> BidStatus:
    """The state `action` leads to from `current`, or a DomainError saying why not."""
    transition = BID_TRANSITIONS[action]
    state = BidStatus(current)
    if state not in transition.sources:
        allowed = "、".join(_(STATUS_LABELS[s]) for s in sorted(transition.sources, key=list(BidStatus).index))
        raise DomainError(_("只有{allowed}的揭榜才能{action}（当前：{current}）").format(
            allowed=allowed, action=_(transition.label), current=_(STATUS_LABELS[state])))
    return transition.target
