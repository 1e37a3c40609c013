"""Issue 20 §2: no choice on a decision form is made for the person deciding, and an elimination
in a horse race never proposes accountability — not by a new rule, not by switching an old one
back on."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from arena.actor import Role
from arena.challenges.models import Checkpoint
from arena.execution.models import Project
from arena.records.models import RecordRule
from arena.records.proposals import rules_in_force
from tests.conftest import as_user, fresh
from tests.execution.factories import awarded
from tests.factories import make_user


async def organizer(app, db):
    await make_user(db, "org", Role.ORGANIZER, name="发榜单位")
    await db.commit()
    return await as_user(app, "org")


async def test_the_checkpoint_form_preselects_no_outcome_and_a_missing_choice_is_refused(app, db, clock):
    story = await awarded(db, clock, horse_race=True)
    cid = story.challenge_id
    org = await as_user(app, "org")
    page = await org.get(f"/organizer/challenges/{cid}/execution")
    radios = re.findall(r'<input type="radio" name="choice"[^>]*>', page.text)
    assert len(radios) >= 2 and not any("checked" in r for r in radios)
    await fresh(db)
    checkpoint_id = await db.scalar(select(Checkpoint.id).where(Checkpoint.challenge_id == cid))
    url = f"/organizer/challenges/{cid}/execution/checkpoints/{checkpoint_id}"
    missing = await org.post(url, {"keep_reason": ""})
    assert missing.status_code == 400 and "请选择比选结论" in missing.text
    await fresh(db)
    assert (await db.get(Checkpoint, checkpoint_id)).status != "decided"
    assert {(await db.get(Project, p)).status for p in story.project_ids} == {"active"}
    # a refused form keeps the organizer's own choice
    kept = await org.post(url, {"choice": "keep", "keep_reason": ""})
    assert kept.status_code == 400 and re.search(r'value="keep" required checked', kept.text)


async def test_a_rule_proposing_accountability_on_elimination_is_refused(app, db, clock):
    org = await organizer(app, db)
    assert (await org.get("/organizer/records/rules")).status_code == 200  # the default rules are written
    await fresh(db)
    before = await db.scalar(select(func.count()).select_from(RecordRule))
    for record_type in ("admonishment", "post_adjustment", "post_exit"):
        refused = await org.post("/organizer/records/rules/new", {
            "trigger": "eliminated", "recipient": "lead", "new_record_type": record_type})
        assert refused.status_code == 400 and "赛马末位淘汰不是过错" in refused.text
    await fresh(db)
    assert await db.scalar(select(func.count()).select_from(RecordRule)) == before
    # elimination may still propose something that is not accountability
    ok = await org.post("/organizer/records/rules/new", {
        "trigger": "eliminated", "recipient": "lead", "new_record_type": "fault_tolerance_exemption"})
    assert ok.status_code == 303


async def test_an_old_elimination_admonishment_rule_cannot_be_switched_back_on(app, db, clock):
    await rules_in_force(db)
    old = RecordRule(trigger="eliminated", recipient="lead", record_type="admonishment", unless_exempted=False,
                     active=False)
    db.add(old)
    await db.commit()
    rules = await rules_in_force(db)
    active = [r.id for r in rules if r.active]
    org = await organizer(app, db)
    page = await org.get("/organizer/records/rules")
    assert re.search(rf'id="active-{old.id}"[^>]*disabled', page.text) and "此规则已停用" in page.text
    saved = await org.post("/organizer/records/rules", {"active": [str(i) for i in [*active, old.id]]})
    assert saved.status_code == 303
    await fresh(db)
    assert (await db.get(RecordRule, old.id)).active is False
    assert {r.id for r in await rules_in_force(db) if r.active} == set(active)
