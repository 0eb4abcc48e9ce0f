"""What an account carries beside the person: sessions, single-use links, recovery codes.

Secrets (session ids, link tokens, recovery codes) are stored only as their SHA-256.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.local_time import utc_now
from app.models.columns import enum_column
from app.models.unit import Unit
from app.models.user import User


class UserSession(Model):
    """One signed-in browser; the cookie holds its secret, and an ended session is refused."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountLink(Model):
    """A single-use link mailed or printed for one person: an invitation or a password reset."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # where the person was invited
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


class RecoveryCode(Model):
    """One of ten single-use codes that sign in when the authenticator is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
