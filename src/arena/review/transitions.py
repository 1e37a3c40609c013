"""State machines of review: the panel, its draw commitments, a seat, a score sheet — one table
each (STYLE). Refusals name the states an action needs (arena.statemachine)."""

from __future__ import annotations

from arena.audit.labels import register_actions
from arena.i18n import lazy
from arena.review.models import CommitmentStatus, PanelStatus, SeatStatus, SheetStatus
from arena.statemachine import Machine, Transition

P, C, T, H = PanelStatus, CommitmentStatus, SeatStatus, SheetStatus

PANEL_LABELS = {P.COMMITTED: lazy("已公布承诺值，待抽取"), P.DRAWN: lazy("评审中"), P.CLOSED: lazy("评审已结束")}
SEAT_LABELS = {T.INVITED: lazy("待确认"), T.ACCEPTED: lazy("已接受"), T.DECLINED: lazy("已谢绝"),
               T.RESERVE: lazy("后备"), T.REPLACED: lazy("已替换")}
SHEET_LABELS = {H.DRAFT: lazy("未提交"), H.SUBMITTED: lazy("已提交"), H.RECUSED: lazy("已回避"), H.VOID: lazy("已作废")}

PANEL = Machine("panel", lazy("评审专家组"), PANEL_LABELS, {
    # a commitment replaced before the draw (panel.recommit); the panel stays committed
    "commit": Transition(frozenset({P.COMMITTED}), P.COMMITTED, lazy("公布抽取承诺值")),
    "draw": Transition(frozenset({P.COMMITTED}), P.DRAWN, lazy("抽取评审专家")),
    "close": Transition(frozenset({P.DRAWN}), P.CLOSED, lazy("结束评审")),
    "reopen": Transition(frozenset({P.CLOSED}), P.DRAWN, lazy("重新开启评审")),  # an upheld objection
}, other_actions={"chair": lazy("指定评审组组长"), "due": lazy("设定评审截止日期"), "chase": lazy("催评")})

COMMITMENT = Machine("commitment", lazy("抽取承诺"), {
    C.OPEN: lazy("待抽取"), C.REPLACED: lazy("已被替换"), C.DRAWN: lazy("已抽取")}, {
    "replace": Transition(frozenset({C.OPEN}), C.REPLACED, lazy("重新公布抽取承诺")),
    "draw": Transition(frozenset({C.OPEN}), C.DRAWN, lazy("抽取评审专家")),
}, object_type="draw_commitment", audited=False)
"""A panel's published commitment (抽取承诺): its moves are recorded by the panel's own events
(panel.recommit, panel.commit_supplement, panel.draw, panel.draw_supplement), which name its ordinal."""

SEAT = Machine("seat", lazy("评审邀请"), SEAT_LABELS, {
    "accept": Transition(frozenset({T.INVITED}), T.ACCEPTED, lazy("接受邀请")),
    "decline": Transition(frozenset({T.INVITED}), T.DECLINED, lazy("谢绝邀请")),
    "promote": Transition(frozenset({T.RESERVE}), T.INVITED, lazy("后备专家递补")),
    # After the due date, a member who still owes work (review.deadlines.replace_refusal).
    "replace": Transition(frozenset({T.INVITED, T.ACCEPTED}), T.REPLACED, lazy("替换逾期专家")),
}, object_type="panel_seat")

SHEET = Machine("sheet", lazy("评分表"), SHEET_LABELS, {
    "save": Transition(frozenset({H.DRAFT}), H.DRAFT, lazy("保存评分")),
    "submit": Transition(frozenset({H.DRAFT}), H.SUBMITTED, lazy("提交评分")),
    "reopen": Transition(frozenset({H.SUBMITTED}), H.DRAFT, lazy("退回重评")),
    "recuse": Transition(frozenset({H.DRAFT}), H.RECUSED, lazy("申请回避")),
    "void": Transition(frozenset({H.DRAFT, H.SUBMITTED}), H.VOID, lazy("作废评分表")),  # its expert replaced
}, object_type="score_sheet")

register_actions({"expert.conflict": lazy("申报回避"),
                  "review.results_verified": lazy("核验评审结果")})
