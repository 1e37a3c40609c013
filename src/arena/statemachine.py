"""One transition table per stateful thing, and the one place that moves it (STYLE: state and
rules). Every table with a `status` that changes after creation has its `Machine`: challenges,
questions, bids and their team members, panels, draw commitments, seats, score sheets,
publicity, objections, projects, milestones, reports, checkpoints, plan changes, tolerance
requests and records. tests/test_state_changes.py fails when a module other than this one
writes a `status`.

`Machine.move` checks the table, sets the object's `status` and writes the audit event — its
summary always holds `from` and `to` — all in the caller's transaction; a refused action raises a
DomainError naming the states it needs, in one wording for every machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

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


class Moved(Protocol):
    """What `record` reads of a thing already moved: a row, or a plain copy of one (a score
    sheet saved with Core statements, review.sheets.Draft)."""

    @property
    def id(self) -> Any: ...

    @property
    def status(self) -> Any: ...


class Machine:
    """`name` is the thing's name in messages (msgid) and `prefix` its audit actions' prefix.

    `object_type`: the audit events' object type, under which the states are named for the log
    (default: `prefix`); `audit_id`: the audited object's id, when the event belongs to another
    object (a team member's answer is part of its bid's history; default: the object's own id).
    `audited=False`: a part whose moves its owner's event records (a draw commitment within its
    panel's event): its actions are not offered in the log and it has no `move`."""

    def __init__(self, prefix: str, name: str, labels: Mapping[Any, str], transitions: Mapping[str, Transition],
                 *, other_actions: Mapping[str, str] | None = None, object_type: str | None = None,
                 audit_id: Callable[[Any], Any] | None = None, audited: bool = True):
        """`other_actions`: audited actions that are not transitions (creating the thing), by name."""
        self.prefix, self.name = prefix, name
        self.object_type = object_type or prefix
        self.audit_id = audit_id or (lambda obj: obj.id)
        self.audited = audited
        self.labels: dict[str, str] = dict(labels)  # state (a StrEnum member) → msgid, in reading order
        self.transitions = dict(transitions)
        for action, t in self.transitions.items():
            unknown = (t.sources | {t.target}) - set(self.labels)
            assert not unknown, f"{prefix}.{action}: states without a label: {unknown}"
        register_states(self.object_type, self.labels)
        if audited:
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
        assert self.audited, f"{self.prefix}: its owner's event records its moves (move_quietly)"
        before = obj.status
        self.move_quietly(obj, action)
        await db.flush()
        await self.record(db, clock, actor, role, obj, action, before, summary)

    def move_quietly(self, obj: Stateful, action: str) -> None:
        """Check and change the state without an event of its own: only for a move that is part of
        an operation whose one audit event records it (a replaced expert's sheets voided within
        `seat.replace`, a commitment drawn within `panel.draw`), so the log reads as the operation
        the person performed, not as its parts."""
        obj.status = self.check(action, obj.status)

    async def record(self, db: AsyncSession, clock: Clock, actor: Actor, role: str, obj: Moved, action: str,
                     before: str, summary: Mapping[str, Any] | None = None) -> None:
        """The audit event of a move already made (by `move`, or by an UPDATE built with `moving`)."""
        await audit.record(db, clock, actor, role, f"{self.prefix}.{action}", self.object_type, self.audit_id(obj),
                           {"from": before, "to": obj.status, **(summary or {})})

    def moving(self, stmt: Update, column: InstrumentedAttribute[Any], action: str) -> Update:
        """`stmt` (an UPDATE of one row) that also makes the move: it matches only a row in one of
        the action's source states and sets the target — the compare-and-set an optimistic save
        needs (two racing submits: one updates the row, the other finds nothing to update)."""
        transition = self.transitions[action]
        return stmt.where(column.in_(sorted(transition.sources))).values({column.key: transition.target})
