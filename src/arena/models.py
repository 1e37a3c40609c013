"""Import every area's models so that metadata (Alembic, tests) sees all tables."""

from arena.api.models import ApiClient
from arena.audit.models import AuditCheckpoint, AuditEvent
from arena.auth.models import LoginThrottle, User, UserRole, WebSession
from arena.bids.models import Bid, BidAttachment, BidMember, BidMilestone, BidVersion, Vetting
from arena.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    Checkpoint,
    Criterion,
    MilestoneTemplate,
    ToleranceCase,
)
from arena.data_versions import DataVersion
from arena.db import metadata
from arena.execution.models import (
    Assessment,
    ChallengeAssessor,
    Milestone,
    PlanChange,
    ProgressReport,
    Project,
    ReportEvidence,
    ToleranceEvidence,
    ToleranceRequest,
)
from arena.files.models import StoredFile
from arena.notify.models import Notification, SentReminder
from arena.publicity.models import Objection, ObjectionEvidence, Publicity
from arena.records.models import Certificate, Record, RecordRule
from arena.review.models import ExpertConflict, Panel, PanelSeat, ReviewResult, Score, ScoreSheet
from arena.units.models import Cadre, Expert, Field, Unit
from arena.workdays.models import WorkdayException, WorkdayYear

__all__ = [
    "Amendment",
    "ApiClient",
    "Assessment",
    "AuditCheckpoint",
    "AuditEvent",
    "Bid",
    "BidAttachment",
    "BidMember",
    "BidMilestone",
    "BidVersion",
    "Cadre",
    "Certificate",
    "Challenge",
    "ChallengeAssessor",
    "ChallengeAttachment",
    "Checkpoint",
    "Criterion",
    "DataVersion",
    "Expert",
    "ExpertConflict",
    "Field",
    "LoginThrottle",
    "Milestone",
    "MilestoneTemplate",
    "Notification",
    "Objection",
    "ObjectionEvidence",
    "Panel",
    "PanelSeat",
    "PlanChange",
    "ProgressReport",
    "Project",
    "Publicity",
    "Record",
    "RecordRule",
    "ReportEvidence",
    "ReviewResult",
    "Score",
    "ScoreSheet",
    "SentReminder",
    "StoredFile",
    "ToleranceCase",
    "ToleranceEvidence",
    "ToleranceRequest",
    "Unit",
    "User",
    "UserRole",
    "Vetting",
    "WebSession",
    "WorkdayException",
    "WorkdayYear",
    "metadata",
]
