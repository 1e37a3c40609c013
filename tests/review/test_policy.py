"""Who may do what in a review, as tables without HTTP (review.policy). The organizer's side is
the challenge organizer's (tests/challenges/test_policy.py); the pages keep their own checks
(test_panel_work, test_review_flow, test_bidder_feedback)."""

from __future__ import annotations

from arena.actor import SYSTEM, Role
from arena.review import policy
from arena.review.models import SeatStatus, SheetStatus
from arena.review.sheets import NOT_OWED
from tests.factories import person

EXPERT, LEAD, MEMBER = 20, 10, 11



PEOPLE = {
    "the seat's expert": person(EXPERT, Role.EXPERT),
    "the seat's expert, role taken away": person(EXPERT),
    "another expert": person(21, Role.EXPERT),
    "organizer": person(1, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "inspector and expert": person(EXPERT, Role.EXPERT, Role.INSPECTOR),
    "lead": person(LEAD, Role.CADRE),
    "confirmed member": person(MEMBER, Role.CADRE),
    "another cadre": person(12, Role.CADRE),
    "system": SYSTEM,
}
SEAT_STATES = [(s.value, chair) for s in SeatStatus for chair in (False, True)]
SHEET_STATES = [s.value for s in SheetStatus]
OWED = {s for s in SHEET_STATES if s not in ("recused", "void")}

SEAT_ACTIONS = {
    "answer the invitation": policy.holds_seat,
    "read the panel's bids": policy.sits_on,
    "chair": policy.may_chair,
}
SEAT_ALLOWED = {
    # (who, action): the (seat status, is chair) in which it is allowed; anything not listed: never
    ("the seat's expert", "answer the invitation"): set(SEAT_STATES),  # the seat's state decides the rest
    ("the seat's expert", "read the panel's bids"): {("accepted", False), ("accepted", True)},
    ("the seat's expert", "chair"): {("accepted", True)},
    ("inspector and expert", "answer the invitation"): set(SEAT_STATES),
    ("inspector and expert", "read the panel's bids"): {("accepted", False), ("accepted", True)},
    ("inspector and expert", "chair"): {("accepted", True)},
}
SHEET_ALLOWED = {"the seat's expert": OWED, "inspector and expert": OWED}
ONE_OFF = {
    # action: who may, whatever the object
    "enter the beacon's result": ({"inspector", "inspector and expert"},
                                  lambda actor: policy.may_enter_beacon(actor)),
    "read the bid's own review": ({"lead", "confirmed member"},
                                  lambda actor: policy.may_read_feedback(actor, LEAD, {MEMBER})),
}


def test_who_may_do_what_with_a_seat_in_each_state():
    wrong = []
    for who, actor in PEOPLE.items():
        for action, allowed in SEAT_ACTIONS.items():
            for status, chair in SEAT_STATES:
                expected = (status, chair) in SEAT_ALLOWED.get((who, action), set())
                if allowed(actor, policy.SeatFacts(EXPERT, status, chair)) != expected:
                    wrong.append(f"{who} {action} on a seat {status}{' (chair)' if chair else ''}: expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_who_may_score_a_sheet_in_each_state():
    wrong = [f"{who} score a {status} sheet: expected {status in SHEET_ALLOWED.get(who, set())}"
             for who, actor in PEOPLE.items() for status in SHEET_STATES
             if policy.may_score(actor, EXPERT, status) != (status in SHEET_ALLOWED.get(who, set()))]
    assert not wrong, "\n".join(wrong)


def test_who_may_enter_the_beacon_and_read_a_bids_review():
    wrong = [f"{who} {action}: expected {who in allowed}" for action, (allowed, may) in ONE_OFF.items()
             for who, actor in PEOPLE.items() if may(actor) != (who in allowed)]
    assert not wrong, "\n".join(wrong)


def test_the_policys_states_are_the_enums():
    assert SeatStatus(policy.ACCEPTED) is SeatStatus.ACCEPTED
    assert {SheetStatus(s) for s in policy.NOT_OWED} == {SheetStatus.RECUSED, SheetStatus.VOID}
    assert set(NOT_OWED) == policy.NOT_OWED
