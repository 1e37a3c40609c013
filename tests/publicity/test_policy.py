"""Who may do what with an objection, as a table without HTTP (publicity.policy), and the case
issue 23 found: an organizer whose role was taken away still answered objections (and read
their evidence). The pages keep their matrix (tests/execution/test_permissions.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from arena.actor import SYSTEM, Actor, Role
from arena.auth.models import User, UserRole
from arena.errors import NotFound
from arena.publicity import policy
from arena.publicity import service as publicity
from arena.publicity.models import Objection, ObjectionEvidence
from arena.review import service as review
from tests.conftest import as_user, fresh
from tests.execution.factories import actor, publicized
from tests.factories import person

ORGANIZER, OBJECTOR = 1, 30



PEOPLE = {
    "organizer": person(ORGANIZER, Role.ORGANIZER),
    "former organizer": person(ORGANIZER),  # the same login, the role taken away
    "former organizer, now inspector": person(ORGANIZER, Role.INSPECTOR),
    "another organizer": person(2, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "objector": person(OBJECTOR, Role.CADRE),
    "another cadre": person(31, Role.CADRE),
    "admin": person(4, Role.ADMIN),
    "system": SYSTEM,
}
ACTIONS = {
    "answer": lambda actor: policy.may_answer_objection(actor, ORGANIZER),
    "read the evidence": lambda actor: policy.may_read_evidence(actor, OBJECTOR, ORGANIZER),
}
ALLOWED = {
    "answer": {"organizer"},
    "read the evidence": {"organizer", "former organizer, now inspector", "inspector", "objector"},
}


def test_who_may_answer_an_objection_and_read_its_evidence():
    wrong = [f"{who} {action}: expected {who in ALLOWED[action]}" for action, may in ACTIONS.items()
             for who, someone in PEOPLE.items() if may(someone) != (who in ALLOWED[action])]
    assert not wrong, "\n".join(wrong)


async def test_an_organizer_whose_role_was_taken_away_cannot_answer_an_objection(db, clock):
    story = await publicized(db, clock)
    org = await actor(db, "org")
    challenge = await review.organizer_challenge(db, org, story.challenge_id)
    objection = await publicity.file_objection(db, clock, await actor(db, "lead2"), challenge, "评分有误，请核实", [])
    await db.commit()
    former = Actor(org.user_id, org.username, org.display_name, frozenset())
    with pytest.raises(NotFound):
        await publicity.answer_objection(db, clock, former, challenge, objection.id,
                                         publicity.Answer(False, "不成立", None, None))
    await fresh(db)
    assert (await db.get(Objection, objection.id)).status == "open"


async def test_an_organizer_whose_role_was_taken_away_no_longer_reads_the_evidence(app, db, clock):
    story = await publicized(db, clock)
    cid = story.challenge_id
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    filed = await (await as_user(app, "lead2")).post(f"/results/{cid}/objections", {"reason": "附材料"},
                                                     files={"evidence": ("材料.pdf", pdf, "application/pdf")})
    assert filed.status_code == 303
    await fresh(db)
    objection_id = await db.scalar(select(Objection.id).where(Objection.reason == "附材料"))
    evidence_id = await db.scalar(select(ObjectionEvidence.id).where(ObjectionEvidence.objection_id == objection_id))
    url = f"/objections/{objection_id}/evidence/{evidence_id}"
    assert (await (await as_user(app, "org")).get(url)).status_code == 200
    org_id = await db.scalar(select(User.id).where(User.username == "org"))
    await fresh(db)  # a write starts from a fresh snapshot (the request above wrote since)
    await db.execute(delete(UserRole).where(UserRole.user_id == org_id, UserRole.role == Role.ORGANIZER.value))
    await db.commit()
    former = await as_user(app, "org")
    assert (await former.get(url)).status_code == 404
    answer = {"verdict": "dismissed", "reply": "不成立"}
    assert (await former.post(f"/organizer/challenges/{cid}/objections/{objection_id}", answer)).status_code == 403
