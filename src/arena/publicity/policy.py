"""Who may do what during publicity (STYLE: policy is explicit, one place, tested as a table).

Pure predicates over the actor and plain facts of an objection (who filed it, the challenge's
organizer): no database. publicity.service's loaders call them and answer a refusal as not
found. Publishing the results and the award are the challenge organizer's
(challenges.policy.may_manage, asked by challenges.queries.organizer_challenge).

Anonymity: who filed an objection is for the challenge's organizer and inspectors only; the
public pages never load an objector at all.
"""

from __future__ import annotations

from arena.actor import Actor, Role
from arena.challenges import policy as challenges


def may_answer_objection(actor: Actor, organizer_id: int) -> bool:
    """Uphold or dismiss: the challenge's organizer, while they hold the role (issue 23: an
    organizer whose role was taken away still answered objections)."""
    return challenges.may_manage(actor, organizer_id)


def may_read_evidence(actor: Actor, objector_id: int, organizer_id: int) -> bool:
    """An objection's evidence: the objector, the challenge's organizer and inspectors."""
    if actor.user_id is None:
        return False
    return actor.user_id == objector_id or challenges.may_manage(actor, organizer_id) or actor.has(Role.INSPECTOR)
