"""Two-factor sign-in: a TOTP authenticator app (RFC 6238) and ten single-use recovery codes."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.local_time import utc_now
from app.models.account import RecoveryCode
from app.models.secrets import hash_secret
from app.models.user import User

ISSUER = "Dân vận chính quyền"
RECOVERY_CODES = 10
STEP = 30  # seconds of one TOTP code


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The set-up QR code as an SVG data URI, drawn on the server (no script, no outside service)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str, at: float) -> int | None:
    """The time step `code` belongs to (now, or one step either side for clock drift), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(at // STEP)
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def setup_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step of `code` if it comes from the authenticator holding `secret` (while setting it up)."""
    return _matching_step(secret, code, time.time() if at is None else at)


def accept_code(user: User, code: str, at: float | None = None) -> bool:
    """Check a sign-in code; each code is accepted once (a replayed code is refused)."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, time.time() if at is None else at)
    if step is None or step <= user.totp_last_step:
        return False
    user.totp_last_step = step
    return True


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def turn_on(session: Session, user: User, secret: str, used_step: int) -> list[str]:
    """Keep `secret` for `user` (the code typed to confirm it, of `used_step`, counts as used) and
    return ten new recovery codes (shown once, kept hashed)."""
    user.totp_secret = secret
    user.totp_last_step = used_step
    return new_recovery_codes(session, user)


def turn_off(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = 0
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones: "xxxxx-xxxxx", lower-case letters and digits."""
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_secret(_normal(raw))))
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Sign in with a recovery code: it works once."""
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_secret(_normal(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utc_now()
    return True


def recovery_codes_left(session: Session, user: User) -> int:
    return len(list(session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )))
