"""The base of every refusal a service explains to the user, and the refusals every feature shares."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CONFLICT_MESSAGE = _l(
    "Nội dung này vừa được người khác sửa trước bạn. Nội dung mới nhất đang hiển thị; "
    "hãy xem lại và nhập lại thay đổi của bạn."
)


class ServiceError(Exception):
    """A refused operation; `message` is shown to the user, `status` is the HTTP answer."""

    status = 409

    def __init__(self, message: str) -> None:
        # Usually a lazy_gettext string, kept lazy: it is translated when shown, inside a request.
        # Flask-Babel ships no types, so its lazy strings pass where `str` is asked for.
        super().__init__(message)
        self.message = message


class EditConflict(ServiceError):
    """Someone else changed the row after this user opened it (a stale version)."""


class InvalidTransition(ServiceError):
    """The row's status does not allow this step (skipping, going back, already closed)."""
