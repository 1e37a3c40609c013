"""Every state machine's table: each action from each state is allowed, or refused in the one
wording that names the states it needs (arena.statemachine)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlalchemy.dialects import sqlite

from arena.bids.transitions import BID, MEMBER
from arena.challenges.transitions import CHALLENGE, QUESTION
from arena.errors import DomainError
from arena.execution.transitions import CHECKPOINT, MILESTONE, PLAN_CHANGE, PROJECT, REPORT, TOLERANCE
from arena.i18n import gettext
from arena.publicity.transitions import OBJECTION, PUBLICITY
from arena.records.transitions import RECORD, RECORD_OBJECTION
from arena.review.models import ScoreSheet
from arena.review.transitions import COMMITMENT, PANEL, SEAT, SHEET

MACHINES = {"challenge": CHALLENGE, "question": QUESTION, "bid": BID, "member": MEMBER, "panel": PANEL,
            "commitment": COMMITMENT, "seat": SEAT, "sheet": SHEET, "publicity": PUBLICITY, "objection": OBJECTION,
            "record": RECORD, "record_objection": RECORD_OBJECTION, "project": PROJECT, "milestone": MILESTONE, "report": REPORT, "checkpoint": CHECKPOINT,
            "plan_change": PLAN_CHANGE, "tolerance": TOLERANCE}
CASES = [(name, action, state) for name, machine in MACHINES.items()
         for action in machine.transitions for state in machine.labels]


@pytest.mark.parametrize(("name", "action", "state"), CASES, ids=[f"{n}-{a}-{s}" for n, a, s in CASES])
def test_each_action_from_each_state_is_allowed_or_refused_with_what_it_needs(name, action, state):
    machine = MACHINES[name]
    transition = machine.transitions[action]
    if state in transition.sources:
        assert machine.allows(action, state) and machine.check(action, state) == transition.target
        return
    assert not machine.allows(action, state)
    with pytest.raises(DomainError) as refused:
        machine.check(action, state)
    needed = "、".join(machine.label(s) for s in machine.labels if s in transition.sources)
    assert refused.value.message == f"只有“{needed}”的{gettext(machine.name)}才能{gettext(transition.label)}" \
                                    f"（当前：{machine.label(state)}）"


def test_the_refusal_names_the_needed_states_in_the_tables_order():
    with pytest.raises(DomainError) as refused:
        CHALLENGE.check("fail", "draft")
    assert refused.value.message == "只有“资格审查中、评审中、公示中”的榜单才能流榜（当前：草稿）"


@dataclass
class Thing:
    id: int
    status: str


def test_a_quiet_move_checks_the_table_and_changes_only_the_state():
    sheet = Thing(7, "submitted")
    SHEET.move_quietly(sheet, "void")
    assert sheet.status == "void"
    with pytest.raises(DomainError):
        SHEET.move_quietly(sheet, "void")
    assert sheet.status == "void"


def test_a_part_recorded_by_its_owner_offers_no_audited_move():
    from arena.audit.labels import ACTION_LABELS

    assert not COMMITMENT.audited and not any(code.startswith("commitment.") for code in ACTION_LABELS)
    assert {"sheet.submit", "seat.replace", "bid.member_confirm", "question.close"} <= set(ACTION_LABELS)


def test_a_compare_and_set_update_moves_only_from_the_actions_sources():
    stmt = SHEET.moving(update(ScoreSheet).where(ScoreSheet.id == 1).values(revision=2), ScoreSheet.status, "submit")
    sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert "status='submitted'" in sql and "score_sheet.status IN ('draft')" in sql

