"""Who may do what to a challenge, as a table without HTTP (challenges.policy), and its SQL twin
(queries.managed_by) agreeing with it on real rows. The pages keep their own matrices
(test_organizer_pages, test_public_detail)."""

from __future__ import annotations

from sqlalchemy import select

from arena.actor import SYSTEM, Actor, Role
from arena.challenges import policy
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.queries import managed_by, publicly_visible
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.factories import make_user, person

ORGANIZER_ID = 1
ALL = frozenset(s.value for s in ChallengeStatus)
PUBLIC = ALL - {ChallengeStatus.DRAFT.value}



PEOPLE: dict[str, Actor | None] = {
    "organizer": person(ORGANIZER_ID, Role.ORGANIZER),
    "organizer, also inspector": person(ORGANIZER_ID, Role.ORGANIZER, Role.INSPECTOR),
    "former organizer": person(ORGANIZER_ID),  # the same login, the role taken away
    "former organizer, now cadre": person(ORGANIZER_ID, Role.CADRE),
    "another organizer": person(2, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "admin": person(4, Role.ADMIN),
    "cadre": person(5, Role.CADRE),
    "visitor": None,
    "system": SYSTEM,
}

ACTIONS = {
    "manage": lambda actor, status: policy.may_manage(actor, ORGANIZER_ID),
    "read": lambda actor, status: policy.may_read(actor, status, ORGANIZER_ID),
}

ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    # (who, action): the challenge states in which it is allowed; anything not listed: never
    ("organizer", "manage"): ALL,
    ("organizer", "read"): ALL,
    ("organizer, also inspector", "manage"): ALL,
    ("organizer, also inspector", "read"): ALL,
    ("former organizer", "read"): PUBLIC,
    ("former organizer, now cadre", "read"): PUBLIC,
    ("another organizer", "read"): PUBLIC,
    ("inspector", "read"): PUBLIC,
    ("admin", "read"): PUBLIC,
    ("cadre", "read"): PUBLIC,
    ("visitor", "read"): PUBLIC,
    ("system", "read"): PUBLIC,
}


def test_who_may_do_what_to_a_challenge_in_each_state():
    wrong = []
    for who, actor in PEOPLE.items():
        for action, allowed in ACTIONS.items():
            for status in sorted(ALL):
                expected = status in ALLOWED.get((who, action), frozenset())
                if allowed(actor, status) != expected:
                    wrong.append(f"{who} {action} a {status} challenge: expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_every_public_state_is_every_state_but_draft():
    assert {s for s in ALL if policy.is_public(s)} == PUBLIC


async def test_the_organizers_lists_filter_by_the_same_rule(db):
    """managed_by (SQL) keeps exactly the challenges may_manage (Python) allows, for each person."""
    owner = await make_organizer(db, "twin-owner")
    other = await make_organizer(db, "twin-other")
    inspector = await make_user(db, "twin-inspector", Role.INSPECTOR)
    made = [await make_challenge(db, owner, status=ChallengeStatus.DRAFT), await make_challenge(db, owner),
            await make_challenge(db, other)]
    ids = [c.id for c in made]
    people = [person(owner.id, Role.ORGANIZER), person(owner.id), person(owner.id, Role.CADRE),
              person(other.id, Role.ORGANIZER), person(inspector.id, Role.INSPECTOR, Role.ORGANIZER), SYSTEM]
    for actor in people:
        in_sql = set((await db.scalars(select(Challenge.id).where(Challenge.id.in_(ids), managed_by(actor)))).all())
        in_python = {c.id for c in made if policy.may_manage(actor, c.organizer_id)}
        assert in_sql == in_python, actor
    assert set(await db.scalars(select(Challenge.id).where(
        Challenge.id.in_(ids), managed_by(people[0])))) == {made[0].id, made[1].id}


async def test_the_public_lists_filter_by_the_same_rule(db):
    """publicly_visible (SQL) keeps exactly the challenges is_public (Python) allows: one of each status."""
    owner = await make_organizer(db, "public-twin")
    made = [await make_challenge(db, owner, status=ChallengeStatus(status)) for status in sorted(ALL)]
    ids = [c.id for c in made]
    in_sql = set((await db.scalars(select(Challenge.id).where(Challenge.id.in_(ids), publicly_visible()))).all())
    assert in_sql == {c.id for c in made if policy.is_public(c.status)}
    assert len(in_sql) == len(ALL) - 1  # every one but the draft
