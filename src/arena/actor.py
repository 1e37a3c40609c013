"""Who is acting: the logged-in user with their roles, or the system (CLI, worker)."""

from __future__ import annotations

from dataclasses import dataclass, field

from arena.auth.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_system(self) -> bool:
        return self.user_id is None


SYSTEM = Actor(user_id=None, username="system", display_name="系统")
"""The actor for commands run by an operator and for scheduled jobs."""
