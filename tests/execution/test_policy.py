"""Who may do what to a project, as a table without HTTP (execution.policy). The pages keep their
matrices (test_permissions). What a project's state allows is the transitions' business, not the
policy's: the table holds for every state."""

from __future__ import annotations

from dataclasses import dataclass, field

from arena.actor import SYSTEM, Role
from arena.execution import policy
from tests.factories import person

LEAD, MEMBER, ORGANIZER = 10, 11, 1


@dataclass(frozen=True)
class Project:
    """The facts execution.views.ProjectView provides."""

    lead_user_id: int | None = LEAD
    team_user_ids: frozenset[int] = field(default_factory=lambda: frozenset({MEMBER}))
    organizer_id: int = ORGANIZER



PEOPLE = {
    "lead": person(LEAD, Role.CADRE),
    "lead without the cadre role": person(LEAD),
    "team member": person(MEMBER, Role.CADRE),
    "organizer": person(ORGANIZER, Role.ORGANIZER),
    "former organizer": person(ORGANIZER),  # the same login, the role taken away
    "another organizer": person(2, Role.ORGANIZER),
    "inspector": person(3, Role.INSPECTOR),
    "expert": person(20, Role.EXPERT),
    "another cadre": person(12, Role.CADRE),
    "admin": person(4, Role.ADMIN),
    "system": SYSTEM,
}
ACTIONS = {
    "read": lambda actor, project: policy.may_read(actor, project),
    "act as the lead": lambda actor, project: policy.is_lead(actor, project),
    "decide as the organizer": lambda actor, project: policy.is_organizer(actor, project.organizer_id),
}
ALLOWED = {
    "read": {"lead", "lead without the cadre role", "team member", "organizer", "inspector"},
    "act as the lead": {"lead"},
    "decide as the organizer": {"organizer"},
}


def test_who_may_do_what_to_a_project():
    wrong = [f"{who} {action}: expected {who in ALLOWED[action]}" for action, may in ACTIONS.items()
             for who, actor in PEOPLE.items() if may(actor, Project()) != (who in ALLOWED[action])]
    assert not wrong, "\n".join(wrong)


def test_a_project_without_a_linked_lead_has_no_lead():
    """A lead cadre with no login (lead_user_id None) is nobody's to act for — not the system's."""
    assert not any(policy.is_lead(actor, Project(lead_user_id=None)) for actor in PEOPLE.values())
