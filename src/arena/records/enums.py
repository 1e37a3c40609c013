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
    POST_ADJUSTMENT = "post_adjustment"  # 岗位调整
    POST_EXIT = "post_exit"  # 岗位退出
    ADMONISHMENT = "admonishment"  # 诫勉
    FAULT_TOLERANCE_EXEMPTION = "fault_tolerance_exemption"  # 容错免责


# Honours are printed as certificates (荣誉证书); promotions, accountability and exemptions are not.
CERTIFIED_TYPES = frozenset({RecordType.AWARD_RESPONSIBILITY, RecordType.AWARD_INNOVATION})
AWARD_TYPES = CERTIFIED_TYPES
PROMOTION_TYPES = frozenset({RecordType.PRIORITY_PROMOTION, RecordType.EXCEPTIONAL_PROMOTION,
                             RecordType.CROSS_LEVEL_PROMOTION})
# Approved promotions are published before they take effect (任前公示), approved awards too (表彰公示).
PUBLICIZED_TYPES = PROMOTION_TYPES | AWARD_TYPES
# Accountability records belong on the dossier's problem list (问题清单); before one is decided the
# cadre is heard (陈述申辩).
ACCOUNTABILITY_TYPES = frozenset({RecordType.POST_ADJUSTMENT, RecordType.POST_EXIT, RecordType.ADMONISHMENT})
# What an elimination in a horse race may never propose by itself: losing a race is not misconduct.
NOT_FOR_ELIMINATION = ACCOUNTABILITY_TYPES


class Trigger(enum.StrEnum):
    """The outcome a rule reacts to."""

    GRADE_EXCELLENT = "grade_excellent"  # 验收优秀
    GRADE_GOOD = "grade_good"  # 验收良好
    GRADE_QUALIFIED = "grade_qualified"  # 验收合格
    GRADE_UNQUALIFIED = "grade_unqualified"  # 验收不合格
    ELIMINATED = "eliminated"  # 赛马末位淘汰
    EXCUSED = "excused"  # 容错申请获批
    RECOMMENDED = "recommended"  # 发榜单位推荐 (not a rule: the organizer's recommendation)


class Recipient(enum.StrEnum):
    LEAD = "lead"  # 揭榜负责人
    MEMBERS = "members"  # 团队成员 (confirmed members of the winning bid)


class RecordStatus(enum.StrEnum):
    """records.transitions.RECORD moves them. Promotions and awards: proposed → publicity →
    effective; accountability: proposed → hearing → effective; exemptions: proposed → effective."""

    PROPOSED = "proposed"  # 待审批 (by a rule, or recommended by the organizer)
    HEARING = "hearing"  # 陈述申辩中: the cadre has been told and may answer
    PUBLICITY = "publicity"  # 公示中 (任前公示 / 表彰公示), approved by the 组织部门
    EFFECTIVE = "effective"  # 已生效: recorded in the dossier (and certified, for an award)
    REJECTED = "rejected"  # 未批准
    WITHDRAWN = "withdrawn"  # 已撤回: withdrawn during its 公示, with the reason
    REVOKED = "revoked"  # 已撤销: revoked after it took effect, with the reason


OPEN_STATUSES = frozenset({RecordStatus.PROPOSED, RecordStatus.HEARING})
"""Waiting for the 组织部门's decision."""


class Origin(enum.StrEnum):
    RULE = "rule"  # proposed by a record rule
    RECOMMENDED = "recommended"  # recommended by the organizer with an opinion (推荐意见)


class OpinionRole(enum.StrEnum):
    """Who gives an opinion on a record; only the 组织部门 decides."""

    ORGANIZER = "organizer"  # 发榜单位意见 / 推荐意见
    INSPECTOR = "inspector"  # 纪检监察意见 (never shown to the cadre)


class Stance(enum.StrEnum):
    AGREE = "agree"  # 同意
    DISAGREE = "disagree"  # 不同意
    OTHER = "other"  # 其他意见


class ObjectionStatus(enum.StrEnum):
    """An objection (异议) to a record during its 公示."""

    OPEN = "open"  # 待答复
    UPHELD = "upheld"  # 成立: the record is withdrawn
    DISMISSED = "dismissed"  # 不成立
