"""Single-use links mailed or printed for one person: an invitation (72 hours), a reset (1 hour)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.local_time import utc_now
from app.models.account import AccountLink, LinkPurpose
from app.models.secrets import hash_secret, new_secret
from app.models.unit import Unit
from app.models.user import User

LIFETIME = {
    LinkPurpose.INVITATION: timedelta(hours=72),
    LinkPurpose.PASSWORD_RESET: timedelta(hours=1),
}


def issue(session: Session, user: User, purpose: LinkPurpose, *, unit: Unit | None = None,
          now: datetime | None = None) -> str:
    """A new link's secret (only its hash is kept); earlier unused links of the same kind stop working."""
    now = now or utc_now()
    withdraw(session, user, purpose, now=now)
    secret = new_secret()
    session.add(AccountLink(user=user, purpose=purpose, unit=unit, secret_hash=hash_secret(secret),
                            created_at=now, expires_at=now + LIFETIME[purpose]))
    session.flush()
    return secret


def withdraw(session: Session, user: User, purpose: LinkPurpose, *, now: datetime | None = None) -> None:
    """Unused links of `purpose` for `user` stop working."""
    session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.purpose == purpose, AccountLink.used_at.is_(None))
        .values(used_at=now or utc_now())
    )


def find(session: Session, secret: str, purpose: LinkPurpose, *, now: datetime | None = None) -> AccountLink | None:
    """The usable link `secret` names (not used, not expired, its person active), or None."""
    link = session.scalar(
        select(AccountLink).where(AccountLink.secret_hash == hash_secret(secret), AccountLink.purpose == purpose)
    )
    if link is None or not link.usable(now or utc_now()) or not link.user.active:
        return None
    return link


def pending_invitation(session: Session, user_ids: list[int], now: datetime | None = None) -> set[int]:
    """Which of `user_ids` hold an invitation still usable."""
    now = now or utc_now()
    return set(
        session.scalars(
            select(AccountLink.user_id).where(
                AccountLink.user_id.in_(user_ids),
                AccountLink.purpose == LinkPurpose.INVITATION,
                AccountLink.used_at.is_(None),
                AccountLink.expires_at > now,
            )
        )
    )
