"""Who is acting: the logged-in user with their roles, or the system (CLI, worker).

Core (it imports no area): the web layer, the audit chain and every area read it. The roles
and the session cookie's name live here for that reason; arena.auth.models and
arena.auth.sessions re-export them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from arena.i18n import lazy


class Role(enum.StrEnum):
    """GLOSSARY: people and roles. One person may hold several."""

    ADMIN = "admin"
    ORGANIZER = "organizer"
    INSPECTOR = "inspector"
    ORG_DEPT = "org_dept"  # 组织部门: decides records about cadres in its units (arena.units.orgdept)
    EXPERT = "expert"
    CADRE = "cadre"


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: lazy("系统管理员"),
    Role.ORGANIZER: lazy("发榜单位"),
    Role.INSPECTOR: lazy("纪检监察"),
    Role.ORG_DEPT: lazy("组织部门"),
    Role.EXPERT: lazy("评审专家"),
    Role.CADRE: lazy("干部"),
    "user": lazy("本人"),  # an audit event a person causes for themselves (login, own password)
}

SESSION_COOKIE = "arena_session"
"""The cookie carrying the login session's token: set by arena.auth.routes, read on every
request by arena.web.context."""


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
