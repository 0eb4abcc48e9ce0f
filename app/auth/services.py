"""Where a user lands after signing in, and which `next` targets are safe."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Membership, Unit, User


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_units(session: Session, user: User) -> list[Unit]:
    """The units the user holds an active role on, top level first."""
    memberships = session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.active.is_(True))
    )
    units = {m.unit.id: m.unit for m in memberships}
    kind_order = {"province": 0, "town": 1, "ward": 2, "commune": 2}
    return sorted(units.values(), key=lambda u: (kind_order[u.kind.value], u.name))
