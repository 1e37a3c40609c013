"""Import every area's models so that metadata (Alembic, tests) sees all tables."""

from arena.audit.models import AuditEvent
from arena.auth.models import LoginThrottle, User, UserRole, WebSession
from arena.db import metadata
from arena.units.models import Cadre, Expert, Field, Unit

__all__ = ["AuditEvent", "Cadre", "Expert", "Field", "LoginThrottle", "Unit", "User", "UserRole", "WebSession",
           "metadata"]
