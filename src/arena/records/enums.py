"""Record types, the outcomes that trigger them, recipients and record states — plain Python, so
the proposal rules (arena.records.rules) need no SQLAlchemy. arena.records.models re-exports
them, and the columns store their values as strings."""

from __future__ import annotations

import enum


class RecordType(enum.StrEnum):
    """GLOSSARY: where results go."""

    PRIORITY_PROMOTION = "priority_promotion"  # 优先提拔使用
    EXCEPTIONAL_PROMOTION = "exceptional_promotion"  # 破格任用
    CROSS_LEVEL_PROMOTION = "cross_level_promotion"  # 跨层级晋升
    AWARD_RESPONSIBILITY = "award_responsibility"  # 担当作为奖
    AWARD_INNOVATION = "award_innovation"  # 改革创新奖
    POST_EXIT = "post_exit"  # 岗位退出
    ADMONISHMENT = "admonishment"  # 诫勉
    FAULT_TOLERANCE_EXEMPTION = "fault_tolerance_exemption"  # 容错免责


# Honours are printed as certificates (荣誉证书); promotions, accountability and exemptions are not.
CERTIFIED_TYPES = frozenset({RecordType.AWARD_RESPONSIBILITY, RecordType.AWARD_INNOVATION})
# Accountability records belong on the dossier's problem list (问题清单).
ACCOUNTABILITY_TYPES = frozenset({RecordType.POST_EXIT, RecordType.ADMONISHMENT})


class Trigger(enum.StrEnum):
    """The outcome a rule reacts to."""

    GRADE_EXCELLENT = "grade_excellent"  # 验收优秀
    GRADE_GOOD = "grade_good"  # 验收良好
    GRADE_QUALIFIED = "grade_qualified"  # 验收合格
    GRADE_UNQUALIFIED = "grade_unqualified"  # 验收不合格
    ELIMINATED = "eliminated"  # 赛马末位淘汰
    EXCUSED = "excused"  # 容错申请获批


class Recipient(enum.StrEnum):
    LEAD = "lead"  # 揭榜负责人
    MEMBERS = "members"  # 团队成员 (confirmed members of the winning bid)


class RecordStatus(enum.StrEnum):
    PROPOSED = "proposed"  # 待审批
    APPROVED = "approved"  # 已批准
    REJECTED = "rejected"  # 未批准
