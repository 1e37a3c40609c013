"""Who may do what to a project (one place, tested as a matrix).

Reading: the lead and the confirmed team, the challenge's organizer, and inspectors. Acting as
the lead (sign, report, ask for fault tolerance or a plan change): the lead only. Deciding
(assess, approve, decide tolerance, checkpoints, acceptance): the challenge's organizer
(challenges.policy.may_manage); an assigned expert may assess reports of projects they have no
conflict with (reports.may_assess_as_expert, which needs the database for the conflicts).

Pure: the predicates read plain facts of the project (`ProjectFacts`, which
execution.views.ProjectView provides), never the database.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from arena.actor import Actor, Role
from arena.challenges import policy as challenges


class ProjectFacts(Protocol):
    """What the rules need to know about a project."""

    @property
    def lead_user_id(self) -> int | None: ...

    @property
    def team_user_ids(self) -> Collection[int]: ...  # the confirmed members

    @property
    def organizer_id(self) -> int: ...  # the challenge's


def may_read(actor: Actor, project: ProjectFacts) -> bool:
    if actor.user_id is None:
        return False
    return (actor.user_id == project.lead_user_id or actor.user_id in project.team_user_ids
            or is_organizer(actor, project.organizer_id) or actor.has(Role.INSPECTOR))


def is_lead(actor: Actor, project: ProjectFacts) -> bool:
    return actor.user_id is not None and actor.user_id == project.lead_user_id and actor.has(Role.CADRE)


def is_organizer(actor: Actor, organizer_id: int) -> bool:
    return challenges.may_manage(actor, organizer_id)
