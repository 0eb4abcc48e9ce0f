"""Roles, the permission table of DESIGN §3, and the one guard every request passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, g, make_response, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, bindparam, select

from app.extensions import db, login_manager
from app.local_time import local_today
from app.models.unit import ANCESTRY, Unit, descendant_ids, template_owner_ids
from app.models.user import Membership, Role
from app.tenancy import Scope, set_scope

PUBLIC = "public"
SIGNED_IN = "signed_in"

ALL_ROLES = frozenset(Role)
WARD_STAFF = frozenset({Role.CHAIRMAN, Role.OFFICE, Role.CULTURE})

# The one table: permission → roles that hold it (a role on a parent unit reaches units below).
PERMISSIONS: dict[str, frozenset[Role]] = {
    "unit.view": ALL_ROLES,
    "plan.view": ALL_ROLES,
    "plan.create": frozenset({Role.CHAIRMAN, Role.OFFICE}),
    "plan.edit": frozenset({Role.CHAIRMAN, Role.OFFICE}),
    "plan.submit": frozenset({Role.OFFICE}),
    "plan.issue": frozenset({Role.CHAIRMAN}),
    "plan.reopen": frozenset({Role.CHAIRMAN}),
    "plan.create_for_wards": frozenset({Role.TOWN_ADMIN}),
    # Plan templates (DESIGN §3, §4): the parent's admin revises and publishes them; the Front reads.
    "template.view": frozenset({Role.TOWN_ADMIN, Role.FRONT}),
    "template.edit": frozenset({Role.TOWN_ADMIN}),
    "rollup.view": ALL_ROLES,
    "audit.view": frozenset({Role.CHAIRMAN, Role.TOWN_ADMIN, Role.FRONT}),
    # What the ward records through the year (DESIGN §3, §5).
    "record.view": ALL_ROLES,
    "progress.record": WARD_STAFF,  # culture: only on tasks owned by culture (checked in the service)
    "register.edit": frozenset({Role.CHAIRMAN, Role.OFFICE}),  # receptions, dialogues, petitions
    "petition.identity": frozenset({Role.CHAIRMAN, Role.OFFICE}),
    "outreach.edit": WARD_STAFF,  # posts, briefings and trainings, "Dân vận khéo" models
    "model.recognise": frozenset({Role.TOWN_ADMIN}),
    # Periodic reports (DESIGN §3): office drafts, culture contributes, the chairman approves and
    # sends it up, the parent acknowledges or returns it; reading them is "record.view".
    "report.draft": frozenset({Role.OFFICE, Role.CHAIRMAN, Role.CULTURE}),
    "report.send": frozenset({Role.CHAIRMAN}),
    "report.review": frozenset({Role.TOWN_ADMIN}),
    # People (DESIGN §3): who may be managed by whom is app.people.rules; the Front manages nobody.
    "people.manage": frozenset({Role.CHAIRMAN, Role.TOWN_ADMIN}),
    # Units below (DESIGN §3): the parent's admin loads the official list, creates, renames and
    # reorganises them; the Front sees the history and changes nothing.
    "unit.history": frozenset({Role.TOWN_ADMIN, Role.FRONT}),
    "unit.manage": frozenset({Role.TOWN_ADMIN}),
    "unit.export": frozenset({Role.TOWN_ADMIN}),
}

# What may still be done on a unit that has ended (merged, dissolved): its records are history, read
# only; and its people are managed, for an admin decides who keeps access to that history.
READ_PERMISSIONS = frozenset({"unit.view", "plan.view", "template.view", "rollup.view", "audit.view", "record.view",
                              "petition.identity", "unit.history"})
ENDED_UNIT_PERMISSIONS = READ_PERMISSIONS | {"people.manage"}

F = TypeVar("F", bound=Callable[..., object])

# Set at sign-in for a person whose role requires two-factor sign-in and who has not set it up:
# until they do, every page but these sends them to the set-up page.
TWO_FACTOR_SETUP_KEY = "two_factor_required"
TWO_FACTOR_SETUP_ENDPOINTS = frozenset({"account.two_factor_setup", "auth.logout", "auth.set_language"})


def requires(permission: str) -> Callable[[F], F]:
    """Declare the permission a view needs; the guard enforces it."""
    if permission not in PERMISSIONS and permission not in (PUBLIC, SIGNED_IN):
        raise ValueError(f"unknown permission {permission!r}")

    def mark(view: F) -> F:
        view.required_permission = permission  # type: ignore[attr-defined]
        return view

    return mark


public = requires(PUBLIC)
signed_in = requires(SIGNED_IN)


# The unit's ancestry and the user's roles on it, in one statement (every request asks).
_ANCESTRY_ROLES = select(ANCESTRY.c.id, Membership.role).select_from(ANCESTRY).outerjoin(
    Membership, and_(Membership.unit_id == ANCESTRY.c.id, Membership.user_id == bindparam("user_id"),
                     Membership.active.is_(True)))


def ancestry_and_roles(user_id: int, unit: Unit) -> tuple[set[int], set[Role]]:
    """(ids of `unit` and the units above it, the roles the user holds on any of them)."""
    rows = db.session.execute(_ANCESTRY_ROLES, {"lineage_start": unit.id, "user_id": user_id}).all()
    return {unit_id for unit_id, _ in rows}, {role for _, role in rows if role is not None}


def holds(roles: set[Role], permission: str) -> bool:
    return bool(roles & PERMISSIONS[permission])


def scope_for(user_id: int, actor: str, unit: Unit, above: set[int], roles: set[Role], *, history: bool = False) -> Scope:
    """The tenancy scope of a request on `unit`: it and everything below it, plus the plan
    templates published by the units `above` it; read only for the Front, and for `history` (the
    records of a unit that has ended)."""
    return Scope(
        unit_ids=frozenset({unit.id} if unit.is_tenant else descendant_ids(db.session(), unit)),  # wards: no units below
        home_unit_id=unit.id,
        template_unit_ids=frozenset(above),
        read_only=roles <= {Role.FRONT} or history,
        user_id=user_id,
        actor=actor,
    )


def guard() -> ResponseReturnValue | None:
    """Refuse the request unless its view's declared permission is held on the URL's unit."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    permission = getattr(view, "required_permission", None)
    if permission is None:
        abort(403)  # fail closed: an undeclared view serves nobody
    if permission == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if session.get(TWO_FACTOR_SETUP_KEY) and request.endpoint not in TWO_FACTOR_SETUP_ENDPOINTS:
        return redirect(url_for("account.two_factor_setup"))  # required for this person's role: set it up first
    if permission == SIGNED_IN:
        return None
    unit: Unit | None = g.get("unit")
    if unit is None:
        abort(403)
    above, roles = ancestry_and_roles(current_user.id, unit)
    if not roles:
        abort(404)  # another unit's data does not exist for this user
    if unit.started_on is not None:  # made by a merge or a split: it may follow its predecessors' template
        above |= template_owner_ids(db.session(), unit)
    if not holds(roles, permission):
        abort(403)
    ended = unit.ended_by(local_today())
    if ended:
        g.unit_ended = True
        if permission not in ENDED_UNIT_PERMISSIONS:
            from app.errors import render_error

            abort(make_response(render_error(403, _l("Đơn vị đã sáp nhập hoặc giải thể: hồ sơ chỉ để xem, không sửa được."))))
    g.roles = roles
    set_scope(db.session(), scope_for(current_user.id, current_user.label, unit, above, roles,
                                      history=ended and permission in READ_PERMISSIONS))
    return None


def supervising() -> bool:
    """For templates: is the current user here only as the Front (a read-only supervision view)?"""
    roles = g.get("roles")
    return bool(roles) and roles <= {Role.FRONT}


def can(permission: str) -> bool:
    """For templates: does the current user hold `permission` on the current unit?"""
    roles = g.get("roles")
    return bool(roles) and holds(roles, permission) and (permission in ENDED_UNIT_PERMISSIONS or not g.get("unit_ended"))
