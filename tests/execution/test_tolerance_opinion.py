"""The inspector's fault-tolerance opinion as the standard considerations of 容错免责 (issue 22):
every consideration and the recommendation required, none pre-selected, the form given back on
an error with nothing saved; the opinion shown to the organizer and in the record it rests on;
the inspector's list keeps what they answered."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.challenges.models import ToleranceCase
from arena.execution import considerations, tolerance
from arena.execution.award import readable_project
from arena.execution.models import Milestone, ToleranceRequest
from arena.records.models import Record
from tests.conftest import as_user, fresh
from tests.execution.factories import actor, awarded
from tests.factories import make_user

RULES = ["c-lawful", "c-no_gain", "c-collective", "c-mitigated"]


async def _pending_request(db, clock) -> tuple[int, int]:
    story = await awarded(db, clock)
    pid = story.project_ids[0]
    case = ToleranceCase(challenge_id=story.challenge_id, position=1, description="因上级政策调整导致目标无法实现")
    db.add(case)
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == pid).order_by(Milestone.position))
    milestone.status = "failed"
    await db.commit()
    lead = await actor(db, "lead1")
    view = await readable_project(db, lead, pid, clock.now().date())
    request = await tolerance.request_tolerance(db, clock, lead, view, milestone.id, case.id, "政策调整。", [])
    await db.commit()
    return request.id, story.challenge_id


async def test_the_opinion_needs_every_consideration_and_a_recommendation_and_comes_back_filled_in(app, db, clock):
    request_id, challenge_id = await _pending_request(db, clock)
    inspector = await as_user(app, "insp")
    url = f"/inspector/tolerance/{request_id}"
    form = (await inspector.get(url)).text
    for name in RULES:  # asked, with 是 / 否 / 不明确, none chosen
        assert f'name="{name}" value="yes"' in form and f'name="{name}" value="unclear"' in form
    assert " checked" not in form and "建议予以容错" in form and "建议不予容错" in form
    events = await db.scalar(select(func.count()).select_from(AuditEvent))

    partial = considerations.filled(text="情况基本属实。", notes={"lawful": "有省厅文件为据"})
    del partial["c-collective"], partial["recommendation"]
    answer = await inspector.post(url, partial)
    assert answer.status_code == 400
    assert "请选择“民主决策”：是、否或不明确" in answer.text and "请选择建议予以容错或建议不予容错" in answer.text
    assert 'name="c-lawful" value="yes" required checked' in answer.text  # given back
    assert "有省厅文件为据" in answer.text and "情况基本属实。" in answer.text
    assert 'name="c-collective" value="yes" required checked' not in answer.text
    await fresh(db)
    stored = await db.get(ToleranceRequest, request_id)
    assert stored.status == "awaiting_opinion" and stored.opinion_considerations is None
    assert await db.scalar(select(func.count()).select_from(AuditEvent)) == events

    opinion = considerations.filled("yes", "grant", "情况基本属实。", {"lawful": "有省厅文件为据"}) | {"c-mitigated": "unclear"}
    assert (await inspector.post(url, opinion)).status_code == 303
    await fresh(db)
    stored = await db.get(ToleranceRequest, request_id)
    assert stored.status == "awaiting_decision" and stored.opinion_recommendation == "grant"
    assert json.loads(stored.opinion_considerations)["mitigated"] == {"answer": "unclear", "note": ""}
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "tolerance.opine"))
    assert json.loads(event.summary).items() >= {"lawful": "yes", "mitigated": "unclear", "recommendation": "grant"}.items()

    # The organizer reads it on the decision page, and the record proposed on a grant keeps it.
    org = await as_user(app, "org")
    page = (await org.get(f"/organizer/challenges/{challenge_id}/execution")).text
    assert "建议予以容错" in page and "挽回损失" in page and "不明确" in page and "有省厅文件为据" in page
    decide = f"/organizer/challenges/{challenge_id}/execution/tolerance/{request_id}"
    assert (await org.post(decide, {"decision": "grant", "reason": "符合第一项容错情形。"})).status_code == 303
    await fresh(db)
    record = await db.scalar(select(Record).where(Record.tolerance_request_id == request_id))
    assert "建议予以容错；依规依纪：是（有省厅文件为据）" in (await org.get(f"/records/{record.id}")).text

    # The inspector's list: gone from the pending tab, kept under 已提出意见.
    pending = (await inspector.get("/inspector/tolerance")).text
    assert f"/inspector/tolerance/{request_id}" not in pending
    answered = (await inspector.get("/inspector/tolerance?status=answered")).text
    assert f"/inspector/tolerance/{request_id}" in answered and "建议予以容错" in answered
    await make_user(db, "insp2", Role.INSPECTOR)
    await db.commit()
    other = await as_user(app, "insp2")
    assert f"/inspector/tolerance/{request_id}" not in (await other.get("/inspector/tolerance?status=answered")).text


async def test_an_opinion_from_before_the_considerations_shows_as_free_text(app, db, clock):
    request_id, challenge_id = await _pending_request(db, clock)
    stored = await db.get(ToleranceRequest, request_id)
    stored.opinion, stored.status = "经核查，情况属实。", "awaiting_decision"
    await db.commit()
    inspector = await as_user(app, "insp")
    page = (await inspector.get(f"/inspector/tolerance/{request_id}")).text
    assert "经核查，情况属实。" in page and "considerations" not in page.split("纪检监察意见", 1)[1].split("</section>")[0]
    org = await as_user(app, "org")
    assert "经核查，情况属实。" in (await org.get(f"/organizer/challenges/{challenge_id}/execution")).text
