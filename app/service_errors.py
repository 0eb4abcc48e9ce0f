"""The base of every refusal a service explains to the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused operation; `message` is shown to the user, `status` is the HTTP answer."""

    status = 409

    def __init__(self, message: object) -> None:
        super().__init__(message)  # kept lazy: it is translated when shown, inside a request
        self.message = message
