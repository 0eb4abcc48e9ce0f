"""Why a plan operation was refused, in words the user reads."""

from __future__ import annotations

from app.service_errors import ServiceError


class PlanError(ServiceError):
    """A refused plan operation."""


class PlanLocked(PlanError):
    """The plan is not a draft, so its contents cannot change."""


class PlanExists(PlanError):
    """The unit already has a plan for that year."""


class TemplateMissing(PlanError):
    status = 404
