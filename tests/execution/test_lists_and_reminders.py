"""The execution lists load in a fixed number of queries whatever the number of projects, and
`arena worker` reminds of overdue milestones and ended publicity once, even with two workers."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

from sqlalchemy import select

from arena.bids.models import Bid, BidVersion
from arena.execution.models import Milestone, ProgressReport, Project
from arena.notify.models import Notification
from arena.publicity.models import Publicity
from arena.worker import run_pass
from tests.conftest import as_user
from tests.execution.factories import actor, awarded, publicized


async def _another_project(db, story, clock) -> None:
    """The third bid as one more project with a milestone and a report (rows only: this test is
    about how the lists read, not how the award writes)."""
    await db.rollback()  # a fresh snapshot before writing (SQLite)
    bid = await db.get(Bid, story.bid_ids[2])
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid.id))
    org = await actor(db, "org")
    project = Project(challenge_id=story.challenge_id, bid_id=bid.id, lead_id=bid.lead_id, status="active",
                      awarded_at=clock.now(), awarded_by_id=org.user_id, commitment_content=version.content,
                      commitment_sha256=version.sha256)
    db.add(project)
    await db.flush()
    milestone = Milestone(project_id=project.id, position=1, title="完成调研", due_on=date(2027, 3, 1))
    db.add(milestone)
    await db.flush()
    db.add(ProgressReport(project_id=project.id, milestone_id=milestone.id, seq=1, text="进展", percent=10,
                          submitted_at=clock.now(), submitted_by_id=org.user_id))
    await db.commit()


async def test_board_and_execution_pages_use_a_fixed_number_of_queries(app, db, clock, query_counter):
    story = await awarded(db, clock, horse_race=True)
    lead = await as_user(app, "lead1")
    mid = await db.scalar(select(Milestone.id).where(Milestone.project_id == story.project_ids[0]))
    assert (await lead.post(f"/projects/{story.project_ids[0]}/milestones/{mid}/reports",
                            {"text": "进展", "percent": "10"})).status_code == 303
    org = await as_user(app, "org")
    pages = ("/organizer/board", f"/organizer/challenges/{story.challenge_id}/execution", "/assess")
    counts = []
    for _round in range(2):
        found = []
        for path in pages:
            with query_counter() as counter:
                assert (await org.get(path)).status_code == 200
            found.append(counter.count)
        counts.append(found)
        if _round == 0:
            await _another_project(db, story, clock)
    assert counts[0] == counts[1], counts
    with query_counter() as counter:
        assert (await lead.get(f"/projects/{story.project_ids[0]}")).status_code == 200
    assert counter.count <= 20, counter.statements


async def test_an_overdue_milestone_is_reminded_once_to_the_lead_and_the_organizer(app, db, clock):
    story = await awarded(db, clock)
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == story.project_ids[0]))
    milestone.due_on = clock.now().date() - timedelta(days=1)
    await db.commit()
    session_maker = app.state.session_maker
    results = await asyncio.gather(run_pass(session_maker, clock, None), run_pass(session_maker, clock, None))
    assert sum(r[0] for r in results) == 2
    assert await run_pass(session_maker, clock, None) == (0, 0)
    await db.rollback()
    kinds = (await db.execute(select(Notification.recipient_id, Notification.title)
                              .where(Notification.kind == "milestone.overdue"))).all()
    lead, org = await actor(db, "lead1"), await actor(db, "org")
    assert sorted(r for r, _t in kinds) == sorted([lead.user_id, org.user_id])
    assert all("完成调研" in title for _r, title in kinds)
    # the lead is told on the home page too
    page = await (await as_user(app, "lead1")).get("/")
    assert "节点任务逾期" in page.text


async def test_the_organizer_is_told_once_when_publicity_ends(app, db, clock):
    story = await publicized(db, clock)
    session_maker = app.state.session_maker
    assert await run_pass(session_maker, clock, None) == (0, 0)  # still running
    publicity = await db.scalar(select(Publicity))
    winners = json.loads(publicity.winners)
    clock.advance(publicity.ends_at - clock.now())
    assert (await run_pass(session_maker, clock, None))[0] == 1
    assert await run_pass(session_maker, clock, None) == (0, 0)
    await db.rollback()
    org = await actor(db, "org")
    note = await db.scalar(select(Notification).where(Notification.kind == "publicity.ended"))
    assert note.recipient_id == org.user_id and note.link == f"/organizer/challenges/{story.challenge_id}/publicity"
    page = await (await as_user(app, "org")).get("/")
    assert "公示期满" in page.text
    assert winners[0]["bid_id"] == story.bid_ids[0]
