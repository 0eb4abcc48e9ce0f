"""The petitions register: list with filters, record and edit, status steps, extensions, detail."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from htmx_flask import request as hx_request

from app.database import bounded_int
from app.extensions import db
from app.forms_base import day_arg, filled
from app.local_time import local_today
from app.models import Petition
from app.petitions import bp, services
from app.petitions.deadlines import deadline_of
from app.petitions.forms import ExtensionForm, FilterForm, PetitionForm, StatusForm
from app.security import holds, requires
from app.service_errors import EditConflict, ServiceError
from app.web.commit import commit, form_status, writes_on_get
from app.web.legal import app_legal_book

# --- what the views share ---------------------------------------------------------------------



def _shows_identity() -> bool:
    return holds(g.roles, "petition.identity")


def _petition_or_404(petition_id: int) -> Petition:
    return services.find_petition(db.session(), g.unit, petition_id) or abort(404)


def _log_identity_shown(petitions: list[Petition]) -> None:
    """Every showing of a petitioner's identity goes into the audit log."""
    if petitions:
        commit(lambda: services.record_identity_views(
            db.session(), petitions, user_id=current_user.id, username=current_user.label))


# --- the list ---------------------------------------------------------------------------------


@bp.get("")
@requires("record.view")
@writes_on_get  # logs each petitioner identity it shows
def index() -> ResponseReturnValue:
    today = local_today()
    years = services.years_received(db.session(), g.unit)
    form = FilterForm(formdata=request.args, years=sorted(set(years) | {today.year}, reverse=True))
    filters = form.criteria()
    shown = _shows_identity()
    page = services.register_page(
        db.session(), g.unit, filters, request.args.get("page", 1, type=bounded_int),
        book=app_legal_book(), today=today, show_identity=shown,
    )
    rows = page.items
    filter_args = {name: value for name in ("kind", "status", "year", "overdue", "q")
                   if (value := request.args.get(name, "").strip())}
    context = dict(page=page, rows=rows, form=form, filter_args=filter_args, today=today)
    headers = {"Vary": "HX-Request, HX-Target"}
    htmx = hx_request.htmx
    partial = htmx and htmx.target == "petition-table" and not htmx.history_restore_request
    html = render_template("petitions/_table.html" if partial else "petitions/index.html", **context)
    if shown:  # logged after rendering: committing first would expire every row and reload each one
        _log_identity_shown([row.petition for row in rows if row.identity.name])
    return html, 200, headers


@bp.get("/rules")
@requires("record.view")
def rules() -> ResponseReturnValue:
    """The deadline rules in force on a chosen day (today by default), each with its legal source."""
    on = day_arg(request.args.get("on", "")) or local_today()
    in_force = [rule for rule in app_legal_book().rules if rule.applies_on(on)]
    return render_template("petitions/rules.html", rules=in_force, on=on)


# --- recording and editing --------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires("register.edit")
def new() -> ResponseReturnValue:
    today = local_today()
    shown = _shows_identity()
    form = PetitionForm(today=today, show_identity=shown)
    if request.method == "GET":
        form.received_on.data = today
    if not form.validate_on_submit():
        return render_template("petitions/form.html", form=form, petition=None), form_status()
    try:
        petition = commit(lambda: services.create_petition(db.session(), g.unit, **form.fields()))
    except ServiceError as error:
        return render_template("petitions/form.html", form=form, petition=None, problem=error.message), error.status
    flash(_l("Đã ghi sổ đơn tiếp nhận ngày %(day)s.", day=petition.received_on.strftime("%d/%m/%Y")), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))


@bp.route("/<int:petition_id>/edit", methods=["GET", "POST"])
@writes_on_get
@requires("register.edit")
def edit(petition_id: int) -> ResponseReturnValue:
    petition = _petition_or_404(petition_id)
    today = local_today()
    shown = _shows_identity()
    form = PetitionForm(obj=petition if request.method == "GET" else None, today=today, show_identity=shown,
                        petition=petition)
    if request.method == "GET" and shown:
        _log_identity_shown([petition])
    if not form.validate_on_submit():
        return render_template("petitions/form.html", form=form, petition=petition), form_status()
    try:
        commit(lambda: services.update_petition(db.session(), petition, version=form.version.data, **form.fields()))
    except EditConflict as error:
        # Keep what the user typed; offer the saved version beside it, and let a new Save overwrite it.
        latest = _petition_or_404(petition_id)
        form.version.data = latest.version
        if shown:
            _log_identity_shown([latest])
        return render_template(
            "petitions/form.html", form=form, petition=latest, conflict=error.message,
            saved=latest, saved_identity=services.identity_of(latest, shown),
        ), error.status
    except ServiceError as error:
        return render_template("petitions/form.html", form=form, petition=petition, problem=error.message), error.status
    flash(_l("Đã lưu thông tin đơn."), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))


# --- the detail page, status steps and extensions ---------------------------------------------


def _detail(petition: Petition, status: int = 200, *, status_form: StatusForm | None = None,
            extension_form: ExtensionForm | None = None, problem: object | None = None) -> ResponseReturnValue:
    """The petition's page: what was recorded, its deadline, history and extensions, and the next steps."""
    today = local_today()
    book = app_legal_book()
    shown = _shows_identity()
    extensions = services.extensions_of(db.session(), petition)
    steps = services.next_steps(petition)
    if status_form is None:
        status_form = StatusForm(formdata=None, today=today, steps=steps, version=petition.version, on=today)
    else:
        status_form.offer(steps)
        status_form.version.data = petition.version
    context = dict(
        petition=petition,
        identity=services.identity_of(petition, shown),
        deadline=deadline_of(petition, book, today, len(extensions)),
        extensions=extensions,
        extension_blocked=services.extension_problem(petition, len(extensions), book),
        history=services.status_history(db.session(), petition),
        steps=steps,
        status_form=status_form,
        extension_form=extension_form or ExtensionForm(formdata=None, today=today, decided_on=today),
        problem=problem,
    )
    if shown:
        _log_identity_shown([petition])
    return render_template("petitions/show.html", **context), status


@bp.get("/<int:petition_id>")
@requires("record.view")
@writes_on_get
def show(petition_id: int) -> ResponseReturnValue:
    return _detail(_petition_or_404(petition_id))


@bp.post("/<int:petition_id>/status")
@requires("register.edit")
def change_status(petition_id: int) -> ResponseReturnValue:
    petition = _petition_or_404(petition_id)
    today = local_today()
    form = StatusForm(today=today)
    if not form.validate():
        return _detail(petition, 400, status_form=form)
    try:
        commit(lambda: services.change_status(db.session(), petition, form.target, on=form.on.data,
                                              note=form.note.data or "", version=form.version.data, today=today))
    except ServiceError as error:
        return _detail(_petition_or_404(petition_id), error.status, status_form=form, problem=error.message)
    flash(_l("Đã chuyển đơn sang trạng thái mới."), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))


@bp.post("/<int:petition_id>/extensions")
@requires("register.edit")
def add_extension(petition_id: int) -> ResponseReturnValue:
    petition = _petition_or_404(petition_id)
    today = local_today()
    form = ExtensionForm(today=today)
    if not form.validate():
        return _detail(petition, 400, extension_form=form)
    try:
        commit(lambda: services.add_extension(db.session(), petition, decided_on=filled(form.decided_on.data),
                                              reason=form.reason.data or "", book=app_legal_book(), today=today))
    except ServiceError as error:
        return _detail(_petition_or_404(petition_id), error.status, extension_form=form, problem=error.message)
    flash(_l("Đã ghi nhận gia hạn thời hạn giải quyết."), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))
