"""What each reader of the audit log may see of an event (DESIGN §3: a role sees only what it must).

The chain stores each event whole, and its hash covers what is stored; redaction here is for
display only, so the chain verifies the same for every reader. Two things are held back:

- the actor of an event whose actor is itself the secret — who filed an objection (异议人) is seen
  by the challenge's organizer and the inspectors (the organizer's objection page and the
  inspector's log), never by an admin or the public; who objected to a record's 公示, by the
  deciding 组织部门 (on the record's page) and the inspectors;
- the scores and total that `sheet.submit` events carried before sealing (an upgraded database):
  events written since carry only a commitment (review.seal), but older ones may still hold the
  numbers of a panel that is scoring. Only those two keys of the old format are masked, so a
  new leak of anything else still shows (and the confidential crawl test still catches it).

Pure: no database, no HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from arena.actor import Role
from arena.canonical import canonical_json

WITHHELD = "■■"

CONFIDENTIAL_ACTOR: dict[str, frozenset[Role]] = {
    "objection.file": frozenset({Role.INSPECTOR}),
    "record.object": frozenset({Role.INSPECTOR}),  # an objection to a record's 公示 (records.notices)
}
"""action → the roles that may see who acted; everyone else reads ■■."""

SEALED_KEYS = ("scores", "total")
"""The keys of the pre-sealing `sheet.submit` summary that held numbers: never shown in the log."""


class StoredEvent(Protocol):
    seq: int
    occurred_at: datetime
    actor_name: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    summary: str
    hash: str


@dataclass(frozen=True)
class ShownEvent:
    """An event as one reader sees it; the same fields the log page shows."""

    seq: int
    occurred_at: datetime
    actor_name: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    summary: str
    hash: str
    redacted: bool = False


def may_see_actor(action: str, roles: Iterable[Role]) -> bool:
    allowed = CONFIDENTIAL_ACTOR.get(action)
    return allowed is None or any(role in allowed for role in roles)


def _sealed_summary(summary: str) -> tuple[str, bool]:
    try:
        body: Any = json.loads(summary)
    except ValueError:
        return summary, False
    if not isinstance(body, dict) or not any(key in body for key in SEALED_KEYS):
        return summary, False
    kept = {k: (WITHHELD if k in SEALED_KEYS else v) for k, v in body.items()}
    return canonical_json(kept), True


def shown(event: StoredEvent, roles: Iterable[Role]) -> ShownEvent:
    """The event as a reader with `roles` may see it."""
    roles = frozenset(roles)
    actor_name, redacted = event.actor_name, False
    if not may_see_actor(event.action, roles):
        actor_name, redacted = WITHHELD, True
    summary = event.summary
    if event.action.startswith("sheet."):
        summary, sealed = _sealed_summary(summary)
        redacted = redacted or sealed
    return ShownEvent(event.seq, event.occurred_at, actor_name, event.actor_role, event.action, event.object_type,
                      event.object_id, summary, event.hash, redacted)
