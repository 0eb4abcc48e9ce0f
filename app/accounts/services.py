"""What a person does to their own account: sign in, join, change or reset the password, edit
their details, turn two-factor sign-in on or off, end their other sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import links, sessions, two_factor
from app.accounts.passwords import password_problem
from app.audit import record_account_event
from app.local_time import utc_now
from app.models.account import AccountLink, LinkPurpose
from app.models.user import Membership, User
from app.service_errors import ServiceError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ServiceError):
    status = 400


_STAND_IN_HASH: list[str] = []


def _stand_in_hash() -> str:
    """A hash made the same way as real ones, checked when no account matches, so that an unknown
    name takes as long to refuse as a wrong password."""
    if not _STAND_IN_HASH:
        _STAND_IN_HASH.append(generate_password_hash("stand-in password"))
    return _STAND_IN_HASH[0]


def find_account(session: Session, name: str) -> User | None:
    """The account signed in with `name`: its sign-in name or its email, case and spaces ignored."""
    name = name.strip().lower()
    if not name:
        return None
    return session.scalar(select(User).where(or_(User.username == name, func.lower(User.email) == name)).limit(1))


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with these credentials, or None (in about the same time either way)."""
    user = find_account(session, name)
    if user is None or not user.has_password:
        check_password_hash(_stand_in_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def unit_ids_of(user: User) -> list[int]:
    """The units whose audit log records this person's account changes: where they hold a role."""
    return sorted({m.unit_id for m in user.memberships if m.active} or {m.unit_id for m in user.memberships})


def _about(user: User) -> tuple[str, ...]:
    return (user.full_name, user.email or "", user.username, user.phone)


def _require_strong(user: User, password: str, confirm: str) -> None:
    if password != confirm:
        raise AccountError(_l("Hai lần nhập mật khẩu mới không khớp nhau."))
    problem = password_problem(password, about_the_person=_about(user))
    if problem is not None:
        raise AccountError(problem)


def change_password(session: Session, user: User, current: str, new: str, confirm: str) -> None:
    """Set a new password (the current one is required) and end every session of the user; the
    caller starts a fresh one for this browser."""
    if not user.check_password(current):
        raise AccountError(_l("Mật khẩu hiện tại không đúng."))
    _require_strong(user, new, confirm)
    user.set_password(new)
    sessions.end_all(session, user)
    record_account_event(session, user, "account.password_changed", unit_ids_of(user), actor=user)


@dataclass
class Redeemed:
    user: User
    purpose: LinkPurpose


def redeem_link(session: Session, link: AccountLink, new: str, confirm: str) -> Redeemed:
    """Set the password through an invitation or a reset link, which then stops working; every
    other session of the person ends."""
    user = link.user
    _require_strong(user, new, confirm)
    user.set_password(new)
    link.used_at = utc_now()
    links.withdraw(session, user, link.purpose)
    sessions.end_all(session, user)
    action = "account.joined" if link.purpose == LinkPurpose.INVITATION else "account.password_reset"
    record_account_event(session, user, action, unit_ids_of(user), actor=user)
    return Redeemed(user, link.purpose)


def request_reset(session: Session, name: str) -> tuple[User, str] | None:
    """A reset link for the active account with this email or sign-in name and an email address to
    send it to; None otherwise (the page says the same either way)."""
    user = find_account(session, name)
    if user is None or not user.active or not user.email:
        return None
    return user, links.issue(session, user, LinkPurpose.PASSWORD_RESET)


def signed_in(session: Session, user: User, *, user_agent: str, address: str) -> str:
    """Record a sign-in; returns the new session's secret for the cookie."""
    user.last_login_at = utc_now()
    return sessions.start(session, user, user_agent=user_agent, address=address)


@dataclass
class Profile:
    """Who a person is and how to reach them."""

    full_name: str
    position: str
    email: str
    phone: str


def clean_profile(session: Session, user_id: int | None, profile: Profile) -> Profile:
    """`profile` trimmed, the email lower-cased; refused with a message if it cannot be kept."""
    email = profile.email.strip().lower()
    if not profile.full_name.strip():
        raise AccountError(_l("Vui lòng nhập họ và tên."))
    if email and not EMAIL.match(email):
        raise AccountError(_l("Địa chỉ email không hợp lệ."))
    if email:
        owner = session.scalar(select(User.id).where(func.lower(User.email) == email))
        if owner is not None and owner != user_id:
            raise AccountError(_l("Email này đã được dùng cho một tài khoản khác."))
    return Profile(profile.full_name.strip(), profile.position.strip(), email, profile.phone.strip())


def profile_changes(user: User, profile: Profile) -> dict[str, list[str]]:
    """What `profile` changes of `user`'s details, as the audit log records it: field → [before, after]."""
    after = {"full_name": profile.full_name, "job_position": profile.position, "email": profile.email,
             "phone": profile.phone}
    before = {"full_name": user.full_name, "job_position": user.position, "email": user.email or "",
              "phone": user.phone}
    return {key: [before[key], value] for key, value in after.items() if before[key] != value}


def apply_profile(session: Session, user: User, profile: Profile, *, actor: User, unit_ids: list[int]) -> bool:
    """Write a cleaned `profile` onto `user`, recorded in the audit log of `unit_ids`; False if nothing changed."""
    changes = profile_changes(user, profile)
    if not changes:
        return False
    user.full_name, user.position, user.phone = profile.full_name, profile.position, profile.phone
    user.email = profile.email or None
    record_account_event(session, user, "account.profile", unit_ids, actor=actor, changes=changes)
    return True


def update_profile(session: Session, user: User, profile: Profile) -> bool:
    """The person's own name, position, email and phone."""
    return apply_profile(session, user, clean_profile(session, user.id, profile), actor=user, unit_ids=unit_ids_of(user))


def turn_on_two_factor(session: Session, user: User, secret: str, code: str) -> list[str]:
    """Keep the authenticator `secret` once the person typed a code from it; returns the recovery codes."""
    step = two_factor.setup_step(secret, code)
    if step is None:
        raise AccountError(_l("Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."))
    codes = two_factor.turn_on(session, user, secret, step)
    record_account_event(session, user, "account.two_factor_on", unit_ids_of(user), actor=user)
    return codes


def turn_off_two_factor(session: Session, user: User, password: str, required: bool) -> None:
    if required:
        raise AccountError(_l("Vai trò của bạn bắt buộc đăng nhập hai bước; không thể tắt."))
    if not user.check_password(password):
        raise AccountError(_l("Mật khẩu hiện tại không đúng."))
    two_factor.turn_off(session, user)
    record_account_event(session, user, "account.two_factor_off", unit_ids_of(user), actor=user)


def end_other_sessions(session: Session, user: User, keep: str | None) -> int:
    ended = sessions.end_all(session, user, keep=keep)
    record_account_event(session, user, "account.sessions_ended", unit_ids_of(user), actor=user)
    return ended


def second_factor_passes(session: Session, user: User, code: str) -> bool:
    """A code from the authenticator, or one unused recovery code."""
    return two_factor.accept_code(user, code) or two_factor.use_recovery_code(session, user, code)


def two_factor_required(user: User, required_roles: tuple[str, ...], session: Session) -> bool:
    """Does a role the person holds require two-factor sign-in (the TWO_FACTOR_REQUIRED_ROLES setting)?"""
    if not required_roles:
        return False
    return session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.active.is_(True), Membership.role.in_(required_roles)
        ).limit(1)
    ) is not None
