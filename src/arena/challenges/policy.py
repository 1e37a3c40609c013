"""Who may do what to a challenge (STYLE: policy is explicit, one place, tested as a table).

Pure predicates over the actor and plain facts of the challenge (its organizer's user id, its
status): no database. The loaders in challenges.queries call them and answer a refusal as not
found; lists filter by their SQL twins, kept next to the loaders (`queries.managed_by`).

The organizer of a challenge is the person who drafted it *while they hold the organizer role*:
someone whose role was taken away keeps nothing of it (issue 23). Every area that acts for the
organizer (qualification, review, publicity, execution, records) asks `may_manage`.
"""

from __future__ import annotations

from arena.actor import Actor, Role
from arena.challenges.phase import VISIBLE_TO_PUBLIC


def may_manage(actor: Actor | None, organizer_id: int) -> bool:
    """Edit, publish, amend, cancel; qualify, review, publicize, award and follow the project;
    answer questions and objections; decide its records."""
    return (actor is not None and actor.user_id is not None and actor.user_id == organizer_id
            and actor.has(Role.ORGANIZER))


def is_public(status: str) -> bool:
    """Published or later: its page, announcement, calendar and questions are anyone's."""
    return status in VISIBLE_TO_PUBLIC


def may_read(actor: Actor | None, status: str, organizer_id: int) -> bool:
    """A public challenge is anyone's; a draft only its organizer's."""
    return is_public(status) or may_manage(actor, organizer_id)

