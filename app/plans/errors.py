"""Why a plan operation was refused, in words the user reads."""

from __future__ import annotations

from app.service_errors import ServiceError


class PlanError(ServiceError):
    """A refused plan operation."""


class EditConflict(PlanError):
    """Someone else changed the item after this user opened it."""


class PlanLocked(PlanError):
    """The plan is not a draft, so its contents cannot change."""


class InvalidTransition(PlanError):
    """The plan's status does not allow this step."""


class PlanExists(PlanError):
    """The unit already has a plan for that year."""


class TemplateMissing(PlanError):
    status = 404
