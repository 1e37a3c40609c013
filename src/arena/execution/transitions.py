"""State machines of execution: a project, a milestone, a progress report, a horse-race
checkpoint, a plan change and a fault-tolerance request — one table each (STYLE)."""

from __future__ import annotations

from arena.challenges.models import CheckpointStatus
from arena.execution.grades import GRADE_LABELS
from arena.execution.models import (
    MilestoneStatus,
    PlanChangeStatus,
    ProjectStatus,
    ReportStatus,
    ToleranceStatus,
    Verdict,
)
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.statemachine import Machine, Transition

J, M, R, C, G, T = ProjectStatus, MilestoneStatus, ReportStatus, CheckpointStatus, PlanChangeStatus, ToleranceStatus

PROJECT = Machine("project", lazy("项目"), {
    J.PENDING_SIGNATURE: lazy("待签署军令状"), J.ACTIVE: lazy("实施中"), J.ELIMINATED: lazy("已淘汰"),
    J.CONCLUDED: lazy("已验收")}, {
    "sign": Transition(frozenset({J.PENDING_SIGNATURE}), J.ACTIVE, lazy("签署军令状")),
    "eliminate": Transition(frozenset({J.ACTIVE}), J.ELIMINATED, lazy("末位淘汰")),
    "conclude": Transition(frozenset({J.ACTIVE}), J.CONCLUDED, lazy("验收结项")),
}, other_actions={"award": lazy("确定挂帅"), "assessor": lazy("指定考核专家")})

OPEN_MILESTONE = frozenset({M.PENDING, M.ON_TRACK, M.AT_RISK})
"""Milestones still being worked on: reports and assessments may change them."""

MILESTONE = Machine("milestone", lazy("节点任务"), {
    M.PENDING: lazy("未考核"), M.ON_TRACK: lazy("正常推进"), M.AT_RISK: lazy("存在风险"), M.FAILED: lazy("未完成"),
    M.COMPLETED: lazy("已完成"), M.EXCUSED: lazy("已容错")}, {
    # an assessment's verdict moves the milestone; a completed or failed one stays as assessed
    Verdict.ON_TRACK.value: Transition(OPEN_MILESTONE, M.ON_TRACK, lazy("考核：正常推进")),
    Verdict.AT_RISK.value: Transition(OPEN_MILESTONE, M.AT_RISK, lazy("考核：存在风险")),
    Verdict.FAILED.value: Transition(OPEN_MILESTONE, M.FAILED, lazy("考核：未完成")),
    Verdict.COMPLETED.value: Transition(OPEN_MILESTONE, M.COMPLETED, lazy("考核：已完成")),
    "excuse": Transition(frozenset({M.FAILED}), M.EXCUSED, lazy("容错免责")),
}, other_actions={"change": lazy("按计划变更修改节点任务")})

REPORT = Machine("report", lazy("进展报告"), {R.SUBMITTED: lazy("待考核"), R.ASSESSED: lazy("已考核")}, {
    "assess": Transition(frozenset({R.SUBMITTED}), R.ASSESSED, lazy("考核进展报告")),
}, other_actions={"submit": lazy("提交进展报告")})

CHECKPOINT = Machine("checkpoint", lazy("赛马节点"), {C.PENDING: lazy("待比选"), C.DECIDED: lazy("已比选")}, {
    "decide": Transition(frozenset({C.PENDING}), C.DECIDED, lazy("赛马节点比选")),
})

PLAN_CHANGE = Machine("plan_change", lazy("计划变更申请"), {
    G.PENDING: lazy("待审批"), G.APPROVED: lazy("已批准"), G.REJECTED: lazy("未批准")}, {
    "approve": Transition(frozenset({G.PENDING}), G.APPROVED, lazy("批准计划变更")),
    "reject": Transition(frozenset({G.PENDING}), G.REJECTED, lazy("不批准计划变更")),
}, other_actions={"request": lazy("申请计划变更")})

TOLERANCE = Machine("tolerance", lazy("容错申请"), {
    T.AWAITING_OPINION: lazy("待纪检监察意见"), T.AWAITING_DECISION: lazy("待组织决定"), T.GRANTED: lazy("予以容错"),
    T.REFUSED: lazy("不予容错")}, {
    "opine": Transition(frozenset({T.AWAITING_OPINION}), T.AWAITING_DECISION, lazy("出具容错意见")),
    "grant": Transition(frozenset({T.AWAITING_DECISION}), T.GRANTED, lazy("予以容错")),
    "refuse": Transition(frozenset({T.AWAITING_DECISION}), T.REFUSED, lazy("不予容错")),
}, other_actions={"submit": lazy("申请容错")})

VERDICT_LABELS: dict[str, str] = {
    Verdict.ON_TRACK: lazy("正常推进"), Verdict.AT_RISK: lazy("存在风险"), Verdict.FAILED: lazy("未完成"),
    Verdict.COMPLETED: lazy("已完成")}


def labels() -> dict[str, dict[str, str]]:
    """Every execution state's label in the current language, for the templates."""
    return {"project": {k: PROJECT.label(k) for k in PROJECT.labels},
            "milestone": {k: MILESTONE.label(k) for k in MILESTONE.labels},
            "report": {k: REPORT.label(k) for k in REPORT.labels},
            "plan": {k: PLAN_CHANGE.label(k) for k in PLAN_CHANGE.labels},
            "tolerance": {k: TOLERANCE.label(k) for k in TOLERANCE.labels},
            "verdict": {k: _(v) for k, v in VERDICT_LABELS.items()},
            "grade": {k: _(v) for k, v in GRADE_LABELS.items()}}
