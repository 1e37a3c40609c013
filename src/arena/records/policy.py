"""Who may do what with records (STYLE: policy is explicit, one place, tested as a table).

Pure predicates over the actor and plain facts (the challenge's organizer, the cadre's login):
no database. records.service's loader (`organizer_record`) and the certificate download call
them; the organizer's queue filters by the SQL twin of `may_decide`,
challenges.queries.managed_by.
"""

from __future__ import annotations

from arena.actor import Actor, Role
from arena.challenges import policy as challenges

READERS = (Role.ORGANIZER, Role.INSPECTOR)
"""Who reads every dossier; a cadre reads their own."""


def may_decide(actor: Actor, organizer_id: int) -> bool:
    """Approve, reject or retype a proposal: the organizer of its challenge."""
    return challenges.may_manage(actor, organizer_id)


def may_read_dossiers(actor: Actor) -> bool:
    """Search and read anyone's dossier (实绩档案) and its PDF."""
    return actor.has(*READERS)


def may_read_certificate(actor: Actor, cadre_user_id: int | None) -> bool:
    """A certificate's PDF: the cadre it names and dossier readers. (Anyone may check a code at
    /verify, which shows no PDF.)"""
    return (actor.user_id is not None and actor.user_id == cadre_user_id) or may_read_dossiers(actor)
