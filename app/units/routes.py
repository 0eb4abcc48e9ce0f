"""A unit's home: a ward sees its plans; a town sees every ward below it side by side."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta
from typing import Any

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from app.database import bounded_int
from app.extensions import db
from app.local_time import local_today
from app.models import Unit
from app.plans.forms import CreatePlansForm
from app.plans.services import plan_years
from app.rollups.services import plans_standing, ward_plans
from app.security import requires
from app.units import bp
from app.units.services import ward_dashboard
from app.web.language import page_language
from app.web.legal import app_legal_book
from app.web.page_cache import ShownUnit, keeps_page, kept_fragment, kept_page, placeholder_csrf, roles_key
from app.web.records_links import records_url
from app.web.unit_pages import units_below_version
from app.web.years import year_arg

PAGE_SIZE = 50


def _home_shown(unit: ShownUnit, roles: tuple[str, ...], args: dict[str, Any]) -> tuple[Hashable, ...]:
    """A ward's home changes with its data, a parent's with the units below it and their data (their plans
    are their records); both with the day, the roles and language they are seen with (the year and page
    asked are in the page's address, which the kept page's key holds)."""
    if unit.is_tenant:
        return "ward home", unit.id, unit.data_version, local_today(), roles, page_language()
    return "parent home", unit.id, units_below_version(unit.id), local_today(), roles, page_language()


def _ward_home(unit: Unit, this_year: int) -> ResponseReturnValue:
    """The ward's dashboard: rendered once per version of the ward's data, day, role and language; a
    ward that has ended shows its figures as they stood on its last day."""
    today = min(local_today(), unit.ended_on - timedelta(days=1)) if unit.ended_on else local_today()
    shown = _home_shown(unit, roles_key(g.roles), {})

    def render() -> str:
        plans = plan_years(db.session(), unit)
        year = request.args.get("year", type=bounded_int) or (plans[0].year if plans else this_year)
        year = year_arg(year) or this_year
        content = kept_fragment(("ward home", year, *shown), lambda: render_template(
            "units/_ward_dashboard.html", plans=plans, this_year=this_year, year=year, records_url=records_url,
            dashboard=ward_dashboard(db.session(), unit, year, today, g.roles, app_legal_book()),
            csrf_token=placeholder_csrf))
        return render_template("units/ward.html", content=content)

    return kept_page(render)


@bp.get("/u/<unit_slug>/")
@requires("unit.view")
@keeps_page(_home_shown)
def home() -> ResponseReturnValue:
    unit = g.unit
    this_year = local_today().year
    if unit.is_tenant:
        return _ward_home(unit, this_year)
    return kept_page(lambda: _parent_home(unit, this_year))


def _parent_home(unit: Unit, this_year: int) -> str:
    """The wards below a parent, a page of them at a time, with their plans for the year asked."""
    standing = plans_standing(db.session())
    year = request.args.get("year", type=bounded_int) or next(iter(standing), this_year)
    year = year_arg(year) or this_year
    return render_template(
        "units/town.html",
        year=year,
        years=sorted(set(standing) | {year, this_year}, reverse=True),
        wards=ward_plans(db.session(), unit, year, request.args.get("page", 1, type=bounded_int), PAGE_SIZE,
                         standing.get(year, {})),
        create_form=CreatePlansForm(year=year),
    )


from app.units import manage_routes  # noqa: E402,F401  (the units screens, on this blueprint)
