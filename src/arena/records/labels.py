"""Display names of record types, triggers, recipients and statuses (GLOSSARY: where results go)."""

from __future__ import annotations

from arena.audit.summary import register_values
from arena.i18n import lazy
from arena.records.models import Recipient, RecordStatus, RecordType, Trigger

RECORD_TYPE_LABELS: dict[str, str] = {
    RecordType.PRIORITY_PROMOTION: lazy("优先提拔使用"),
    RecordType.EXCEPTIONAL_PROMOTION: lazy("破格任用"),
    RecordType.CROSS_LEVEL_PROMOTION: lazy("跨层级晋升"),
    RecordType.AWARD_RESPONSIBILITY: lazy("担当作为奖"),
    RecordType.AWARD_INNOVATION: lazy("改革创新奖"),
    RecordType.POST_EXIT: lazy("岗位退出"),
    RecordType.ADMONISHMENT: lazy("诫勉"),
    RecordType.FAULT_TOLERANCE_EXEMPTION: lazy("容错免责"),
}

TRIGGER_LABELS: dict[str, str] = {
    Trigger.GRADE_EXCELLENT: lazy("验收优秀"),
    Trigger.GRADE_GOOD: lazy("验收良好"),
    Trigger.GRADE_QUALIFIED: lazy("验收合格"),
    Trigger.GRADE_UNQUALIFIED: lazy("验收不合格"),
    Trigger.ELIMINATED: lazy("赛马末位淘汰"),
    Trigger.EXCUSED: lazy("容错申请获批"),
}

RECIPIENT_LABELS: dict[str, str] = {
    Recipient.LEAD: lazy("揭榜负责人"),
    Recipient.MEMBERS: lazy("团队成员"),
}

RECORD_STATUS_LABELS: dict[str, str] = {
    RecordStatus.PROPOSED: lazy("待审批"),
    RecordStatus.APPROVED: lazy("已批准"),
    RecordStatus.REJECTED: lazy("未批准"),
}

# The audit log names them too (records write `type`, `trigger` and `recipient` into summaries).
register_values("type", RECORD_TYPE_LABELS)
register_values("trigger", TRIGGER_LABELS)
register_values("recipient", RECIPIENT_LABELS)
