"""The record's state machine (STYLE: one table per stateful thing): a proposal is approved
with a document number or rejected with a reason; its type may be changed while proposed."""

from __future__ import annotations

from arena.i18n import lazy
from arena.records.labels import RECORD_STATUS_LABELS
from arena.records.models import RecordStatus
from arena.statemachine import Machine, Transition

S = RecordStatus

RECORD = Machine("record", lazy("结果运用建议"), RECORD_STATUS_LABELS, {
    "approve": Transition(frozenset({S.PROPOSED}), S.APPROVED, lazy("批准结果运用建议")),
    "reject": Transition(frozenset({S.PROPOSED}), S.REJECTED, lazy("不批准结果运用建议")),
}, other_actions={"propose": lazy("生成结果运用建议"), "retype": lazy("修改结果运用类型"),
                  "certificate": lazy("颁发荣誉证书"), "rule": lazy("修改结果运用规则")})
