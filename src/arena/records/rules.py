"""Which records an outcome proposes — a pure function of the rules in force and the outcome.

An outcome is one project's: accepted with a grade, eliminated in a horse race, or a failed
milestone excused under a declared case. Each active rule for that trigger proposes its record
type for the lead or for every confirmed team member; a rule marked `unless_exempted` stays
silent when the project holds a granted fault-tolerance request (不合格 without an exemption →
admonishment, DESIGN §2.9).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arena.execution.enums import Grade
from arena.records.enums import NOT_FOR_ELIMINATION, Recipient, RecordType, Trigger

# The policy written on first use (organizers change it on /organizer/records/rules): an excellent
# result proposes priority promotion and the 担当作为奖 for the lead and the 改革创新奖 for the team,
# a good one the 改革创新奖 for the lead; an unqualified result without an exemption proposes an
# admonishment (the 组织部门 may change it to a post adjustment or exit, with a reason); a granted
# fault-tolerance request proposes the exemption. An elimination in a horse race proposes nothing
# by itself: losing a race is not misconduct (NOT_FOR_ELIMINATION, enforced below).
DEFAULT_RULES: tuple[tuple[Trigger, Recipient, RecordType, bool], ...] = (
    (Trigger.GRADE_EXCELLENT, Recipient.LEAD, RecordType.PRIORITY_PROMOTION, False),
    (Trigger.GRADE_EXCELLENT, Recipient.LEAD, RecordType.AWARD_RESPONSIBILITY, False),
    (Trigger.GRADE_EXCELLENT, Recipient.MEMBERS, RecordType.AWARD_INNOVATION, False),
    (Trigger.GRADE_GOOD, Recipient.LEAD, RecordType.AWARD_INNOVATION, False),
    (Trigger.GRADE_UNQUALIFIED, Recipient.LEAD, RecordType.ADMONISHMENT, True),
    (Trigger.EXCUSED, Recipient.LEAD, RecordType.FAULT_TOLERANCE_EXEMPTION, False),
)

GRADE_TRIGGERS: dict[str, Trigger] = {
    Grade.EXCELLENT: Trigger.GRADE_EXCELLENT,
    Grade.GOOD: Trigger.GRADE_GOOD,
    Grade.QUALIFIED: Trigger.GRADE_QUALIFIED,
    Grade.UNQUALIFIED: Trigger.GRADE_UNQUALIFIED,
}


@dataclass(frozen=True)
class Rule:
    id: int
    trigger: str
    recipient: str
    record_type: str
    unless_exempted: bool
    active: bool


@dataclass(frozen=True)
class Outcome:
    trigger: Trigger
    lead_id: int
    member_ids: tuple[int, ...]  # confirmed team members, never the lead
    exempted: bool  # the project holds a granted fault-tolerance request


@dataclass(frozen=True)
class Proposed:
    rule_id: int
    cadre_id: int
    recipient: Recipient
    record_type: RecordType


def allowed(trigger: str, record_type: str) -> bool:
    """Whether a rule may propose `record_type` on `trigger` (the rule form refuses the rest)."""
    return not (trigger == Trigger.ELIMINATED and record_type in NOT_FOR_ELIMINATION)


def proposals_for(rules: Iterable[Rule], outcome: Outcome) -> list[Proposed]:
    """In rule order, lead before members; one proposal per cadre and record type. A rule that is
    not `allowed` proposes nothing, even if an old database still holds it active."""
    found: list[Proposed] = []
    seen: set[tuple[int, str]] = set()
    for rule in rules:
        if not rule.active or rule.trigger != outcome.trigger or (rule.unless_exempted and outcome.exempted):
            continue
        if not allowed(rule.trigger, rule.record_type):
            continue
        recipient = Recipient(rule.recipient)
        cadres: Sequence[int] = (outcome.lead_id,) if recipient is Recipient.LEAD else outcome.member_ids
        for cadre_id in cadres:
            if (cadre_id, rule.record_type) in seen:
                continue
            seen.add((cadre_id, rule.record_type))
            found.append(Proposed(rule.id, cadre_id, recipient, RecordType(rule.record_type)))
    return found
