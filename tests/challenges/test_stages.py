"""The stage stepper: which stage a challenge is in, as a table; the organizer's page offers the
current stage's next action as its primary button and nothing of the stages to come."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from arena.challenges.models import ChallengeStatus
from arena.challenges.stages import Stage, StageFacts, StepState, current_stage, organizer_actions, progress
from tests.challenges.public_factories import NOW, make_challenge, make_organizer

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
OPEN = {"bid_opens_at": T - 10 * DAY, "bid_closes_at": T + DAY}
CLOSED = {"bid_opens_at": T - 10 * DAY, "bid_closes_at": T - DAY}


@pytest.mark.parametrize(("status", "facts", "stage", "primary"), [
    ("draft", {}, Stage.PUBLISH, None),
    ("published", {"bid_opens_at": T + DAY, "bid_closes_at": T + 9 * DAY}, Stage.BID, None),  # upcoming
    ("published", OPEN, Stage.BID, None),
    ("published", CLOSED, Stage.QUALIFICATION, "qualification"),  # closed, qualification not begun
    ("qualifying", CLOSED, Stage.QUALIFICATION, "qualification"),
    ("reviewing", CLOSED, Stage.REVIEW, "review"),
    ("publicity", CLOSED, Stage.PUBLICITY, "publicity"),
    ("executing", {"commitments_unsigned": True}, Stage.AWARD, "execution"),
    ("executing", {}, Stage.EXECUTION, "execution"),
    ("executing", {"acceptance_started": True}, Stage.ACCEPTANCE, "acceptance"),
    ("accepted", {}, Stage.RECORDS, "records"),
    ("failed", {}, Stage.QUALIFICATION, None),  # no qualified bid
    ("failed", {"review_started_at": T - DAY}, Stage.REVIEW, None),  # none above the pass score
    ("failed", {"review_started_at": T - 3 * DAY, "publicized_at": T - DAY}, Stage.PUBLICITY, None),
    ("cancelled", {**OPEN, "ended_at": T - DAY}, Stage.BID, None),
    ("cancelled", {**CLOSED, "ended_at": T}, Stage.QUALIFICATION, None),
])
def test_the_stage_and_the_next_action_follow_status_and_dates(status, facts, stage, primary):
    facts = StageFacts(status=status, now=T, **facts)
    assert current_stage(facts) is stage
    shown = progress(facts)
    states = [step.state for step in shown.steps]
    at = list(Stage).index(stage)
    ended = status in ("failed", "cancelled")
    assert states[:at] == [StepState.DONE] * at
    assert states[at] is (StepState.STOPPED if ended else StepState.CURRENT)
    assert set(states[at + 1:]) <= {StepState.NOT_REACHED if ended else StepState.UPCOMING}
    actions = organizer_actions(shown)
    assert [a.key for a in actions if a.primary] == ([primary] if primary else [])
    # nothing of a later stage is offered
    assert all(list(Stage).index(a.stage) <= at for a in actions)


def test_each_stage_shows_the_dates_known_for_it():
    facts = StageFacts(status="publicity", now=T, published_at=T - 30 * DAY, **CLOSED,
                       qualification_started_at=T - DAY + timedelta(hours=1), review_started_at=T - DAY / 2,
                       publicized_at=T - DAY / 4, publicity_ends_at=T + 5 * DAY)
    steps = {s.stage: s for s in progress(facts).steps}
    assert steps[Stage.PUBLISH].starts == T - 30 * DAY
    assert (steps[Stage.BID].starts, steps[Stage.BID].ends) == (T - 10 * DAY, T - DAY)
    assert steps[Stage.QUALIFICATION].ends == steps[Stage.REVIEW].starts == T - DAY / 2
    assert (steps[Stage.PUBLICITY].starts, steps[Stage.PUBLICITY].ends) == (T - DAY / 4, T + 5 * DAY)
    assert steps[Stage.AWARD].starts is None


def test_a_cancelled_window_ends_on_the_day_of_cancellation():
    shown = progress(StageFacts(status="cancelled", now=T, **OPEN, ended_at=T - DAY))
    assert shown.current.stage is Stage.BID and shown.current.ends == T - DAY


def test_the_stage_rules_import_no_database_code():
    code = ("import sys, arena.challenges.stages; "
            "sys.exit(any(m.startswith(('sqlalchemy', 'advanced_alchemy')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


async def test_the_organizers_page_offers_the_next_action_and_hides_later_stages(browser, db):
    organizer = await make_organizer(db, "org")
    challenge = await make_challenge(db, organizer, status=ChallengeStatus.QUALIFYING,
                                     opens_at=NOW - 20 * DAY, closes_at=NOW - DAY)
    await db.commit()
    await browser.login("org")
    page = (await browser.get(f"/organizer/challenges/{challenge.id}")).text
    assert 'aria-label="榜单进程"' in page and 'aria-current="step"' in page
    assert f'class="button" href="/organizer/challenges/{challenge.id}/qualification"' in page  # the primary
    for later in ("review", "publicity", "execution", "acceptance"):
        assert f"/organizer/challenges/{challenge.id}/{later}" not in page
