"""The parent unit's view over its wards: the rollup dashboard, overdue across wards, and exports
(those two tables and each register) as Excel and CSV."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.database import bounded_int
from app.exports import download
from app.extensions import db
from app.forms_base import drop_nul
from app.local_time import local_today
from app.models import PetitionKind, PlanStatus, Unit
from app.models.unit import TENANT_KINDS, NamedUnit
from app.periods import as_of, parse_period, period_choices, period_label
from app.petitions import services as petitions
from app.petitions.forms import FilterForm
from app.records import services as records
from app.reports.services import KIND_LABELS as REPORT_KIND_LABELS
from app.reports.services import report_status
from app.rollups import bp, exports, figures, services
from app.security import holds, requires
from app.vocabulary import TASK_OWNER_ROLES
from app.web.commit import commit, writes_on_get
from app.web.language import page_language
from app.web.legal import app_legal_book
from app.web.page_cache import ShownUnit, keeps_page, kept_page
from app.web.paging import page_of
from app.web.records_links import records_url
from app.web.unit_pages import units_below_version
from app.web.years import filter_year, year_or_404

# Column key → (header, register its records are in): the dashboard's sortable columns.
COLUMNS: tuple[tuple[str, Any, str | None], ...] = (
    ("code", _l("Mã"), None),
    ("unit", _l("Phường, xã"), None),
    ("plan_status", _l("Kế hoạch"), None),
    ("tasks_done_percent", _l("Nhiệm vụ hoàn thành"), "tasks"),
    ("tasks_overdue", _l("Nhiệm vụ quá hạn"), "tasks"),
    ("receptions_held", _l("Tiếp công dân (đã tiếp / phải tiếp)"), "receptions"),
    ("dialogues", _l("Đối thoại"), "dialogues"),
    ("petitions_received", _l("Đơn thư tiếp nhận"), "petitions"),
    ("petitions_resolved", _l("Đơn đã giải quyết"), "petitions"),
    ("on_time_percent", _l("Đúng hạn"), "petitions"),
    ("models", _l("Mô hình"), "models"),
    ("posts", _l("Tin, bài"), "posts"),
)



def ward_records_url(register: str | None, ward: Unit, year: int, period: str) -> str | None:
    """The ward's list of the records a figure counts."""
    return records_url(register, year, period, unit_slug=ward.slug)


def _period_or_404(year: int) -> str:
    year_or_404(year)
    code = request.args.get("period") or str(year)
    if code not in period_choices(year):
        abort(404)
    return code


def _rollup(year: int, code: str) -> tuple[list[services.WardRollup], services.WardRollup]:
    rows = services.ward_rollups(db.session(), g.unit, year, code, today=as_of(year, local_today()),
                                 book=app_legal_book())
    return rows, services.totals(rows)


def _keeping(response: ResponseReturnValue) -> ResponseReturnValue:
    figures.keep_now(db.session())
    return response


PAGE_SIZE = 50
CHARTS = (("tasks_done_percent", "tasks", _l("Tỷ lệ nhiệm vụ hoàn thành (%%)")),
          ("on_time_percent", "petitions", _l("Tỷ lệ đơn thư giải quyết đúng hạn (%%)")))


def _under(groups: list[Unit]) -> Unit | None:
    """The unit between the parent and its wards that the `under` argument names, if any."""
    return next((u for u in groups if u.slug == request.args.get("under")), None)


def _rollup_filters(groups: list[Unit]) -> services.RollupFilters:
    kinds = {k.value: k for k in TENANT_KINDS}
    plans = {*(s.value for s in PlanStatus), services.NO_PLAN}
    plan = request.args.get("plan")
    return services.RollupFilters(
        under=_under(groups),
        kind=kinds.get(request.args.get("kind") or ""),
        plan=plan if plan in plans else None,
        query=str(drop_nul((request.args.get("q") or "").strip()[:100])),
    )


def _rollup_shown(unit: ShownUnit, roles: tuple[str, ...], args: dict[str, Any]) -> tuple[Hashable, ...] | None:
    """A rollup changes with the units below the parent and their records, the day (overdue tasks and
    deadlines), and the roles and language it is seen with; its filters, sort and page are in the page's
    address, which the kept page's key holds. One statement reads the units below (no ward's rows)."""
    return "rollup", unit.id, units_below_version(unit.id), args["year"], local_today(), roles, page_language()


@bp.get("/rollup/<int:year>")
@requires("rollup.view")
@keeps_page(_rollup_shown)
def show(year: int) -> ResponseReturnValue:
    return kept_page(lambda: _show(year))


def _show(year: int) -> ResponseReturnValue:
    code = _period_or_404(year)
    all_rows, _ = _rollup(year, code)
    groups = services.groups_below(db.session(), g.unit)
    filters = _rollup_filters(groups)
    rows = services.filter_rows(all_rows, filters, groups)
    sort = request.args.get("sort", "unit")
    if sort not in services.SORT_KEYS:
        sort = "unit"
    descending = request.args.get("dir") == "desc"
    page = page_of(services.sort_rows(rows, sort, descending), request.args.get("page", type=bounded_int), PAGE_SIZE)
    query = {k: v for k, v in (("period", code), ("under", filters.under.slug if filters.under else None),
                                ("kind", filters.kind.value if filters.kind else None), ("plan", filters.plan),
                                ("q", filters.query)) if v}
    return _keeping(render_template(
        "rollups/show.html", year=year, period=parse_period(code), periods=period_choices(year),
        rows=page.items, page=page, all_count=len(all_rows),
        total=services.totals(rows), sort=sort, descending=descending, filters=filters, groups=groups,
        query=query, columns=COLUMNS, drill=ward_records_url,
        charts=[(services.chart(rows, key), register, title) for key, register, title in CHARTS],
        reports=_report_standings(year, [r.unit for r in page.items if r.unit]),
        report_kinds=REPORT_KIND_LABELS, no_plan=services.NO_PLAN,
    ))


def _report_standings(year: int, wards: list[Unit] | None = None) -> dict[int, list[Any]]:
    """Each ward's six-month and annual report standing (two queries whatever the number of wards)."""
    return {ward.id: standings
            for ward, standings in report_status(db.session(), g.unit, year, local_today(), wards)}


def _report_words(year: int) -> dict[int, str]:
    return {
        unit_id: "; ".join(f"{REPORT_KIND_LABELS[s.kind]}: {s.label}" for s in standings)
        for unit_id, standings in _report_standings(year).items()
    }


def _rollup_export(year: int, fmt: str) -> ResponseReturnValue:
    code = _period_or_404(year)
    rows, total = _rollup(year, code)
    title = str(_l("Tổng hợp %(period)s", period=period_label(code)))
    return _keeping(download(fmt, f"tong-hop-{g.unit.slug}-{code}", title, exports.ROLLUP_COLUMNS,
                             exports.rollup_rows(rows, total, _report_words(year))))


# --- overdue across wards ---------------------------------------------------------------------


def _overdue_year() -> int:
    year = filter_year(request.args.get("year", type=bounded_int))
    if year:
        return year
    today = local_today()
    years = services.years_with_plans(db.session())
    return today.year if today.year in years or not years else years[0]


def _overdue_filters(groups: list[Unit]) -> services.OverdueFilters:
    kinds = {services.TASK_KIND, *(k.value for k in PetitionKind)}
    roles = {r.value: r for r in TASK_OWNER_ROLES}
    kind = request.args.get("kind")
    return services.OverdueFilters(
        ward=str(drop_nul(request.args.get("ward") or "")) or None,
        under=_under(groups),
        kind=kind if kind in kinds else None,
        role=roles.get(request.args.get("role") or ""),
    )


def _overdue(year: int, filters: services.OverdueFilters, groups: list[Unit],
             titles: bool = True) -> tuple[list[NamedUnit], list[services.OverdueItem]]:
    today = local_today()
    return services.overdue_items(db.session(), g.unit, year, filters, today=today, tasks_on=as_of(year, today),
                                  book=app_legal_book(), groups=groups, titles=titles)


WARD_CHOICES = 300  # above this many wards, the filter is by the units between (a select of 3,321 is no use)


@bp.get("/overdue")
@requires("rollup.view")
def overdue() -> ResponseReturnValue:
    groups = services.groups_below(db.session(), g.unit)
    year, filters = _overdue_year(), _overdue_filters(groups)
    wards, items = _overdue(year, filters, groups, titles=False)
    kinds = [(services.TASK_KIND, exports.kind_label(services.TASK_KIND)),
             *((k.value, exports.kind_label(k.value)) for k in PetitionKind)]
    query = {k: v for k, v in (("year", year), ("ward", filters.ward), ("kind", filters.kind),
                                ("under", filters.under.slug if filters.under else None),
                                ("role", filters.role.value if filters.role else None)) if v}
    page = page_of(items, request.args.get("page", type=bounded_int), PAGE_SIZE)
    services.fill_titles(db.session(), page.items)
    return render_template("rollups/overdue.html", year=year, years=services.years_with_plans(db.session()),
                           filters=filters, wards=wards if len(wards) <= WARD_CHOICES else [], groups=groups,
                           items=page.items, page=page, kinds=kinds,
                           roles=TASK_OWNER_ROLES, query=query, kind_label=exports.kind_label, today=local_today())


def _overdue_export(fmt: str) -> ResponseReturnValue:
    year = _overdue_year()
    groups = services.groups_below(db.session(), g.unit)
    _, items = _overdue(year, _overdue_filters(groups), groups)
    return download(fmt, f"qua-han-{g.unit.slug}-{year}", str(_l("Việc quá hạn")), exports.OVERDUE_COLUMNS,
                    exports.overdue_rows(items))


# --- registers --------------------------------------------------------------------------------


def _register_export(name: str, fmt: str) -> ResponseReturnValue:
    if name == exports.PETITIONS:
        return _petitions_export(fmt)
    register = exports.register_named(name) or abort(404)
    rows = exports.register_rows(
        db.session(), g.unit, register,
        year=request.args.get("year", type=bounded_int),
        query=str(drop_nul((request.args.get("q") or "").strip()[:200])),
        enum_value=records.category_of(register, request.args.get("category")),
        period=records.period_of(request.args.get("period")),
    )
    return download(fmt, f"{register.name}-{g.unit.slug}", str(register.title), exports.register_columns(register),
                    rows)


def _petitions_export(fmt: str) -> ResponseReturnValue:
    filters = FilterForm(formdata=request.args, years=[]).criteria()
    shown = holds(g.roles, "petition.identity")
    found, rows = exports.petition_rows(db.session(), g.unit, filters, book=app_legal_book(), today=local_today(),
                                        show_identity=shown)
    response = download(fmt, f"don-thu-{g.unit.slug}", str(_l("Sổ đơn thư")), exports.PETITION_COLUMNS, rows)
    if shown:  # every showing of a petitioner's identity is logged, downloads included
        given = [p for p in found if any((p.petitioner_name, p.petitioner_address, p.petitioner_contact))]
        if given:
            commit(lambda: petitions.record_identity_views(db.session(), given, user_id=current_user.id,
                                                           username=current_user.label))
    return response


# One rule per format (and register): no free URL parameter to guess at.
for _fmt in ("xlsx", "csv"):
    bp.add_url_rule(f"/rollup/<int:year>.{_fmt}", f"rollup_{_fmt}",
                    requires("rollup.view")(lambda year, _f=_fmt: _rollup_export(year, _f)))
    bp.add_url_rule(f"/overdue.{_fmt}", f"overdue_{_fmt}", requires("rollup.view")(lambda _f=_fmt: _overdue_export(_f)))
    for _name in exports.REGISTER_NAMES:
        bp.add_url_rule(f"/exports/{_name}.{_fmt}", f"{_name}_{_fmt}",
                        writes_on_get(requires("record.view")(lambda _n=_name, _f=_fmt: _register_export(_n, _f))))

__all__ = ["bp"]
