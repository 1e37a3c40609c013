"""关键词 on the organizer's records list (issue 22): the cadre's name or staff number, the
challenge's title; combined with the status tabs, kept in their links; an empty result says so."""

from __future__ import annotations

from sqlalchemy import select

from arena.challenges.models import Challenge
from arena.units.models import Cadre
from tests.conftest import as_user
from tests.records.factories import accepted
from tests.review.factories import LEADS, MEMBER


async def test_the_records_list_searches_by_cadre_name_staff_number_and_challenge(app, db, clock):
    story = await accepted(db, clock)
    org = await as_user(app, "org")
    member_code = await db.scalar(select(Cadre.code).where(Cadre.name == MEMBER))
    everything = (await org.get("/organizer/records")).text
    assert LEADS[0] in everything and MEMBER in everything

    by_name = (await org.get("/organizer/records?q=" + LEADS[0][:2])).text
    assert LEADS[0] in by_name and MEMBER not in by_name
    by_code = (await org.get(f"/organizer/records?q={member_code}")).text
    assert MEMBER in by_code and LEADS[0] not in by_code
    title = (await db.get(Challenge, story.challenge_id)).title
    by_challenge = (await org.get("/organizer/records?status=all&q=" + title[:4])).text
    assert LEADS[0] in by_challenge and MEMBER in by_challenge
    assert 'href="/organizer/records?status=all&amp;q=' in by_name  # the tabs keep the keyword
    empty = (await org.get("/organizer/records?q=查无此人")).text
    assert "没有与“查无此人”相符的记录" in empty
    assert (await org.get("/organizer/records?q=%25_%00")).status_code == 200
