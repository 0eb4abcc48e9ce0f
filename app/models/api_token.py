"""Personal API tokens: a user's key to the read-only JSON API, carrying exactly their own roles.

Only the SHA-256 of the secret is stored; the secret itself is shown once, when it is created.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.secrets import hash_secret, new_secret
from app.models.user import User

TOKEN_PREFIX = "dvcq_"


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """A new token for `user` and its secret (to show once; only its hash is kept)."""
        secret = new_secret(TOKEN_PREFIX)
        return cls(user=user, name=name, token_hash=hash_secret(secret)), secret
