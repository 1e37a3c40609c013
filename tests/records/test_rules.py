"""The pure proposal rules: which rules fire for an outcome, for whom, and once."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from arena.records.models import Recipient, RecordType, Trigger
from arena.records.rules import DEFAULT_RULES, Outcome, Rule, proposals_for

DEFAULTS = [Rule(i, t.value, r.value, k.value, u, True) for i, (t, r, k, u) in enumerate(DEFAULT_RULES, start=1)]


def test_the_default_policy():
    excellent = proposals_for(DEFAULTS, Outcome(Trigger.GRADE_EXCELLENT, 1, (2, 3), exempted=False))
    assert [(p.cadre_id, p.record_type) for p in excellent] == [
        (1, RecordType.PRIORITY_PROMOTION), (1, RecordType.AWARD_RESPONSIBILITY),
        (2, RecordType.AWARD_INNOVATION), (3, RecordType.AWARD_INNOVATION)]
    assert proposals_for(DEFAULTS, Outcome(Trigger.GRADE_QUALIFIED, 1, (2,), exempted=False)) == []
    unqualified = proposals_for(DEFAULTS, Outcome(Trigger.GRADE_UNQUALIFIED, 1, (2,), exempted=False))
    assert [(p.cadre_id, p.record_type) for p in unqualified] == [(1, RecordType.ADMONISHMENT)]
    assert proposals_for(DEFAULTS, Outcome(Trigger.GRADE_UNQUALIFIED, 1, (2,), exempted=True)) == []
    assert proposals_for(DEFAULTS, Outcome(Trigger.ELIMINATED, 1, (), exempted=True)) == []
    excused = proposals_for(DEFAULTS, Outcome(Trigger.EXCUSED, 1, (2,), exempted=True))
    assert [(p.cadre_id, p.record_type) for p in excused] == [(1, RecordType.FAULT_TOLERANCE_EXEMPTION)]


rules = st.lists(st.builds(Rule, st.just(0), st.sampled_from([t.value for t in Trigger]),
                           st.sampled_from([r.value for r in Recipient]),
                           st.sampled_from([k.value for k in RecordType]), st.booleans(), st.booleans()),
                 max_size=12).map(lambda found: [replace(r, id=i) for i, r in enumerate(found, start=1)])
outcomes = st.builds(Outcome, st.sampled_from(list(Trigger)), st.just(1),
                     st.lists(st.integers(2, 9), unique=True, max_size=4).map(tuple), st.booleans())


@given(rules, outcomes)
def test_only_active_matching_rules_fire_and_each_cadre_gets_a_type_once(found_rules, outcome):
    proposed = proposals_for(found_rules, outcome)
    assert len({(p.cadre_id, p.record_type) for p in proposed}) == len(proposed)
    by_id = {r.id: r for r in found_rules}
    for p in proposed:
        rule = by_id[p.rule_id]
        assert (rule.record_type, rule.recipient) == (p.record_type, p.recipient.value)
        assert rule.active and rule.trigger == outcome.trigger
        assert not (rule.unless_exempted and outcome.exempted)
        assert p.cadre_id in ((outcome.lead_id,) if p.recipient is Recipient.LEAD else outcome.member_ids)
