"""The state machines of a bid and of its team members: one table each (STYLE: state and rules).

`BID` maps an action to the states it may start from and the state it leads to; a refused
action says which states it needs, so a refused click explains itself ("只有“已提交”的揭榜才能
撤回（当前：草稿）"). Other areas move a bid only through this area's functions (the award's
outcome: bids.service.settle_award).
"""

from __future__ import annotations

from arena.bids.models import BidMember, BidStatus, MemberStatus
from arena.i18n import lazy
from arena.statemachine import Machine, Transition

S, M = BidStatus, MemberStatus

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

BID = Machine("bid", lazy("揭榜"), STATUS_LABELS, BID_TRANSITIONS, other_actions={
    "create": lazy("起草揭榜申报"),
    "save": lazy("保存揭榜草稿"),
    "invite": lazy("邀请团队成员"),
    "remove_member": lazy("移除团队成员"),
    "attach": lazy("上传揭榜附件"),
    "detach": lazy("删除揭榜附件"),
})


def _bid_of(member: BidMember) -> int:
    return member.bid_id


MEMBER = Machine("bid", lazy("团队邀请"), {M.INVITED: lazy("待确认"), M.CONFIRMED: lazy("已确认"),
                                        M.DECLINED: lazy("已谢绝")}, {
    "member_confirm": Transition(frozenset({M.INVITED}), M.CONFIRMED, lazy("确认加入团队")),
    "member_decline": Transition(frozenset({M.INVITED}), M.DECLINED, lazy("谢绝加入团队")),
}, audit_id=_bid_of)
"""A team member's answer to the lead's invitation. Audited as `bid.member_*` on the bid: the
team is part of the bid's history (its states' codes are not the bid's, so both read by name)."""

# What the cadre (and their team) may read: a veto shows as not passing qualification, and
# nothing more (DESIGN §3: the reason is for inspectors and organizers only).
CADRE_STATUS_LABELS: dict[BidStatus, str] = STATUS_LABELS | {S.VETOED: lazy("资格审查未通过")}

ACTIVE = frozenset({S.SUBMITTED, S.QUALIFIED, S.WON})
"""States in which a bid ties its lead to the challenge (the cap on active projects counts these)."""
