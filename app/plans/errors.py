"""Why a plan operation was refused, in words the user reads."""

from __future__ import annotations


class PlanError(Exception):
    """A refused plan operation; `message` is shown to the user, `status` is the HTTP answer."""

    status = 409

    def __init__(self, message: object) -> None:
        super().__init__(message)  # kept lazy: it is translated when shown, inside a request
        self.message = message


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
