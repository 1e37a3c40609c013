"""The record's state machine (STYLE: one table per stateful thing).

Promotions and awards: approved by the 组织部门 into their 公示, then effective when it has ended
with every objection answered, or withdrawn. Accountability: the 组织部门 opens the cadre's
hearing (陈述申辩) and decides after it; an exemption is decided at once. An effective record may
be revoked. Which of these paths a record takes is its type's (records.policy.path_of); the
service checks both the table and the path.
"""

from __future__ import annotations

from arena.i18n import lazy
from arena.records.enums import ObjectionStatus, RecordStatus
from arena.records.labels import OBJECTION_STATUS_LABELS, RECORD_STATUS_LABELS
from arena.statemachine import Machine, Transition

S = RecordStatus

RECORD = Machine("record", lazy("结果运用建议"), RECORD_STATUS_LABELS, {
    "start_hearing": Transition(frozenset({S.PROPOSED}), S.HEARING, lazy("告知陈述申辩")),
    "approve": Transition(frozenset({S.PROPOSED}), S.PUBLICITY, lazy("批准并公示")),
    "decide": Transition(frozenset({S.PROPOSED, S.HEARING}), S.EFFECTIVE, lazy("作出决定")),
    "reject": Transition(frozenset({S.PROPOSED, S.HEARING}), S.REJECTED, lazy("不批准结果运用建议")),
    "take_effect": Transition(frozenset({S.PUBLICITY}), S.EFFECTIVE, lazy("公示期满生效")),
    "withdraw": Transition(frozenset({S.PUBLICITY}), S.WITHDRAWN, lazy("撤回")),
    "revoke": Transition(frozenset({S.EFFECTIVE}), S.REVOKED, lazy("撤销")),
}, other_actions={"propose": lazy("生成结果运用建议"), "recommend": lazy("推荐结果运用"),
                  "retype": lazy("修改结果运用类型"), "certificate": lazy("颁发荣誉证书"),
                  "rule": lazy("修改结果运用规则"), "opinion": lazy("提出意见"),
                  "statement": lazy("提交陈述申辩"), "waive": lazy("放弃陈述申辩"),
                  "object": lazy("对结果运用公示提出异议"), "answer": lazy("答复异议"),
                  "assign": lazy("确定审批的组织部门")})

# An objection (异议) to a record in its 公示: answered once by the 组织部门. Its moves are part of
# the record's own `record.answer` event (who answered, the outcome), so it writes none itself.
RECORD_OBJECTION = Machine("record_objection", lazy("异议"), OBJECTION_STATUS_LABELS, {
    "uphold": Transition(frozenset({ObjectionStatus.OPEN}), ObjectionStatus.UPHELD, lazy("认定异议成立")),
    "dismiss": Transition(frozenset({ObjectionStatus.OPEN}), ObjectionStatus.DISMISSED, lazy("认定异议不成立")),
}, audited=False)
