"""The registers: list with filters and pages, add, view, edit — one set of views for all five."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from wtforms import StringField

from app.database import bounded_int
from app.extensions import db
from app.forms_base import drop_nul
from app.local_time import local_today
from app.records import bp, services
from app.records.registers import REGISTERS, Register
from app.security import requires
from app.service_errors import ServiceError
from app.web.commit import commit, form_status


def _values(form: Any) -> dict[str, Any]:
    """The row's new values; a text field the request left out is empty text, as if emptied (its column
    is NOT NULL: a None failed at commit and was reported as a concurrent change)."""
    return {f.name: "" if f.data is None and isinstance(f, StringField) else f.data
            for f in form if f.name not in ("csrf_token", "version")}


def _row_or_404(register: Register, row_id: int) -> Any:
    return services.row_of(db.session(), g.unit, register, row_id) or abort(404)


def _list_view(register: Register) -> Callable[[], Any]:
    def view() -> ResponseReturnValue:
        year = request.args.get("year", type=bounded_int)
        query = str(drop_nul((request.args.get("q") or "").strip()[:200]))
        enum_value = services.category_of(register, request.args.get("category"))
        period = services.period_of(request.args.get("period"))
        page = services.list_rows(
            db.session(), g.unit, register, year=year, query=query, enum_value=enum_value, period=period,
            page=request.args.get("page", type=bounded_int) or 1,
        )
        context = dict(register=register, page=page, year=year, query=query, enum_value=enum_value, period=period,
                       years=services.years(db.session(), g.unit, register))
        if hx_request.htmx and hx_request.htmx.target == "register-table":
            return render_template("records/_table.html", **context)
        return render_template("records/list.html", **context)

    return view


def _form_view(register: Register, creating: bool) -> Callable[..., Any]:
    def view(**ids: int) -> ResponseReturnValue:
        row = None if creating else _row_or_404(register, ids[register.param])
        form = register.form(obj=row if request.method == "GET" else None)
        context = dict(register=register, row=row)
        if not form.validate_on_submit():
            return render_template("records/form.html", form=form, **context), form_status()
        try:
            saved = commit(lambda: services.save_row(db.session(), g.unit, register, row, _values(form), form.version.data))
        except ServiceError as error:
            attempted = "\n".join(str(v) for v in _values(form).values() if v not in (None, ""))
            fresh = register.form(obj=_row_or_404(register, ids[register.param]), formdata=None) if row else form
            return render_template("records/form.html", form=fresh, conflict=error.message, attempted=attempted,
                                   **context), error.status
        flash(_l("Đã lưu."), "success")
        return redirect(url_for(f"records.{register.name}_view", **{register.param: saved.id}))

    return view


def _detail_view(register: Register) -> Callable[..., Any]:
    def view(**ids: int) -> ResponseReturnValue:
        return render_template("records/view.html", register=register, row=_row_or_404(register, ids[register.param]))

    return view


for _register in REGISTERS:
    _base, _one = f"/{_register.name}", f"/{_register.name}/<int:{_register.param}>"
    bp.add_url_rule(_base, f"{_register.name}_list", requires("record.view")(_list_view(_register)))
    bp.add_url_rule(f"{_base}/new", f"{_register.name}_new",
                    requires(_register.edit_permission)(_form_view(_register, creating=True)), methods=["GET", "POST"])
    bp.add_url_rule(_one, f"{_register.name}_view", requires("record.view")(_detail_view(_register)))
    bp.add_url_rule(f"{_one}/edit", f"{_register.name}_edit",
                    requires(_register.edit_permission)(_form_view(_register, creating=False)), methods=["GET", "POST"])


@bp.post("/models/<int:model_id>/recognise")
@requires("model.recognise")
def recognise_model(model_id: int) -> ResponseReturnValue:
    register = next(r for r in REGISTERS if r.name == "models")
    model = _row_or_404(register, model_id)
    try:
        commit(lambda: services.recognise_model(db.session(), model, current_user.id, local_today()))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("records.models_view", model_id=model_id))
    flash(_l("Đã công nhận mô hình “%(name)s”.", name=model.name), "success")
    return redirect(url_for("records.models_view", model_id=model_id))
