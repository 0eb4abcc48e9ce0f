"""A page kept for this very person, session, roles and version of the unit's data, served before the
guard, before any other hook, on one statement run on the driver's cursor (app/web/page_cache keeps the
pages; the guard's full way renders them)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy import CTE, Select, and_, bindparam, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class, set_committed_value

from app.accounts.sessions import SESSION_KEY, LiveSession, due_a_touch
from app.extensions import db, statement_bind
from app.local_time import utc_now
from app.models import Membership, Unit, User, UserSession
from app.models.secrets import hash_secret
from app.models.unit import ANCESTRY, ANCESTRY_OF_SLUG, UNIT_BY_SLUG
from app.raw_statement import RawSelect
from app.security import TWO_FACTOR_SETUP_KEY
from app.web.page_cache import Shown, conditional, etag_for, not_modified, pages, roles_key


def _viewer(ancestry: CTE, *unit: Any) -> Select[Any]:
    """A live session of the person the cookie names, with their roles on the unit and those above it:
    what the guard checks (users, sessions, memberships and units have no row policies)."""
    return (
        select(*unit, User.full_name, User.username, UserSession.last_seen_at, Membership.role)
        .select_from(User)
        .join(UserSession, UserSession.user_id == User.id)
        .join(Membership, and_(Membership.user_id == User.id, Membership.active.is_(True)))
        .join(ancestry, ancestry.c.id == Membership.unit_id)
        .where(UserSession.secret_hash == bindparam("secret_hash"), UserSession.ended_at.is_(None),
               User.id == bindparam("user_id"), User.active.is_(True))
    )


_VIEWER = _viewer(ANCESTRY)
# With the URL's unit itself: a request a kept page may answer finds its unit and its viewer at once,
# on the driver's cursor (a kept page is a few hundred microseconds; SQLAlchemy's ORM would double it).
_UNIT_COLUMNS = tuple(Unit.__table__.columns)
_UNIT_AND_VIEWER = RawSelect(
    _viewer(ANCESTRY_OF_SLUG, *_UNIT_COLUMNS).join(Unit, Unit.slug == bindparam("unit_slug")))
_UNITS = manager_of_class(Unit)
VIEWER_KEY = "kept_page_viewer"  # g: the rows found with the unit, for serve_kept_page


class UnitRow:
    """The unit of a kept page's statement, as much of it as deciding on a kept page reads (what its page
    shows: app/web/page_cache.ShownUnit); the request that goes the full way gets the mapped unit."""

    __slots__ = ("row", "id", "slug", "name", "kind", "data_version")
    is_tenant = Unit.is_tenant  # the model's own rule (a plain property, read on this row as on a Unit)

    def __init__(self, row: Any) -> None:
        self.row = row
        self.id, self.slug, self.name, self.kind, self.data_version = row.id, row.slug, row.name, row.kind, row.data_version

    def mapped(self) -> Unit:
        """The unit as a query would have loaded it, in the request's session (no statement)."""
        unit: Unit = _UNITS.new_instance()
        for column in _UNIT_COLUMNS:
            set_committed_value(unit, column.key, getattr(self.row, column.key))
        make_transient_to_detached(unit)
        return db.session.merge(unit, load=False)


def _may_be_kept(endpoint: str | None) -> tuple[int, str] | None:
    """(user id, session secret) if this request could be answered with a kept page, else None."""
    view = current_app.view_functions.get(endpoint or "")
    if getattr(view, "page_shown", None) is None or request.method not in ("GET", "HEAD"):
        return None
    user_id, secret = str(session.get("_user_id") or ""), session.get(SESSION_KEY)
    if not user_id.isdigit() or not secret or not session.get("csrf_token") \
            or session.get("_flashes") or session.get(TWO_FACTOR_SETUP_KEY):
        return None
    return int(user_id), secret


def unit_of_url(endpoint: str | None, slug: str) -> Unit | UnitRow | None:
    """The unit a URL names (None: no such unit). For a request a kept page may answer, the same
    statement reads its viewer too (kept in `g` for serve_kept_page) and the unit is a UnitRow until
    serve_kept_page finds no kept page."""
    viewer = _may_be_kept(endpoint)
    if viewer is not None:
        rows = _UNIT_AND_VIEWER.rows(statement_bind(), {"unit_slug": slug, "user_id": viewer[0],
                                                        "secret_hash": hash_secret(viewer[1])})
        if rows:
            g.setdefault(VIEWER_KEY, (viewer, rows))
            return UnitRow(rows[0])
    return db.session.scalar(UNIT_BY_SLUG, {"unit_slug": slug})


def serve_kept_page() -> ResponseReturnValue | None:
    """The kept page (see _kept_page), else the request goes the full way with its mapped unit."""
    kept = _kept_page()
    if kept is None and isinstance(unit := g.get("unit"), UnitRow):
        g.unit = unit.mapped()
    return kept


def _kept_page() -> ResponseReturnValue | None:
    """Before the guard: a page the full path kept for this very person, session, roles and version
    of the unit's data is served on one statement (the session still live, the roles the same). Any
    doubt, and the request goes the full way: no session or one that ended, a message waiting, two-step
    set-up pending, last-seen due, or nothing kept."""
    view = current_app.view_functions.get(request.endpoint or "")
    shown: Shown | None = getattr(view, "page_shown", None)
    unit = g.get("unit")
    if shown is None or unit is None:
        return None
    if VIEWER_KEY in g:
        viewer, rows = g.get(VIEWER_KEY)
    else:
        viewer = _may_be_kept(request.endpoint)
        if viewer is None:
            return None
        rows = db.session.connection().execute(_VIEWER, {
            "secret_hash": hash_secret(viewer[1]), "user_id": viewer[0], "lineage_start": unit.id}).all()
    if not rows or due_a_touch(LiveSession(0, rows[0].last_seen_at), utc_now()):
        return None
    parts = shown(unit, roles_key(r.role for r in rows), dict(request.view_args or {}))
    if parts is None:
        return None
    person = (str(viewer[0]), rows[0].full_name or rows[0].username)  # as User.display_name
    etag = etag_for(person, parts)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    body = pages.get(etag)
    return None if body is None else conditional(make_response(body), etag)
