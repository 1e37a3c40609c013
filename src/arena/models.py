"""Import every area's models so that metadata (Alembic, tests) sees all tables."""

from arena.audit.models import AuditEvent
from arena.auth.models import LoginThrottle, User, UserRole, WebSession
from arena.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    Checkpoint,
    Criterion,
    MilestoneTemplate,
    ToleranceCase,
)
from arena.db import metadata
from arena.files.models import StoredFile
from arena.units.models import Cadre, Expert, Field, Unit

__all__ = [
    "Amendment", "AuditEvent", "Cadre", "Challenge", "ChallengeAttachment", "Checkpoint", "Criterion", "Expert",
    "Field", "LoginThrottle", "MilestoneTemplate", "StoredFile", "ToleranceCase", "Unit", "User", "UserRole",
    "WebSession", "metadata",
]
