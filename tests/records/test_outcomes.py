"""Which outcomes propose which records: the grades, an unqualified result with and without an
exemption, an elimination, an excused failure; the rules page changes what is proposed next."""

from __future__ import annotations

import json

from sqlalchemy import select

from arena.auth.models import Role
from arena.challenges.models import Challenge, Checkpoint, ToleranceCase
from arena.execution import considerations, horse_race, tolerance
from arena.execution.award import readable_project
from arena.execution.models import Milestone, Project, ToleranceRequest
from arena.records.models import RecordRule
from arena.review import service as review
from arena.review.models import PanelPurpose
from tests.conftest import as_user, fresh
from tests.execution.factories import actor, awarded, score_panel
from tests.factories import make_user
from tests.records.factories import EXCELLENT, UNQUALIFIED, accepted, records_of


async def _grant_tolerance(db, clock, story) -> int:
    """A failed first milestone excused through the services (request, opinion, grant)."""
    await fresh(db)
    pid = story.project_ids[0]
    case = ToleranceCase(challenge_id=story.challenge_id, position=1, description="因上级政策调整导致目标无法实现")
    db.add(case)
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == pid).order_by(Milestone.position))
    milestone.status = "failed"
    await db.commit()
    lead = await actor(db, "lead1")
    view = await readable_project(db, lead, pid, clock.now().date())
    request = await tolerance.request_tolerance(db, clock, lead, view, milestone.id, case.id, "政策调整。", [])
    await make_user(db, "inspector", Role.INSPECTOR, name="纪检")
    await db.flush()
    await tolerance.give_opinion(db, clock, await actor(db, "inspector"), request.id, considerations.filled(text="情况属实。"))
    org = await actor(db, "org")
    challenge = await db.get(Challenge, story.challenge_id)
    await tolerance.decide(db, clock, org, challenge, request.id, True, "予以容错。")
    await db.commit()
    return request.id


async def test_an_excused_failure_proposes_the_exemption_and_spares_the_unqualified_admonishment(app, db, clock):
    story = await awarded(db, clock)
    request_id = await _grant_tolerance(db, clock, story)
    found = await records_of(db, story.project_ids[0])
    assert [(r.record_type, r.trigger) for r in found] == [("fault_tolerance_exemption", "excused")]
    facts = json.loads(found[0].facts)
    assert facts["tolerance"]["id"] == request_id and facts["tolerance"]["reason"] == "予以容错。"
    # the project is then accepted 不合格: the admonishment rule is marked "unless exempted"
    await fresh(db)
    bid_id = (await db.get(Project, story.project_ids[0])).bid_id
    await score_panel(db, clock, story.challenge_id, {bid_id: UNQUALIFIED}, PanelPurpose.ACCEPTANCE)
    assert [r.record_type for r in await records_of(db, story.project_ids[0])] == ["fault_tolerance_exemption"]
    await fresh(db)
    assert (await db.get(Project, story.project_ids[0])).grade == "unqualified"


async def test_an_unqualified_result_without_an_exemption_proposes_an_admonishment(app, db, clock):
    story = await accepted(db, clock, UNQUALIFIED)
    found = await records_of(db, story.project_ids[0])
    assert [(r.recipient, r.record_type, r.trigger) for r in found] == [("lead", "admonishment", "grade_unqualified")]
    assert json.loads(found[0].facts)["exemptions"] == []


async def test_an_elimination_proposes_nothing_by_itself(app, db, clock):
    """Losing a horse race is not misconduct (issue 20): no admonishment, even from an old rule."""
    story = await awarded(db, clock, horse_race=True)
    await fresh(db)
    db.add(RecordRule(trigger="eliminated", recipient="lead", record_type="admonishment", active=True,
                      unless_exempted=False))
    await db.commit()
    org = await actor(db, "org")
    challenge = await review.organizer_challenge(db, org, story.challenge_id)
    checkpoint = await db.scalar(select(Checkpoint).where(Checkpoint.challenge_id == story.challenge_id))
    ranking = await horse_race.ranking(db, challenge)
    await horse_race.decide(db, clock, org, challenge, checkpoint.id, ranking[-1].project.id, "")
    await db.commit()
    for project_id in story.project_ids:
        assert await records_of(db, project_id) == []


async def test_the_rules_page_switches_rules_and_adds_one(app, db, clock):
    story = await awarded(db, clock)
    org = await as_user(app, "org")
    page = await org.get("/organizer/records/rules")
    assert page.status_code == 200 and "担当作为奖" in page.text
    await fresh(db)
    rules = (await db.scalars(select(RecordRule).order_by(RecordRule.id))).all()
    keep = [str(r.id) for r in rules if r.record_type != "priority_promotion"]
    unless = [str(r.id) for r in rules if r.unless_exempted]
    assert (await org.post("/organizer/records/rules", {"active": keep, "unless_exempted": unless})).status_code == 303
    duplicate = await org.post("/organizer/records/rules/new", {"trigger": "grade_excellent", "recipient": "lead",
                                                                 "new_record_type": "award_responsibility"})
    assert duplicate.status_code == 400 and "已有相同的规则" in duplicate.text
    bad = await org.post("/organizer/records/rules/new", {"trigger": "nope", "recipient": "lead",
                                                           "new_record_type": "award_responsibility"})
    assert bad.status_code == 400 and "请选择触发情形" in bad.text
    assert (await org.post("/organizer/records/rules/new", {"trigger": "grade_excellent", "recipient": "lead",
                                                             "new_record_type": "exceptional_promotion"})).status_code \
        == 303
    await fresh(db)
    bid_id = (await db.get(Project, story.project_ids[0])).bid_id
    await score_panel(db, clock, story.challenge_id, {bid_id: EXCELLENT}, PanelPurpose.ACCEPTANCE)
    types = sorted(r.record_type for r in await records_of(db, story.project_ids[0]))
    assert types == ["award_innovation", "award_responsibility", "exceptional_promotion"]
    assert await db.scalar(select(ToleranceRequest.id)) is None
