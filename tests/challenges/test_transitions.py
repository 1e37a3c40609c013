"""The challenge and bid state tables: every action from every state is allowed or refused with a reason."""

from __future__ import annotations

import pytest

from arena.bids.models import BidStatus
from arena.bids.transitions import BID, BID_TRANSITIONS
from arena.challenges.models import ChallengeStatus
from arena.challenges.transitions import CHALLENGE, CHALLENGE_TRANSITIONS
from arena.errors import DomainError

CHALLENGE_CASES = [(action, state) for action in CHALLENGE_TRANSITIONS for state in ChallengeStatus]


@pytest.mark.parametrize(("action", "state"), CHALLENGE_CASES, ids=[f"{a}-{s.value}" for a, s in CHALLENGE_CASES])
def test_challenge_transition_table(action, state):
    transition = CHALLENGE_TRANSITIONS[action]
    if state in transition.sources:
        assert CHALLENGE.check(action, state.value) is transition.target
    else:
        with pytest.raises(DomainError) as refused:
            CHALLENGE.check(action, state.value)
        assert "只有" in refused.value.message and "当前：" in refused.value.message


def test_drafts_only_publish_and_cancelled_challenges_go_nowhere():
    assert [a for a, t in CHALLENGE_TRANSITIONS.items() if ChallengeStatus.DRAFT in t.sources] == ["publish"]
    assert not [a for a, t in CHALLENGE_TRANSITIONS.items() if ChallengeStatus.CANCELLED in t.sources]


BID_CASES = [(action, state) for action in BID_TRANSITIONS for state in BidStatus]


@pytest.mark.parametrize(("action", "state"), BID_CASES, ids=[f"{a}-{s.value}" for a, s in BID_CASES])
def test_bid_transition_table(action, state):
    transition = BID_TRANSITIONS[action]
    if state in transition.sources:
        assert BID.check(action, state.value) is transition.target
    else:
        with pytest.raises(DomainError) as refused:
            BID.check(action, state.value)
        assert "当前：" in refused.value.message


def test_a_vetoed_bid_reads_to_its_cadre_as_not_passing_qualification():
    from arena.bids.transitions import CADRE_STATUS_LABELS

    assert CADRE_STATUS_LABELS[BidStatus.VETOED] == CADRE_STATUS_LABELS[BidStatus.DISQUALIFIED]
