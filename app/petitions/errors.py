"""Why a petition operation was refused, in words the user reads."""

from __future__ import annotations

from app.service_errors import ServiceError


class PetitionError(ServiceError):
    """A refused petition operation."""


class ExtensionRefused(PetitionError):
    """Not a denunciation, closed, or the rule's extensions are used up."""


class InvalidInput(PetitionError):
    """A date or value that contradicts what the petition already records."""

    status = 400
