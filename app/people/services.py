"""Adding, changing, deactivating and reactivating the people of one unit, within the rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts import links, sessions
from app.accounts.services import Profile, apply_profile, clean_profile, profile_changes
from app.audit import name_action, record_account_event
from app.local_time import local_today, utc_now
from app.models.account import LinkPurpose
from app.models.unit import Unit, descendant_ids
from app.models.user import Membership, Role, User
from app.people.rules import Manager
from app.search import fold
from app.service_errors import ServiceError
from app.signals import role_given
from app.vocabulary import ROLE_LABELS


class PeopleError(ServiceError):
    status = 400


class NotYours(PeopleError):
    status = 403


@dataclass
class Person:
    """One person as the people page of a unit shows them."""

    user: User
    memberships: list[Membership]  # on this unit
    invited: bool = False  # an invitation still usable, no password yet

    @property
    def all_memberships(self) -> list[Membership]:
        """Every role the person holds or held, on any unit."""
        return list(self.user.memberships)

    @property
    def active(self) -> bool:
        return self.user.active and any(m.active for m in self.memberships)

    @property
    def roles(self) -> list[Role]:
        return [m.role for m in self.memberships]


@dataclass
class Details:
    """What an admin types about a person: who they are, and their role on the unit."""

    profile: Profile
    role: Role


@dataclass
class Added:
    user: User
    link_secret: str | None  # an invitation to print or mail, when the person has no password yet
    existing: bool  # the email named someone already known: they got a role here


def manager_for(session: Session, user: User, roles_here: set[Role], unit: Unit) -> Manager:
    """`user` managing the people of `unit` with the roles they hold there; their reach is every
    unit below one where they are an admin (one person's roles may span several of them)."""
    reach = set(descendant_ids(session, unit))
    for membership in user.memberships:
        if membership.active and membership.role == Role.TOWN_ADMIN:
            reach |= descendant_ids(session, membership.unit)
    return Manager(user.id, frozenset(roles_here), frozenset(reach))


def people_of(session: Session, unit: Unit, user_id: int | None = None) -> list[Person]:
    """Everyone holding (or having held) a role on `unit` (or only `user_id`), by name; three
    statements whatever the number of people (their accounts and all their roles come with them)."""
    query = (
        select(Membership)
        .where(Membership.unit_id == unit.id)
        .options(joinedload(Membership.user).selectinload(User.memberships))
        .order_by(Membership.id)
    )
    if user_id is not None:
        query = query.where(Membership.user_id == user_id)
    people: dict[int, Person] = {}
    for membership in session.scalars(query).unique():
        people.setdefault(membership.user_id, Person(membership.user, [])).memberships.append(membership)
    invited = links.pending_invitation(session, list(people))
    for person in people.values():
        person.invited = person.user.id in invited and not person.user.has_password
    return sorted(people.values(), key=lambda p: (not p.active, fold(p.user.full_name or p.user.username)))


def find_person(session: Session, unit: Unit, user_id: int) -> Person | None:
    """The person `user_id` if they hold (or held) a role on `unit`; anyone else does not exist here."""
    return next(iter(people_of(session, unit, user_id)), None)


def default_position(role: Role) -> str:
    """A ward official's position is their role's name unless the admin types another."""
    return str(ROLE_LABELS[role]) if role in (Role.CHAIRMAN, Role.OFFICE, Role.CULTURE) else ""


def _require_grant(manager: Manager, unit: Unit, role: Role) -> None:
    if role not in manager.grants(unit):
        raise NotYours(_l("Bạn không có quyền giao vai trò này ở đơn vị này."))


def _username_for(session: Session, profile: Profile, unit: Unit) -> str:
    """The sign-in name: the email, or "nguyen.van.an@phu-son" (numbered if taken)."""
    if profile.email:
        return profile.email
    base = ".".join(fold(profile.full_name).split()) or "can-bo"
    base = re.sub(r"[^a-z0-9.]", "", base)[:60] or "can-bo"
    candidate, number = f"{base}@{unit.slug}", 1
    while session.scalar(select(User.id).where(User.username == candidate)) is not None:
        number += 1
        candidate = f"{base}{number}@{unit.slug}"
    return candidate


def add_person(session: Session, unit: Unit, manager: Manager, actor: User | None, details: Details,
               now: datetime | None = None) -> Added:
    """Give `details.role` on `unit` to a new person (invited to set their own password), or to the
    person already known by that email."""
    _require_grant(manager, unit, details.role)
    email = details.profile.email.strip().lower()
    user = session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    existing = user is not None
    if user is None:
        profile = clean_profile(session, None, details.profile)
        user = User(username=_username_for(session, profile, unit), full_name=profile.full_name,
                    position=profile.position or default_position(details.role), email=profile.email or None,
                    phone=profile.phone)
        session.add(user)
        session.flush()
    elif any(m.unit_id == unit.id for m in user.memberships):
        raise PeopleError(_l("Người có email này đã có tên trong danh sách của đơn vị."))
    membership = Membership(user=user, unit=unit, role=details.role)
    session.add(membership)
    name_action(session, membership, "membership.grant")
    session.flush()
    role_given.send(membership, session=session, today=local_today())
    secret = None
    if not user.has_password:
        secret = links.issue(session, user, LinkPurpose.INVITATION, unit=unit, now=now)
        record_account_event(session, user, "account.invited", [unit.id], actor=actor)
    else:
        session.flush()
    return Added(user, secret, existing)


def change_person(session: Session, unit: Unit, manager: Manager, actor: User, person: Person,
                  details: Details) -> bool:
    """Change the person's role on `unit` and, where the manager manages all of the person's
    roles, their details. Returns whether their sessions were ended (they lost a role)."""
    profile = clean_profile(session, person.user.id, details.profile)
    lost_role = False
    current = next((m for m in person.memberships if m.active), None) or person.memberships[0]
    if details.role != current.role:
        if not manager.manages_membership(current, unit):
            raise NotYours(_l("Bạn không có quyền đổi vai trò của người này."))
        _require_grant(manager, unit, details.role)
        if any(m.role == details.role for m in person.memberships if m is not current):
            raise PeopleError(_l("Người này đã giữ vai trò đó ở đơn vị."))
        current.role = details.role
        name_action(session, current, "membership.role_change")
        role_given.send(current, session=session, today=local_today())
        lost_role = True
    if profile_changes(person.user, profile):
        if not manager.manages_person(person.all_memberships, unit):
            raise NotYours(_l("Người này còn giữ vai trò ở nơi bạn không quản lý: chỉ họ (hoặc cấp trên) đổi được "
                              "họ tên, email, điện thoại của họ."))
        apply_profile(session, person.user, profile, actor=actor, unit_ids=[unit.id])
    if lost_role:
        session.flush()
        sessions.end_all(session, person.user)
    session.flush()
    return lost_role


def _switch_roles(session: Session, unit: Unit, manager: Manager, person: Person, *, active: bool,
                  none_left: str, not_yours: str) -> None:
    """Turn the person's roles on `unit` on or off (each recorded in the audit log)."""
    switched = [m for m in person.memberships if m.active != active]
    if not switched:
        raise PeopleError(none_left)
    if not manager.manages_all(switched, unit):
        raise NotYours(not_yours)
    for membership in switched:
        membership.active = active
        name_action(session, membership, "membership.reactivate" if active else "membership.deactivate")
    session.flush()


def deactivate(session: Session, unit: Unit, manager: Manager, actor: User, person: Person) -> None:
    """Take away the person's roles on `unit` (kept, inactive, for history) and end their sessions;
    an account left with no role anywhere can no longer sign in."""
    _switch_roles(session, unit, manager, person, active=False, none_left=_l("Người này đã bị khóa ở đơn vị."),
                  not_yours=_l("Bạn không có quyền khóa tài khoản của người này."))
    if not any(m.active for m in person.user.memberships):
        person.user.active = False
        links.withdraw(session, person.user, LinkPurpose.INVITATION)
    sessions.end_all(session, person.user)
    session.flush()


def reactivate(session: Session, unit: Unit, manager: Manager, actor: User, person: Person) -> None:
    """Give the person their roles on `unit` back."""
    _switch_roles(session, unit, manager, person, active=True, none_left=_l("Người này đang hoạt động."),
                  not_yours=_l("Bạn không có quyền mở lại tài khoản của người này."))
    person.user.active = True
    session.flush()


def reinvite(session: Session, unit: Unit, manager: Manager, actor: User, person: Person,
             now: datetime | None = None) -> str:
    """A new invitation link for someone who has not set a password yet (the old one stops working)."""
    if person.user.has_password:
        raise PeopleError(_l("Người này đã đặt mật khẩu; họ có thể dùng \"Quên mật khẩu\" nếu cần."))
    if not person.active or not manager.manages_all([m for m in person.memberships if m.active], unit):
        raise NotYours(_l("Bạn không có quyền mời lại người này."))
    secret = links.issue(session, person.user, LinkPurpose.INVITATION, unit=unit, now=now or utc_now())
    record_account_event(session, person.user, "account.invited", [unit.id], actor=actor)
    return secret


def reset_link(session: Session, unit: Unit, manager: Manager, actor: User, person: Person) -> str:
    """A password reset link (1 hour) for someone who forgot theirs and has no email to receive it:
    the admin hands it over and never sees or sets the password. Only for whom the admin answers
    entirely (a link opens the whole account)."""
    if not person.user.has_password:
        raise PeopleError(_l("Người này chưa đặt mật khẩu: hãy gửi lại lời mời."))
    held = [m for m in person.memberships if m.active]
    if not person.active or not manager.manages_all(held, unit) or not manager.manages_person(person.all_memberships, unit):
        raise NotYours(_l("Bạn không có quyền đặt lại mật khẩu của người này."))
    secret = links.issue(session, person.user, LinkPurpose.PASSWORD_RESET)
    record_account_event(session, person.user, "account.reset_link", [unit.id], actor=actor)
    return secret
