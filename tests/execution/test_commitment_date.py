"""The commitment letter (军令状) is dated by the day in Beijing, not the UTC date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from arena.clock import DISPLAY_TZ, day_of
from arena.execution import award
from arena.publicity import service as publicity
from arena.review import service as review
from tests.execution.factories import actor, publicized


async def test_an_award_at_one_in_the_morning_in_beijing_is_dated_that_day(app, db, clock):
    story = await publicized(db, clock)
    current = await publicity.current_publicity(db, story.challenge_id)
    beijing = (current.ends_at.astimezone(DISPLAY_TZ) + timedelta(days=1)).replace(hour=1, minute=0, second=0,
                                                                                   microsecond=0)
    clock.advance(beijing.astimezone(UTC) - clock.now())
    assert clock.now().date() != beijing.date()  # the UTC date is still yesterday's
    org = await actor(db, "org")
    projects = await award.award(db, clock, org, await review.organizer_challenge(db, org, story.challenge_id))
    assert json.loads(projects[0].commitment_content)["awarded_on"] == beijing.date().isoformat()


def test_a_moment_s_day_is_its_day_in_beijing():
    assert day_of(datetime(2026, 12, 3, 16, 59, tzinfo=UTC)) == date(2026, 12, 4)  # 00:59 on the 4th in Beijing
    assert day_of(datetime(2026, 12, 3, 15, 59, tzinfo=UTC)) == date(2026, 12, 3)  # 23:59 on the 3rd
