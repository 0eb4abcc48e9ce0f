"""The domain models, one module per aggregate."""

from app.models.account import AccountLink, LinkPurpose, RecoveryCode, UserSession
from app.models.api_token import ApiToken
from app.models.audit import AuditEntry
from app.models.indicator import IndicatorDefinition, IndicatorSource, IndicatorValue
from app.models.notification import (
    CalendarFeed,
    Delivery,
    Notification,
    NotificationDigest,
    NotificationKind,
    NotificationSetting,
)
from app.models.outbox import OutboxMessage
from app.models.petition import (
    Petition,
    PetitionExtension,
    PetitionKind,
    PetitionStatus,
)
from app.models.plan import Plan, PlanSection, PlanStatus, Schedule, Task
from app.models.progress import Evidence, ProgressStatus, TaskUpdate
from app.models.proposal import PlanProposal, ProposalStatus
from app.models.records import (
    Dialogue,
    Meeting,
    MeetingKind,
    ModelField,
    ModelStatus,
    Post,
    PostChannel,
    Reception,
    SkilfulModel,
)
from app.models.report import Report, ReportKind, ReportStatus
from app.models.rollup_figures import RollupFigures
from app.models.unit import Unit, UnitKind, UnitPastParent
from app.models.unit_change import UnitChange, UnitChangeKind
from app.models.user import Membership, Role, User

__all__ = [
    "AccountLink",
    "LinkPurpose",
    "OutboxMessage",
    "RecoveryCode",
    "UserSession",
    "ApiToken",
    "AuditEntry",
    "Dialogue",
    "Evidence",
    "IndicatorDefinition",
    "IndicatorSource",
    "IndicatorValue",
    "Meeting",
    "CalendarFeed",
    "Delivery",
    "Notification",
    "NotificationDigest",
    "NotificationKind",
    "NotificationSetting",
    "MeetingKind",
    "SkilfulModel",
    "ModelField",
    "ModelStatus",
    "Petition",
    "PetitionExtension",
    "PetitionKind",
    "PetitionStatus",
    "PlanProposal",
    "ProposalStatus",
    "Post",
    "PostChannel",
    "ProgressStatus",
    "Reception",
    "Report",
    "RollupFigures",
    "ReportKind",
    "ReportStatus",
    "TaskUpdate",
    "Membership",
    "Plan",
    "PlanSection",
    "PlanStatus",
    "Role",
    "Schedule",
    "Task",
    "Unit",
    "UnitChange",
    "UnitChangeKind",
    "UnitPastParent",
    "UnitKind",
    "User",
]
