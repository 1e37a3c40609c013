"""Who may do what to a project (one place, tested as a matrix).

Reading: the lead and the confirmed team, the challenge's organizer, and inspectors. Acting as
the lead (sign, report, ask for fault tolerance or a plan change): the lead only. Deciding
(assess, approve, decide tolerance, checkpoints, acceptance): the challenge's organizer; an
assigned expert may assess reports of projects they have no conflict with.
"""

from __future__ import annotations

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.execution.views import ProjectView


def may_read(actor: Actor, view: ProjectView) -> bool:
    if actor.user_id is None:
        return False
    return (actor.user_id == view.lead_user_id or actor.user_id in view.team_user_ids
            or actor.user_id == view.challenge.organizer_id or actor.has(Role.INSPECTOR))


def is_lead(actor: Actor, view: ProjectView) -> bool:
    return actor.user_id is not None and actor.user_id == view.lead_user_id and actor.has(Role.CADRE)


def is_organizer(actor: Actor, challenge: Challenge) -> bool:
    return actor.user_id is not None and actor.user_id == challenge.organizer_id and actor.has(Role.ORGANIZER)
