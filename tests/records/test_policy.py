"""Who may do what with records, as a table without HTTP (records.policy). The pages keep their
matrix (test_permissions); the organizer's queue filters by the SQL twin of `may_decide`,
challenges.queries.managed_by (tests/challenges/test_policy.py)."""

from __future__ import annotations

from arena.actor import SYSTEM, Role
from arena.records import policy
from tests.factories import person

ORGANIZER, CADRE = 1, 10



PEOPLE = {
    "organizer": person(ORGANIZER, Role.ORGANIZER),
    "former organizer": person(ORGANIZER),  # the same login, the role taken away
    "another organizer": person(2, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "the cadre": person(CADRE, Role.CADRE),
    "another cadre": person(11, Role.CADRE),
    "expert": person(20, Role.EXPERT),
    "admin": person(4, Role.ADMIN),
    "system": SYSTEM,
}
ACTIONS = {
    # the record is about CADRE, on a challenge ORGANIZER organizes
    "decide the proposal": lambda actor: policy.may_decide(actor, ORGANIZER),
    "read any dossier": policy.may_read_dossiers,
    "download the certificate": lambda actor: policy.may_read_certificate(actor, CADRE),
    "download a certificate of a cadre with no login": lambda actor: policy.may_read_certificate(actor, None),
}
ALLOWED = {
    "decide the proposal": {"organizer"},
    "read any dossier": {"organizer", "another organizer", "inspector"},
    "download the certificate": {"organizer", "another organizer", "inspector", "the cadre"},
    "download a certificate of a cadre with no login": {"organizer", "another organizer", "inspector"},
}


def test_who_may_do_what_with_records():
    wrong = [f"{who} {action}: expected {who in ALLOWED[action]}" for action, may in ACTIONS.items()
             for who, actor in PEOPLE.items() if may(actor) != (who in ALLOWED[action])]
    assert not wrong, "\n".join(wrong)
