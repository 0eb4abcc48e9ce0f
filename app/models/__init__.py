"""The domain models, one module per aggregate."""

from app.models.audit import AuditEntry
from app.models.plan import Plan, PlanSection, PlanStatus, Schedule, Task
from app.models.unit import Unit, UnitKind
from app.models.user import Membership, Role, User

__all__ = [
    "AuditEntry",
    "Membership",
    "Plan",
    "PlanSection",
    "PlanStatus",
    "Role",
    "Schedule",
    "Task",
    "Unit",
    "UnitKind",
    "User",
]
