"""Why a petition operation was refused, in words the user reads."""

from __future__ import annotations


class PetitionError(Exception):
    """A refused petition operation; `message` is shown to the user, `status` is the HTTP answer."""

    status = 409

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


class EditConflict(PetitionError):
    """Someone else changed the petition after this user opened it."""


class InvalidTransition(PetitionError):
    """The petition's status does not allow this step (skipping, going back, already closed)."""


class ExtensionRefused(PetitionError):
    """Not a denunciation, closed, or the rule's extensions are used up."""


class InvalidInput(PetitionError):
    """A date or value that contradicts what the petition already records."""

    status = 400
