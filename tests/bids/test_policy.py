"""Who may do what to a bid, as a table without HTTP (bids.policy), and the SQL twin of
`is_lead` (service.led_by) agreeing with it on real rows. The pages keep their own matrices
(test_bid_pages)."""

from __future__ import annotations

from sqlalchemy import select

from arena.actor import SYSTEM, Role
from arena.bids import policy
from arena.bids.models import Bid, BidStatus
from arena.bids.service import led_by
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.factories import make_cadre, make_unit, make_user, person

LEAD, MEMBER, ORGANIZER = 10, 11, 1



PEOPLE = {
    "lead": person(LEAD, Role.CADRE),
    "lead without the cadre role": person(LEAD),
    "team member": person(MEMBER, Role.CADRE),
    "organizer": person(ORGANIZER, Role.ORGANIZER),
    "former organizer": person(ORGANIZER),
    "another organizer": person(2, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "another cadre": person(12, Role.CADRE),
    "admin": person(4, Role.ADMIN),
    "system": SYSTEM,
}

# (status, a version was submitted): a draft, a draft discarded before submitting, a bid
# withdrawn after submitting, and every later state
STATES = [("draft", False), ("withdrawn", False), ("withdrawn", True)] + [
    (s.value, True) for s in BidStatus if s not in (BidStatus.DRAFT, BidStatus.WITHDRAWN)]
NEVER_SENT = {("draft", False), ("withdrawn", False)}
SENT = set(STATES) - NEVER_SENT


def facts(status: str, has_version: bool) -> policy.BidFacts:
    return policy.BidFacts(lead_user_id=LEAD, team_user_ids=frozenset({MEMBER}), organizer_id=ORGANIZER,
                           status=status, has_version=has_version)


ACTIONS = {
    "edit": lambda actor, bid: policy.is_lead(actor, bid.lead_user_id),
    "read": policy.may_read,
}

ALLOWED = {
    # (who, action): the states in which it is allowed; anything not listed: never
    ("lead", "edit"): set(STATES),  # whether the state allows the edit is the transitions' business
    ("lead", "read"): set(STATES),
    ("lead without the cadre role", "read"): set(STATES),
    ("team member", "read"): set(STATES),
    ("organizer", "read"): SENT,
    ("inspector", "read"): SENT,
}


def test_who_may_do_what_to_a_bid_in_each_state():
    wrong = []
    for who, actor in PEOPLE.items():
        for action, allowed in ACTIONS.items():
            for state in STATES:
                expected = state in ALLOWED.get((who, action), set())
                if allowed(actor, facts(*state)) != expected:
                    wrong.append(f"{who} {action} a bid {state}: expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_the_unsent_states_are_the_enums():
    assert {BidStatus(s) for s in policy.UNSENT} == {BidStatus.DRAFT, BidStatus.WITHDRAWN}


async def test_the_cadres_list_filters_by_the_same_rule(db):
    """led_by (SQL) keeps exactly the bids is_lead (Python) allows, for each person."""
    unit = await make_unit(db)
    challenge = await make_challenge(db, await make_organizer(db, "twin-org"))
    users = [await make_user(db, f"twin-cadre{n}", Role.CADRE) for n in range(2)]
    cadres = [await make_cadre(db, unit, user) for user in users]
    bids = [Bid(challenge_id=challenge.id, lead_id=cadre.id, status=BidStatus.DRAFT.value) for cadre in cadres]
    db.add_all(bids)
    await db.flush()
    lead_of = {bid.id: cadre.user_id for bid, cadre in zip(bids, cadres, strict=True)}
    people = [person(users[0].id, Role.CADRE), person(users[0].id), person(users[1].id, Role.CADRE, Role.EXPERT),
              person(users[1].id + 100, Role.CADRE), SYSTEM]
    for actor in people:
        in_sql = set((await db.scalars(select(Bid.id).where(Bid.id.in_(lead_of), led_by(actor)))).all())
        in_python = {bid_id for bid_id, user in lead_of.items() if policy.is_lead(actor, user)}
        assert in_sql == in_python, actor
    assert set(await db.scalars(select(Bid.id).where(led_by(people[0])))) == {bids[0].id}
