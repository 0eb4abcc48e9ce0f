"""Where a user lands after signing in, and which `next` targets are safe."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.local_time import local_today
from app.models import Membership, Unit, UnitKind, User


def safe_next(target: str | None) -> str | None:
    """`target` if it is a clean path on this site, else None (no open redirects, no header injection)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or not target.isprintable():  # no NUL, CR or LF (a header must not break)
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_units(session: Session, user: User) -> list[Unit]:
    """The units the user holds an active role on: those that still exist first, top level first."""
    memberships = session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.active.is_(True))
    )
    units = {m.unit.id: m.unit for m in memberships}
    level, today = {UnitKind.PROVINCE: 0, UnitKind.CITY: 0, UnitKind.TOWN: 1}, local_today()
    return sorted(units.values(), key=lambda u: (u.ended_by(today), level.get(u.kind, 2), u.name))
