"""Server-side sign-in sessions: the cookie names one row, and a session that ended is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm import Session

from app.local_time import utc_now
from app.models.account import UserSession
from app.models.secrets import hash_secret, new_secret
from app.models.user import User

SESSION_KEY = "sid"  # the key of the session secret in Flask's signed cookie
SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often


def start(session: Session, user: User, *, user_agent: str = "", address: str = "") -> str:
    """A new session for `user`; returns the secret the cookie carries (only its hash is kept)."""
    secret = new_secret()
    session.add(UserSession(user=user, secret_hash=hash_secret(secret), user_agent=user_agent[:200], address=address[:64]))
    session.flush()
    return secret


@dataclass(frozen=True)
class LiveSession:
    """What a request needs of its session: which one, and when it was last noted."""

    id: int
    last_seen_at: datetime


_LIVE = (select(User, UserSession.id, UserSession.last_seen_at)  # built once: every request asks
         .join(UserSession, UserSession.user_id == User.id)
         .where(UserSession.secret_hash == bindparam("secret_hash"), UserSession.ended_at.is_(None),
                User.id == bindparam("user_id")))


def live(session: Session, user_id: int, secret: str | None) -> tuple[User, LiveSession] | None:
    """The active user and their session if `secret` names a session of `user_id` that has not ended."""
    if not secret:
        return None
    row = session.execute(_LIVE, {"secret_hash": hash_secret(secret), "user_id": user_id}).first()
    if row is None or not row[0].active:
        return None
    return row[0], LiveSession(row[1], row[2])


def due_a_touch(user_session: UserSession | LiveSession, now: datetime) -> bool:
    return now - user_session.last_seen_at >= SEEN_EVERY


def touch(session: Session, session_id: int, now: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def end(session: Session, secret: str | None) -> None:
    """End the session `secret` names (signing out)."""
    if secret:
        session.execute(
            update(UserSession)
            .where(UserSession.secret_hash == hash_secret(secret), UserSession.ended_at.is_(None))
            .values(ended_at=utc_now())
        )


def end_all(session: Session, user: User, *, keep: str | None = None) -> int:
    """End every session of `user` (but the one `keep` names); returns how many ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.secret_hash != hash_secret(keep))
    # An UPDATE's result is a CursorResult, which SQLAlchemy types only as Result.
    result = cast("CursorResult[Any]", session.execute(query.values(ended_at=utc_now())))
    return result.rowcount or 0


def open_sessions(session: Session, user: User) -> list[UserSession]:
    """The user's sessions that have not ended, most recently seen first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def is_current(user_session: UserSession, secret: str | None) -> bool:
    return bool(secret) and user_session.secret_hash == hash_secret(secret or "")


BROWSERS = (("Edg/", "Edge"), ("CocCoc", "Cốc Cốc"), ("Zalo", "Zalo"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("Linux", "Linux"))


def describe_device(user_agent: str) -> str:
    """"Chrome · Android" from a User-Agent header; the raw start of it when nothing is recognised."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    found = " · ".join(part for part in (browser, system) if part)
    return found or re.sub(r"\s+", " ", user_agent)[:60]
