"""The read-only JSON API (DESIGN §7): units, plans with sections and tasks, indicator values
per period and rollups over the wards below a unit. Every view declares its permission; the
guard resolves the unit in the URL, so a token sees exactly what its user sees (else 404)."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.api import bp, services
from app.api.openapi import openapi_document
from app.database import bounded_int
from app.errors import MESSAGES
from app.extensions import csrf, db, login_manager
from app.indicators.services import indicator_values
from app.local_time import local_today
from app.models.unit import tenant_units_below
from app.periods import as_of, parse_period, period_choices
from app.plans.outline import plan_outline
from app.plans.services import find_plan
from app.rollups import figures
from app.rollups.services import ward_plans_page
from app.security import public, requires, signed_in
from app.web.legal import app_legal_book
from app.web.years import year_or_404

csrf.exempt(bp)  # token auth, no cookies to forge requests with


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    """With the API come its token loader and the page where users manage their tokens."""
    from app.api.tokens import bp as tokens_bp

    login_manager.request_loader(services.load_user_from_request)
    state.app.register_blueprint(tokens_bp)

def json_error(status: int, message: str | None = None) -> Response:
    response = jsonify({"error": str(message or MESSAGES.get(status, MESSAGES[500]))})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.errorhandler(HTTPException)
def api_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    described = error.description if status == 401 else None
    return json_error(status, described)


@bp.after_app_request
def api_errors_as_json(response: Response) -> Response:
    """Errors answered before a route of the blueprint was found (unknown path, wrong method) or
    by the app's handlers are JSON too under /api/; so is the sign-in redirect (a 401 here)."""
    if not services.is_api_request() or response.mimetype == "application/json":
        return response
    if response.status_code in (301, 302, 303, 307, 308) and "/login" in response.headers.get("Location", ""):
        return json_error(401, _("Thiếu mã truy cập API (tiêu đề Authorization: Bearer <mã>)."))
    if response.status_code >= 400:
        replacement = json_error(response.status_code)
        if "Allow" in response.headers:
            replacement.headers["Allow"] = response.headers["Allow"]
        return replacement
    return response


def _period(year: int) -> str:
    code = request.args.get("period") or str(year)
    if code not in period_choices(year):
        abort(400)
    return code



@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.get("/units")
@signed_in
def units() -> ResponseReturnValue:
    return jsonify({"units": services.units_of_user(db.session(), current_user)})


@bp.get("/u/<unit_slug>")
@requires("unit.view")
def unit_detail() -> ResponseReturnValue:
    unit = g.unit
    parent = db.session.get(type(unit), unit.parent_id) if unit.parent_id else None
    wards = [w for w in tenant_units_below(db.session(), unit) if w.id != unit.id]
    return jsonify({
        **services.unit_json(unit),
        "parent": services.unit_json(parent) if parent is not None else None,
        "roles": sorted(role.value for role in g.roles),
        "wards": [services.unit_json(w) for w in wards],
    })


@bp.get("/u/<unit_slug>/plans/<int:year>")
@requires("plan.view")
def plan(year: int) -> ResponseReturnValue:
    found = find_plan(db.session(), g.unit, year_or_404(year))
    if found is None:
        abort(404)
    return jsonify({"unit": services.unit_json(g.unit),
                    "plan": services.plan_json(found, plan_outline(db.session(), found))})


@bp.get("/u/<unit_slug>/plans/<int:year>/indicators")
@requires("record.view")
def indicators(year: int) -> ResponseReturnValue:
    found = find_plan(db.session(), g.unit, year_or_404(year))
    if found is None:
        abort(404)
    code = _period(year)
    period = parse_period(code)
    results = indicator_values(db.session(), found, period, as_of(year, local_today()), book=app_legal_book())
    return jsonify({"unit": services.unit_json(g.unit), "year": year, **_period_json(period),
                    "indicators": [r.as_data() for r in results]})


PAGE_SIZE, MAX_PAGE_SIZE = 100, 500  # wards per page of the rollup


@bp.get("/u/<unit_slug>/rollup/<int:year>")
@requires("rollup.view")
def rollup(year: int) -> ResponseReturnValue:
    year_or_404(year)
    code = _period(year)
    period = parse_period(code)
    size = min(MAX_PAGE_SIZE, request.args.get("per_page", PAGE_SIZE, type=bounded_int) or PAGE_SIZE)
    wards = ward_plans_page(db.session(), g.unit, year, request.args.get("page", 1, type=bounded_int) or 1, size)
    rows = wards.items
    values = figures.kept_indicators(db.session(), [row.unit for row in rows], year, period,
                                     today=as_of(year, local_today()), book=app_legal_book())
    response = jsonify({
        "unit": services.unit_json(g.unit), "year": year, **_period_json(period),
        "page": {"number": wards.page, "size": size, "pages": wards.pages, "total": wards.total},
        "wards": [
            {"unit": services.unit_json(row.unit),
             "plan": services.plan_summary(row.plan) if row.plan is not None else None,
             "task_count": row.task_count,
             "indicators": values.get(row.unit.id, [])}
            for row in rows
        ],
    })
    figures.keep_now(db.session())
    return response


def _period_json(period: Any) -> dict[str, Any]:
    return {"period": {"code": period.code, "kind": period.kind, "start": services.iso(period.start),
                       "end": services.iso(period.end)}}
