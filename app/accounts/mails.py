"""The mails accounts send, in the person's language, queued in the outbox with the action."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.mail.outbox import queue_mail
from app.models.unit import Unit
from app.models.user import Role, User


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail or a printed page: under PUBLIC_URL when set, else this request's host."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _queue(session: Session, user: User, template: str, subject: LazyString, **context: object) -> None:
    """Render mail/<template>.txt and .html for `user` and queue them (nothing when there is no email)."""
    if not user.email:
        return
    with force_locale(user.locale or "vi"):
        queue_mail(
            session,
            to=user.email,
            subject=str(subject),  # lazy: spoken in the person's language, inside force_locale
            text=render_template(f"mail/{template}.txt", person=user, **context),
            html=render_template(f"mail/{template}.html", person=user, **context),
        )


def invitation(session: Session, user: User, *, url: str, unit: Unit, role: Role, inviter: User) -> None:
    _queue(session, user, "invitation", _l("Lời mời tham gia Dân vận chính quyền"),
           url=url, unit=unit, role=role, inviter=inviter, hours=72)


def role_given(session: Session, user: User, *, unit: Unit, role: Role, inviter: User, url: str) -> None:
    _queue(session, user, "role_given", _l("Bạn được giao vai trò mới"), unit=unit, role=role, inviter=inviter, url=url)


def password_reset(session: Session, user: User, *, url: str) -> None:
    _queue(session, user, "password_reset", _l("Đặt lại mật khẩu Dân vận chính quyền"), url=url, minutes=60)


def welcome(session: Session, user: User, *, unit: Unit, role: Role, inviter: User, secret: str | None) -> str:
    """Tell someone given `role` on `unit`: an invitation with its link (`secret`), or, for someone who
    already has a password, the news and the sign-in address. Returns the link it carries."""
    if secret is None:
        url = external_url("auth.login")
        role_given(session, user, unit=unit, role=role, inviter=inviter, url=url)
    else:
        url = external_url("auth.join", token=secret)
        invitation(session, user, url=url, unit=unit, role=role, inviter=inviter)
    return url
