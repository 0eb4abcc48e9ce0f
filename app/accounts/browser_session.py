"""The sign-in session of this browser: Flask's signed cookie carries the user and the secret of
their server-side session row; everything else is dropped when the session starts or ends."""

from __future__ import annotations

import time

from flask import current_app, request, session
from flask_login import login_user, logout_user

from app.accounts import services, sessions
from app.extensions import db
from app.models.user import User
from app.security import TWO_FACTOR_SETUP_KEY

PENDING_KEY = "two_factor_pending"  # [user id, when] between the password and the second factor
PENDING_SECONDS = 600  # the code must follow the password within ten minutes


def _fresh() -> None:
    """Drop everything from the cookie (no fixation) except the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_secret() -> str | None:
    return session.get(sessions.SESSION_KEY)


def begin(user: User) -> None:
    """Sign `user` in on this browser with a new server-side session, and commit."""
    _fresh()
    secret = services.signed_in(db.session(), user, user_agent=request.user_agent.string,
                                address=request.remote_addr or "")
    required = services.two_factor_required(user, current_app.config["TWO_FACTOR_REQUIRED_ROLES"], db.session())
    db.session.commit()
    login_user(user)
    session[sessions.SESSION_KEY] = secret
    if required and not user.two_factor_on:
        session[TWO_FACTOR_SETUP_KEY] = True


def finish() -> None:
    """Sign out: the server-side session ends, so a copy of the cookie is refused too."""
    sessions.end(db.session(), current_secret())
    db.session.commit()
    logout_user()
    _fresh()


def await_second_factor(user: User) -> None:
    """The password was right and the account has two-factor sign-in: remember who, not signed in yet."""
    _fresh()
    session[PENDING_KEY] = [user.id, int(time.time())]


def pending_user() -> User | None:
    """The account waiting for its second factor, if the password was typed less than ten minutes ago."""
    pending = session.get(PENDING_KEY)
    if not (isinstance(pending, list) and len(pending) == 2 and all(isinstance(v, int) for v in pending)):
        return None
    user_id, since = pending
    if time.time() - since > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active and user.two_factor_on else None
