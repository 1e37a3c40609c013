"""One transition table per stateful thing, and the one function that moves it (STYLE: state
and rules). Used by publicity, objections, projects, milestones, reports, checkpoints, plan
changes and fault-tolerance requests.

`Machine.move` checks the table, sets the object's `status` and writes the audit event, all in
the caller's transaction; a refused action raises a DomainError naming the states it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions, register_states
from arena.clock import Clock
from arena.errors import DomainError
from arena.i18n import gettext as _


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    label: str  # msgid: the action's name in messages and the audit log


class Stateful(Protocol):
    @property
    def id(self) -> Any: ...

    status: Any


class Machine:
    """`name` is the thing's name in messages (msgid) and `prefix` its audit actions' prefix."""

    def __init__(self, prefix: str, name: str, labels: Mapping[str, str], transitions: Mapping[str, Transition],
                 *, other_actions: Mapping[str, str] | None = None):
        """`other_actions`: audited actions that are not transitions (creating the thing), by name."""
        self.prefix, self.name = prefix, name
        self.labels = dict(labels)
        self.transitions = dict(transitions)
        for action, t in self.transitions.items():
            unknown = (t.sources | {t.target}) - set(self.labels)
            assert not unknown, f"{prefix}.{action}: states without a label: {unknown}"
        register_states(prefix, self.labels)
        register_actions({f"{prefix}.{action}": t.label for action, t in self.transitions.items()}
                         | {f"{prefix}.{action}": label for action, label in (other_actions or {}).items()})

    def label(self, state: str) -> str:
        return _(self.labels[state])

    def check(self, action: str, current: str) -> str:
        """The state `action` leads to from `current`, or a DomainError saying what it needs."""
        transition = self.transitions[action]
        if current not in transition.sources:
            order = list(self.labels)
            allowed = "、".join(self.label(s) for s in sorted(transition.sources, key=order.index))
            raise DomainError(_("只有“{allowed}”的{thing}才能{action}（当前：{current}）").format(
                allowed=allowed, thing=_(self.name), action=_(transition.label), current=self.label(current)))
        return transition.target

    def allows(self, action: str, current: str) -> bool:
        return current in self.transitions[action].sources

    async def move(self, db: AsyncSession, clock: Clock, actor: Actor, role: str, obj: Stateful, action: str,
                   summary: Mapping[str, Any] | None = None) -> None:
        """Check, change the state and audit it; the caller has checked the policy."""
        target = self.check(action, obj.status)
        before = obj.status
        obj.status = target
        await db.flush()
        await audit.record(db, clock, actor, role, f"{self.prefix}.{action}", self.prefix, obj.id,
                           {"from": before, "to": target, **(summary or {})})
