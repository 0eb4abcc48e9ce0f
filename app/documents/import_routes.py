"""Bringing an existing plan in from Word or text: upload, preview and correct, then confirm.

Nothing is stored until the user confirms: the preview carries the repaired text in a text box
the user may correct and read again; confirming reads that text once more and creates a draft.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from app.documents import imports_bp as bp
from app.documents import plan_importing as importing
from app.documents.import_forms import ImportForm
from app.documents.import_text import check_size
from app.documents.plan_import import ImportFileError, parse_plan, plan_to_text, read_upload
from app.extensions import db
from app.local_time import local_today
from app.plans.view_helpers import plan_url
from app.security import requires
from app.service_errors import ServiceError
from app.web.commit import commit, form_status
from app.web.registry import registry_corrections
from app.web.unit_pages import parent_unit_or_404


@bp.route("/plans/import", methods=["GET", "POST"])
@requires("plan.create")
def plan() -> ResponseReturnValue:
    return _import(as_template=False)


@bp.route("/templates/import", methods=["GET", "POST"])
@requires("template.edit")
def template() -> ResponseReturnValue:
    parent_unit_or_404()
    return _import(as_template=True)


def _import(*, as_template: bool) -> ResponseReturnValue:
    form = ImportForm()
    page = dict(form=form, as_template=as_template)
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("imports/import.html", **page), form_status()
    try:
        text = _text_of(form)
    except ImportFileError as error:
        return render_template("imports/import.html", error=error.message, **page), 400
    parsed = parse_plan(text)
    year = form.year.data or parsed.year or local_today().year
    slips = [(c["source"], c["corrected"]) for found in registry_corrections().values() for c in found
             if c["where"] != "Số mục"]  # numbers are put right by position
    result = importing.preview(db.session(), g.unit, parsed, year, slips)
    if request.form.get("action") != "create":
        form.text.data, form.year.data = plan_to_text(parsed), year
        return render_template("imports/import.html", preview=result, year=year, **page)
    try:
        created = commit(lambda: importing.create(db.session(), g.unit, result, year, as_template=as_template))
    except ServiceError as error:
        form.text.data, form.year.data = plan_to_text(parsed), year
        return render_template("imports/import.html", preview=result, year=year, error=error.message, **page), error.status
    flash(_l("Đã tạo bản nháp từ văn bản nhập vào. Hãy kiểm tra người phụ trách và tần suất của từng nhiệm vụ."), "success")
    return redirect(plan_url(created))


def _text_of(form: ImportForm) -> str:
    """The uploaded file's text, repaired; else the text the user corrected in the preview."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", None):
        return read_upload(upload.filename, upload.read())
    if form.text.data and form.text.data.strip():
        return check_size(form.text.data)
    raise ImportFileError(_l("Vui lòng chọn tệp .docx hoặc .txt của kế hoạch."))
