"""Who may do what with records (STYLE: policy is explicit, one place, tested as a table).

Pure predicates over the actor and plain facts (the challenge's organizer, the record's
deciding department, the departments the actor acts for, the cadre's login): no database. The
loaders in records.service call them; lists filter by their SQL twins (for deciding:
`Record.org_department_id IN member_of`).

Only the organization department (组织部门) that covers the cadre's unit decides a record. The
organizer of the challenge recommends and gives opinions; inspectors give opinions; the cadre
reads their own records and the outcome, files their statement (陈述申辩), and never reads the
opinions.
"""

from __future__ import annotations

from collections.abc import Collection

from arena.actor import Actor, Role
from arena.challenges import policy as challenges
from arena.records.enums import (
    ACCOUNTABILITY_TYPES,
    PUBLICIZED_TYPES,
    OpinionRole,
    RecordStatus,
)

READERS = (Role.ORGANIZER, Role.INSPECTOR, Role.ORG_DEPT)
"""Who reads every dossier; a cadre reads their own."""

PUBLIC_STATUSES = frozenset({RecordStatus.PUBLICITY, RecordStatus.EFFECTIVE, RecordStatus.WITHDRAWN,
                             RecordStatus.REVOKED})
"""A publicized record's states after approval: on the public 公示 pages (with the reason, when
withdrawn or revoked)."""


def path_of(record_type: str) -> str:
    """How a record of this type is decided: "publicity" (approve → 公示 → effective),
    "hearing" (hear the cadre → decide) or "direct" (decide at once: an exemption)."""
    if record_type in PUBLICIZED_TYPES:
        return "publicity"
    if record_type in ACCOUNTABILITY_TYPES:
        return "hearing"
    return "direct"


def may_decide(actor: Actor, department_id: int | None, member_of: Collection[int]) -> bool:
    """Approve, decide, reject, retype, open the hearing, answer objections, withdraw, revoke:
    a member of the deciding 组织部门."""
    return actor.has(Role.ORG_DEPT) and department_id is not None and department_id in member_of


def opinion_role(actor: Actor, organizer_id: int) -> OpinionRole | None:
    """Whose opinion the actor may give on a record of this challenge, if any."""
    if challenges.may_manage(actor, organizer_id):
        return OpinionRole.ORGANIZER
    if actor.has(Role.INSPECTOR):
        return OpinionRole.INSPECTOR
    return None


def may_recommend(actor: Actor, organizer_id: int) -> bool:
    """Recommend a record (推荐) for a cadre of the challenge's project: its organizer."""
    return challenges.may_manage(actor, organizer_id)


def may_read_record(actor: Actor, organizer_id: int, department_id: int | None, member_of: Collection[int]) -> bool:
    """The record's page with its evidence and opinions: the deciding department, the challenge's
    organizer and inspectors. (The cadre reads their own records on their own pages.)"""
    return (may_decide(actor, department_id, member_of) or challenges.may_manage(actor, organizer_id)
            or actor.has(Role.INSPECTOR))


def may_read_opinions(actor: Actor, organizer_id: int, department_id: int | None,
                      member_of: Collection[int]) -> bool:
    return may_read_record(actor, organizer_id, department_id, member_of)


def may_state(actor: Actor, cadre_user_id: int | None) -> bool:
    """File or waive the statement (陈述申辩): the cadre the record is about."""
    return actor.user_id is not None and actor.user_id == cadre_user_id


def may_object(actor: Actor) -> bool:
    """Object to a record in its 公示: anyone logged in."""
    return actor.user_id is not None


def may_read_objectors(actor: Actor, department_id: int | None, member_of: Collection[int]) -> bool:
    """Who filed an objection: the deciding department and inspectors."""
    return may_decide(actor, department_id, member_of) or actor.has(Role.INSPECTOR)


def may_assign(actor: Actor) -> bool:
    """Set up departments and match waiting records to them: the admin."""
    return actor.has(Role.ADMIN)


def may_read_dossiers(actor: Actor) -> bool:
    """Search and read anyone's dossier (实绩档案) and its PDF."""
    return actor.has(*READERS)


def may_read_certificate(actor: Actor, cadre_user_id: int | None) -> bool:
    """A certificate's PDF: the cadre it names and dossier readers. (Anyone may check a code at
    /verify, which shows no PDF.)"""
    return (actor.user_id is not None and actor.user_id == cadre_user_id) or may_read_dossiers(actor)
