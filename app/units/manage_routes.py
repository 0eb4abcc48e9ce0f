"""The units below a parent: list and history, the official list, new and edited units, merges,
moves and dissolutions (each previewed, then applied), undo before the effective date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.local_time import local_today
from app.models import AuditEntry, Unit, UnitChangeKind, UnitKind
from app.models.unit import TENANT_KINDS, units_below
from app.security import requires
from app.service_errors import ServiceError
from app.tenancy import system_scope
from app.units import bp
from app.units.archive import export_unit
from app.units.forms import ExportForm, MergeForm, MoveForm, SplitForm, UnitForm
from app.units.manage import (
    UnitFields,
    change_in_scope,
    children,
    create_unit,
    edit_unit,
    history,
    predecessors,
    slug_for,
)
from app.units.official import OfficialListError, apply_load, plan_load
from app.units.reorganise import (
    Merge,
    NewUnit,
    Reorganisation,
    ReorganisationError,
    apply,
    plan_dissolve,
    plan_merge,
    plan_reparent,
    plan_split,
    undo,
)
from app.units.successor_plan import create_from_merged, merged_plans
from app.vocabulary import ROLE_LABELS
from app.web.commit import commit
from app.web.unit_pages import parent_unit_or_404
from app.web.years import year_arg

PROVINCE_KINDS = (UnitKind.PROVINCE, UnitKind.CITY)


def _as_admin(change: Callable[[], Any]) -> Any:
    """Run a units change as the signed-in admin and commit: under a scope that reaches the units it
    creates (the permission was checked by the guard on this unit)."""
    with system_scope(db.session(), actor=current_user.label, user_id=current_user.id):
        return commit(change)


def _below(tenants: bool | None = None, live: bool = True) -> list[Unit]:
    today = local_today()
    return [u for u in units_below(db.session(), g.unit, tenants=tenants)
            if u.id != g.unit.id and (not live or not u.ended_by(today))]


def _unit_below(unit_id: int) -> Unit:
    unit = next((u for u in _below(live=False) if u.id == unit_id), None)
    if unit is None:
        abort(404)
    return unit


def _parent_units() -> list[Unit]:
    """The units a unit may be put under: this one and the live non-ward units below it."""
    return [g.unit, *_below(tenants=False)]


def _parents() -> list[tuple[int, str]]:
    return [(u.id, u.full_name) for u in _parent_units()]


@bp.get("/u/<unit_slug>/units")
@requires("unit.history")
def units_index() -> ResponseReturnValue:
    parent_unit_or_404()
    return render_template("units/index.html", children=children(db.session(), g.unit),
                           changes=history(db.session(), g.unit), today=local_today(),
                           official=g.unit.kind in PROVINCE_KINDS)


@bp.get("/u/<unit_slug>/history")
@requires("unit.view")
def unit_history() -> ResponseReturnValue:
    """A ward's own story: what it was merged from, what it went into."""
    return render_template("units/history.html", predecessors=predecessors(db.session(), g.unit),
                           changes=history(db.session(), g.unit))


@bp.route("/u/<unit_slug>/units/official", methods=["GET", "POST"])
@requires("unit.manage")
def official_list() -> ResponseReturnValue:
    parent_unit_or_404()
    try:
        plan = plan_load(db.session(), g.unit.code) if g.unit.kind in PROVINCE_KINDS else None
    except OfficialListError:
        plan = None  # a province the list does not have (a code typed by hand)
    if plan is None:
        if request.method == "POST":
            return redirect(url_for("units.official_list"))
        return render_template("units/official.html", plan=None)
    if request.method == "POST":
        _as_admin(lambda: apply_load(db.session(), plan, local_today()))
        flash(_("Đã nạp danh mục: thêm %(added)s, đổi tên %(renamed)s, chuyển %(moved)s, kết thúc %(ended)s đơn vị.",
                added=len(plan.added), renamed=len(plan.renamed), moved=len(plan.moved), ended=len(plan.ended)),
              "success")
        return redirect(url_for("units.units_index"))
    return render_template("units/official.html", plan=plan)


def _fields(form: UnitForm) -> UnitFields:
    return UnitFields(form.name.data or "", form.code.data or "", UnitKind(form.kind.data), form.parent_id.data or 0,
                      form.issuer_name.data or "", form.issuer_parent_name.data or "")


@bp.route("/u/<unit_slug>/units/new", methods=["GET", "POST"])
@bp.route("/u/<unit_slug>/units/<int:unit_id>/edit", methods=["GET", "POST"])
@requires("unit.manage")
def unit_form(unit_id: int | None = None) -> ResponseReturnValue:
    parent_unit_or_404()
    unit = _unit_below(unit_id) if unit_id is not None else None
    form = UnitForm(obj=unit, parent_id=unit.parent_id if unit else g.unit.id)
    form.parent_id.choices = _parents()
    if form.validate_on_submit():
        try:
            if unit is None:
                _as_admin(lambda: create_unit(db.session(), g.unit, _fields(form), local_today()))
            else:
                _as_admin(lambda: edit_unit(db.session(), g.unit, unit, _fields(form), local_today()))
        except ServiceError as error:
            flash(str(error.message), "error")
            return render_template("units/form.html", form=form, unit=unit), error.status
        flash(_("Đã lưu đơn vị."), "success")
        return redirect(url_for("units.units_index"))
    return render_template("units/form.html", form=form, unit=unit), 400 if form.errors else 200


def _effective(form: MergeForm | MoveForm | SplitForm) -> date:
    assert form.effective_on.data is not None  # DataRequired
    return form.effective_on.data


def _grants_as_sent(form: MergeForm | SplitForm) -> None:
    """The roles ticked on the preview are valid choices when the form comes back (the preview lists them)."""
    form.grants.choices = [(int(v), "") for v in request.form.getlist("grants") if v.isdigit()]


def _preview_or_apply(template: str, form: Any, plan_of: Callable[[], Reorganisation], summary: Callable[[Reorganisation], str],
                      **context: Any) -> ResponseReturnValue:
    """Plan the change; show it (a first POST), or apply it (the POST of the preview's button)."""
    try:
        plan = plan_of()
        if "confirm" in request.form:
            plan.grants = list(getattr(form, "grants", None) and form.grants.data or [])
            _as_admin(lambda: apply(db.session(), plan, actor=current_user.label, user_id=current_user.id,
                                    summary=summary(plan)))
            flash(_("Đã áp dụng: %(summary)s", summary=summary(plan)), "success")
            return redirect(url_for("units.units_index"))
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return render_template(template, form=form, plan=None, **context), error.status
    if hasattr(form, "grants"):
        form.grants.choices = [(m.id, f"{m.user.label}: {ROLE_LABELS[m.role]} ({m.unit.full_name})") for m in plan.staff]
        form.grants.data = form.grants.data or [m.id for m in plan.staff]
    return render_template(template, form=form, plan=plan, **context)


@bp.route("/u/<unit_slug>/units/merge", methods=["GET", "POST"])
@requires("unit.manage")
def merge() -> ResponseReturnValue:
    parent_unit_or_404()
    wards = _below(tenants=True)
    form = MergeForm()
    form.units.choices = [(u.id, u.full_name) for u in wards]
    form.target.choices = [("new", _("Một đơn vị mới")), *((str(u.id), u.full_name) for u in wards)]
    form.new_parent.choices = _parents()
    _grants_as_sent(form)
    if not form.validate_on_submit():
        return render_template("units/merge.html", form=form, plan=None), 400 if form.errors else 200
    chosen = [u for u in wards if u.id in (form.units.data or [])]

    def plan_of() -> Reorganisation:
        target: Unit | NewUnit
        if form.target.data == "new":
            parent = next(u for u in _parent_units() if u.id == form.new_parent.data)
            kind = UnitKind(form.new_kind.data)
            name, code = (form.new_name.data or "").strip(), (form.new_code.data or "").strip()
            target = NewUnit(name, code, kind, parent, slug_for(db.session(), name, kind, code))
        else:
            target = next(u for u in wards if str(u.id) == form.target.data)
        return plan_merge(db.session(), g.unit, [Merge(chosen, target)], _effective(form))

    return _preview_or_apply("units/merge.html", form, plan_of, lambda plan: "; ".join(
        f"{', '.join(u.full_name for u in m.units)} → {m.target_name}" for m in plan.merges))


@bp.route("/u/<unit_slug>/units/split", methods=["GET", "POST"])
@requires("unit.manage")
def split() -> ResponseReturnValue:
    parent_unit_or_404()
    wards = _below(tenants=True)
    form = SplitForm()
    form.unit.choices = [(u.id, u.full_name) for u in wards]
    _grants_as_sent(form)
    if not form.validate_on_submit():
        return render_template("units/split.html", form=form, plan=None), 400 if form.errors else 200
    unit = next(u for u in wards if u.id == form.unit.data)
    parent = db.session.get(Unit, unit.parent_id) if unit.parent_id else g.unit

    def plan_of() -> Reorganisation:
        new_units = [NewUnit(name, code, UnitKind(kind), parent or g.unit, slug_for(db.session(), name, UnitKind(kind), code))
                     for name, code, kind in form.new_units()]
        return plan_split(db.session(), g.unit, unit, new_units, _effective(form), continues=bool(form.continues.data))

    return _preview_or_apply("units/split.html", form, plan_of, lambda plan: _("Chia tách %(unit)s thành %(units)s",
                             unit=unit.full_name, units=", ".join(f"{n.kind_label} {n.name}" for n in plan.new_units)))


@bp.route("/u/<unit_slug>/units/move", methods=["GET", "POST"])
@requires("unit.manage")
def move() -> ResponseReturnValue:
    parent_unit_or_404()
    movable = _below()
    form = MoveForm()
    form.units.choices = [(u.id, u.full_name) for u in movable]
    form.dissolved.choices = [(0, "—"), *((u.id, u.full_name) for u in movable if u.kind not in TENANT_KINDS)]
    form.parent.choices = _parents()
    if not form.validate_on_submit():
        return render_template("units/move.html", form=form, plan=None), 400 if form.errors else 200
    parent = next(u for u in [g.unit, *movable] if u.id == form.parent.data)

    def plan_of() -> Reorganisation:
        if form.operation.data == "dissolve":
            dissolved = next((u for u in movable if u.id == form.dissolved.data), None)
            if dissolved is None:
                raise ReorganisationError(_("Chọn đơn vị giải thể."))
            return plan_dissolve(db.session(), g.unit, dissolved, parent, _effective(form))
        chosen = [u for u in movable if u.id in (form.units.data or [])]
        return plan_reparent(db.session(), g.unit, chosen, parent, _effective(form))

    def summary(plan: Reorganisation) -> str:
        assert plan.target is not None
        if plan.kind == UnitChangeKind.DISSOLVE:
            return _("Giải thể %(unit)s; các đơn vị trực thuộc chuyển về %(parent)s",
                     unit=plan.units[0].full_name, parent=plan.target.full_name)
        return _("%(units)s chuyển về %(parent)s", units=", ".join(u.full_name for u in plan.units),
                 parent=plan.target.full_name)

    return _preview_or_apply("units/move.html", form, plan_of, summary)


@bp.route("/u/<unit_slug>/units/<int:unit_id>/export", methods=["GET", "POST"])
@requires("unit.export")
def export(unit_id: int) -> ResponseReturnValue:
    """One archive of everything a unit below owns, downloaded; the export is in its audit log."""
    parent_unit_or_404()
    unit = _unit_below(unit_id)
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("units/export.html", form=form, unit=unit), 400 if form.errors else 200
    identities = form.identities.data or "encrypted"
    with system_scope(db.session(), actor=current_user.label, user_id=current_user.id):
        data = export_unit(db.session(), unit, identities, (form.passphrase.data or "").encode() or None)
        db.session.add(AuditEntry(unit_id=unit.id, user_id=current_user.id, username=current_user.label,
                                  action="unit.export", object_type="Unit", object_id=unit.id,
                                  summary=unit.full_name, changes={"identities": [None, identities]}))
        commit(lambda: None)
    name = f"du-lieu-{unit.slug}-{local_today():%Y%m%d}.zip"
    return send_file(BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/u/<unit_slug>/plans/<int:year>/from-merged", methods=["GET", "POST"])
@requires("plan.create")
def plan_from_merged(year: int) -> ResponseReturnValue:
    """The successor's plan of the year, from the plans of the units merged into it."""
    if not g.unit.is_tenant or year_arg(year) is None:
        abort(404)
    with system_scope(db.session(), actor=current_user.label, user_id=current_user.id):
        merged = merged_plans(db.session(), g.unit, predecessors(db.session(), g.unit), year)
        if not merged.units:  # nothing was merged into this ward (with a plan for the year)
            if request.method == "POST":
                return redirect(url_for("plans.show", year=year))
            return render_template("units/plan_from_merged.html", merged=None, year=year)
        picks = merged.default_picks()
        if request.method == "POST":
            picks = {row.choice_id: request.form.get(f"row-{row.choice_id}", "") for row in merged.rows}
            try:
                commit(lambda: create_from_merged(db.session(), merged, request.form.get("base", 0, type=int), picks))
            except ServiceError as error:
                flash(str(error.message), "error")
                return render_template("units/plan_from_merged.html", merged=merged, picks=picks), error.status
            flash(_("Đã lập dự thảo kế hoạch năm %(year)s từ kế hoạch của các đơn vị đã sáp nhập.", year=year),
                  "success")
            return redirect(url_for("plans.show", year=year))
        return render_template("units/plan_from_merged.html", merged=merged, picks=picks)


@bp.post("/u/<unit_slug>/units/changes/<int:change_id>/undo")
@requires("unit.manage")
def undo_change(change_id: int) -> ResponseReturnValue:
    change = change_in_scope(db.session(), g.unit, change_id)
    if change is None:
        abort(404)
    try:
        _as_admin(lambda: undo(db.session(), change, local_today()))
    except ServiceError as error:
        flash(str(error.message), "error")
        return redirect(url_for("units.units_index")), 303
    flash(_("Đã hoàn tác: %(summary)s", summary=change.summary), "success")
    return redirect(url_for("units.units_index"))
