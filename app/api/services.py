"""API tokens (issue, revoke, authenticate) and the JSON shapes of units, plans and indicators.

A token loads its user through Flask-Login's request loader; from there the one guard of
app.security applies unchanged, so a token carries exactly its user's roles and scope.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Request, abort, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
from app.local_time import utc_now
from app.models import ApiToken, Membership, Plan, Unit, User
from app.models.api_token import TOKEN_PREFIX
from app.models.secrets import hash_secret
from app.plans.outline import SectionNode

API_BLUEPRINT = "api"
LAST_USED_PRECISION = timedelta(minutes=1)  # do not write on every request


# --- tokens -------------------------------------------------------------------------------

def issue_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and the secret, which is never stored nor shown again."""
    token, secret = ApiToken.issue(user, name.strip())
    session.add(token)
    session.flush()
    return token, secret


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(),
                                                                                      ApiToken.id.desc()))
    )


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s own tokens (None: no such token of theirs)."""
    token = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utc_now()
    return token


def user_for_secret(session: Session, secret: str) -> User | None:
    """The active user of a live token, or None (unknown, revoked, or the account is disabled)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utc_now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        try:
            session.commit()
        except OperationalError:  # SQLite busy with another write: the stamp waits for the next call
            session.rollback()
    return token.user


def bearer_secret(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def load_user_from_request(req: Request) -> User | None:
    """Flask-Login's request loader: only API endpoints accept tokens; a missing, unknown or
    revoked token there is a 401 (as JSON, by the blueprint's error handler)."""
    if req.blueprint != API_BLUEPRINT:
        return None
    secret = bearer_secret(req)
    if secret is None:
        abort(401, description=_("Thiếu mã truy cập API (tiêu đề Authorization: Bearer <mã>)."))
    user = user_for_secret(db.session(), secret)
    if user is None:
        abort(401, description=_("Mã truy cập API không hợp lệ hoặc đã bị thu hồi."))
    return user


def is_api_request() -> bool:
    return request.path.startswith("/api/")


# --- JSON shapes ----------------------------------------------------------------------------

def iso(value: date | datetime | None) -> str | None:
    """ISO 8601; moments (stored in UTC without a zone) carry their offset, as RFC 3339 wants."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def unit_json(unit: Unit) -> dict[str, Any]:
    return {"slug": unit.slug, "code": unit.code, "name": unit.name, "kind": unit.kind.value,
            "full_name": unit.full_name, "is_tenant": unit.is_tenant}


def units_of_user(session: Session, user: User) -> list[dict[str, Any]]:
    """The units `user` holds a role on, each with its roles and the units directly below it."""
    memberships = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    roles: dict[int, set[str]] = {}
    units: dict[int, Unit] = {}
    for membership in memberships:
        units[membership.unit_id] = membership.unit
        roles.setdefault(membership.unit_id, set()).add(membership.role.value)
    children: dict[int, list[Unit]] = {}
    if units:
        for child in session.scalars(select(Unit).where(Unit.parent_id.in_(units)).order_by(Unit.name)):
            children.setdefault(child.parent_id or 0, []).append(child)
    return [
        {**unit_json(unit), "roles": sorted(roles[unit.id]),
         "children": [unit_json(c) for c in children.get(unit.id, [])]}
        for unit in sorted(units.values(), key=lambda u: u.name)
    ]


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {"year": plan.year, "status": plan.status.value, "title": plan.title, "number": plan.number,
            "issued_on": iso(plan.issued_on)}


def _node_json(node: SectionNode) -> dict[str, Any]:
    section = node.section
    return {
        "id": section.id, "number": section.number, "title": section.title, "body": section.body,
        "kind": section.kind,
        "tasks": [{"id": t.id, "key": t.key, "text": t.text, "owner_role": t.owner_role.value,
                   "schedule": t.schedule.value} for t in node.tasks],
        "sections": [_node_json(child) for child in node.children],
    }


def plan_json(plan: Plan, outline: list[SectionNode]) -> dict[str, Any]:
    return {
        **plan_summary(plan),
        "heading": plan.heading, "preamble": plan.preamble, "legal_bases": list(plan.legal_bases or []),
        "closing": plan.closing, "recipients": list(plan.recipients or []), "signer_title": plan.signer_title,
        "signer_name": plan.signer_name, "revision": plan.revision, "template_revision": plan.template_revision,
        "created_at": iso(plan.created_at),
        "sections": [_node_json(node) for node in outline],
    }


