"""Display names of record types, triggers, recipients and statuses (GLOSSARY: where results go)."""

from __future__ import annotations

from arena.audit.summary import register_values
from arena.i18n import lazy
from arena.records.enums import (
    ObjectionStatus,
    OpinionRole,
    Origin,
    Recipient,
    RecordStatus,
    RecordType,
    Stance,
    Trigger,
)

RECORD_TYPE_LABELS: dict[str, str] = {
    RecordType.PRIORITY_PROMOTION: lazy("优先提拔使用"),
    RecordType.EXCEPTIONAL_PROMOTION: lazy("破格任用"),
    RecordType.CROSS_LEVEL_PROMOTION: lazy("跨层级晋升"),
    RecordType.AWARD_RESPONSIBILITY: lazy("担当作为奖"),
    RecordType.AWARD_INNOVATION: lazy("改革创新奖"),
    RecordType.POST_ADJUSTMENT: lazy("岗位调整"),
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
    Trigger.RECOMMENDED: lazy("发榜单位推荐"),
}

RECIPIENT_LABELS: dict[str, str] = {
    Recipient.LEAD: lazy("揭榜负责人"),
    Recipient.MEMBERS: lazy("团队成员"),
}

RECORD_STATUS_LABELS: dict[str, str] = {
    RecordStatus.PROPOSED: lazy("待审批"),
    RecordStatus.HEARING: lazy("陈述申辩中"),
    RecordStatus.PUBLICITY: lazy("公示中"),
    RecordStatus.EFFECTIVE: lazy("已生效"),
    RecordStatus.REJECTED: lazy("未批准"),
    RecordStatus.WITHDRAWN: lazy("已撤回"),
    RecordStatus.REVOKED: lazy("已撤销"),
}

ORIGIN_LABELS: dict[str, str] = {
    Origin.RULE: lazy("规则生成"),
    Origin.RECOMMENDED: lazy("发榜单位推荐"),
}

OPINION_ROLE_LABELS: dict[str, str] = {
    OpinionRole.ORGANIZER: lazy("发榜单位意见"),
    OpinionRole.INSPECTOR: lazy("纪检监察意见"),
}

STANCE_LABELS: dict[str, str] = {
    Stance.AGREE: lazy("同意"),
    Stance.DISAGREE: lazy("不同意"),
    Stance.OTHER: lazy("其他意见"),
}

OBJECTION_STATUS_LABELS: dict[str, str] = {
    ObjectionStatus.OPEN: lazy("待答复"),
    ObjectionStatus.UPHELD: lazy("成立"),
    ObjectionStatus.DISMISSED: lazy("不成立"),
}

# The audit log names them too (records write `type`, `trigger` and `recipient` into summaries).
register_values("type", RECORD_TYPE_LABELS)
register_values("trigger", TRIGGER_LABELS)
register_values("recipient", RECIPIENT_LABELS)
register_values("role", OPINION_ROLE_LABELS)
register_values("stance", STANCE_LABELS)
register_values("outcome", OBJECTION_STATUS_LABELS)
