"""Who may do what with records, as a table without HTTP (records.policy): only the 组织部门 that
decides the record (a member holding the role) decides it; the organizer of the challenge
recommends and gives opinions, inspectors give opinions; the cadre files their statement and
never reads an opinion. The pages keep their matrix (test_permissions, test_decisions)."""

from __future__ import annotations

import pytest

from arena.actor import SYSTEM, Role
from arena.records import policy
from arena.records.enums import OpinionRole, RecordType
from tests.factories import person

ORGANIZER, CADRE, CLERK, OTHER_CLERK = 1, 10, 5, 6
DEPARTMENT, OTHER_DEPARTMENT = 100, 200
MEMBERS = {CLERK: {DEPARTMENT}, OTHER_CLERK: {OTHER_DEPARTMENT}}

PEOPLE = {
    "organizer": person(ORGANIZER, Role.ORGANIZER),
    "former organizer": person(ORGANIZER),  # the same login, the role taken away
    "another organizer": person(2, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "the department": person(CLERK, Role.ORG_DEPT),
    "former department member": person(CLERK),  # still listed as a member, the role taken away
    "another department": person(OTHER_CLERK, Role.ORG_DEPT),
    "the cadre": person(CADRE, Role.CADRE),
    "another cadre": person(11, Role.CADRE),
    "expert": person(20, Role.EXPERT),
    "admin": person(4, Role.ADMIN),
    "system": SYSTEM,
}


def _member_of(actor) -> set[int]:
    return MEMBERS.get(actor.user_id, set())


ACTIONS = {
    # the record is about CADRE, on a challenge ORGANIZER organizes, decided by DEPARTMENT
    "decide the record": lambda a: policy.may_decide(a, DEPARTMENT, _member_of(a)),
    "decide a record no department covers": lambda a: policy.may_decide(a, None, _member_of(a)),
    "give an opinion": lambda a: policy.opinion_role(a, ORGANIZER) is not None,
    "recommend": lambda a: policy.may_recommend(a, ORGANIZER),
    "read the record page": lambda a: policy.may_read_record(a, ORGANIZER, DEPARTMENT, _member_of(a)),
    "read the opinions": lambda a: policy.may_read_opinions(a, ORGANIZER, DEPARTMENT, _member_of(a)),
    "file the statement": lambda a: policy.may_state(a, CADRE),
    "object in the 公示": policy.may_object,
    "read who objected": lambda a: policy.may_read_objectors(a, DEPARTMENT, _member_of(a)),
    "assign a department": policy.may_assign,
    "read any dossier": policy.may_read_dossiers,
    "download the certificate": lambda a: policy.may_read_certificate(a, CADRE),
    "download a certificate of a cadre with no login": lambda a: policy.may_read_certificate(a, None),
}
READERS = {"organizer", "another organizer", "inspector", "the department", "another department"}
LOGGED_IN = set(PEOPLE) - {"system"}
ALLOWED = {
    "decide the record": {"the department"},
    "decide a record no department covers": set(),
    "give an opinion": {"organizer", "inspector"},
    "recommend": {"organizer"},
    "read the record page": {"organizer", "inspector", "the department"},
    "read the opinions": {"organizer", "inspector", "the department"},
    "file the statement": {"the cadre"},
    "object in the 公示": LOGGED_IN,
    "read who objected": {"the department", "inspector"},
    "assign a department": {"admin"},
    "read any dossier": READERS,
    "download the certificate": READERS | {"the cadre"},
    "download a certificate of a cadre with no login": READERS,
}


def test_who_may_do_what_with_records():
    wrong = [f"{who} {action}: expected {who in ALLOWED[action]}" for action, may in ACTIONS.items()
             for who, actor in PEOPLE.items() if may(actor) != (who in ALLOWED[action])]
    assert not wrong, "\n".join(wrong)


def test_the_organizer_opines_as_the_organizer_even_when_also_an_inspector():
    both = person(ORGANIZER, Role.ORGANIZER, Role.INSPECTOR)
    assert policy.opinion_role(both, ORGANIZER) is OpinionRole.ORGANIZER
    assert policy.opinion_role(both, 99) is OpinionRole.INSPECTOR
    assert policy.opinion_role(PEOPLE["inspector"], ORGANIZER) is OpinionRole.INSPECTOR


@pytest.mark.parametrize(("record_type", "path"), [
    (RecordType.PRIORITY_PROMOTION, "publicity"), (RecordType.EXCEPTIONAL_PROMOTION, "publicity"),
    (RecordType.CROSS_LEVEL_PROMOTION, "publicity"), (RecordType.AWARD_RESPONSIBILITY, "publicity"),
    (RecordType.AWARD_INNOVATION, "publicity"), (RecordType.ADMONISHMENT, "hearing"),
    (RecordType.POST_ADJUSTMENT, "hearing"), (RecordType.POST_EXIT, "hearing"),
    (RecordType.FAULT_TOLERANCE_EXEMPTION, "direct"),
])
def test_each_record_type_takes_its_path(record_type, path):
    assert policy.path_of(record_type) == path
