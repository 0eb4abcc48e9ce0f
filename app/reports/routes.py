"""Periodic reports of a ward: list, create, edit the narrative, send up, acknowledge or return at
the parent, download as Word; and the parent's view of which wards sent on time, late, or not yet."""

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

from app.database import bounded_int
from app.documents.download import docx_response, parent_of
from app.documents.report_docx import report_docx
from app.extensions import db
from app.forms_base import filled
from app.local_time import local_today
from app.models import Plan, Report, ReportKind
from app.reports import bp, services
from app.reports.forms import NewReportForm, ReportForm, ReviewForm
from app.security import requires
from app.service_errors import EditConflict, ServiceError
from app.web.commit import commit
from app.web.legal import app_legal_book
from app.web.paging import page_of
from app.web.years import year_or_404


def report_or_404(report_id: int) -> Report:
    return services.report_in(db.session(), g.unit, report_id) or abort(404)


def _page(
    report: Report, status: int = 200, *, message: str | None = None, review_form: ReviewForm | None = None
) -> ResponseReturnValue:
    """The report page; values frozen once sent, live while a draft."""
    indicators, frozen = services.shown_indicators(db.session(), report, local_today(), app_legal_book())
    return render_template(
        "reports/show.html",
        report=report,
        indicators=indicators,
        frozen=frozen,
        message=message,
        review_form=review_form or ReviewForm(),
        labels=services,
    ), status


@bp.get("/")
@requires("record.view")
def index() -> ResponseReturnValue:
    if not g.unit.is_tenant:
        return redirect(url_for("reports.status"))
    return render_template("reports/index.html", reports=services.unit_reports(db.session(), g.unit), labels=services)


@bp.route("/new", methods=["GET", "POST"])
@requires("report.draft")
def new() -> ResponseReturnValue:
    years = services.plan_years(db.session(), g.unit)
    if request.method == "GET":
        kind = request.args.get("kind", ReportKind.SIX_MONTH.value)
        asked = request.args.get("year", type=int)
        form = NewReportForm(formdata=None, kind=kind if kind in {k.value for k in ReportKind} else None,
                             year=asked if asked in years else services.default_year(years, local_today()))
        form.year.choices = [(y, str(y)) for y in years]
        return render_template("reports/new.html", form=form)
    form = NewReportForm()
    form.year.choices = [(y, str(y)) for y in years]
    if not form.validate():
        return render_template("reports/new.html", form=form), 400
    try:
        report = commit(
            lambda: services.create_report(
                db.session(),
                g.unit,
                kind=ReportKind(form.kind.data),
                year=filled(form.year.data),
                period=(form.period.data or "").strip() or None,
                due_on=form.due_on.data,
            ),
        )
    except ServiceError as error:
        return render_template("reports/new.html", form=form, message=error.message), error.status
    flash(_l("Đã tạo dự thảo báo cáo."), "success")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.get("/<int:report_id>")
@requires("record.view")
def show(report_id: int) -> ResponseReturnValue:
    return _page(report_or_404(report_id))


@bp.get("/<int:report_id>.docx")
@requires("record.view")
def word(report_id: int) -> ResponseReturnValue:
    """The report as a Word file in the format of Nghị định 30/2020/NĐ-CP."""
    report = report_or_404(report_id)
    indicators, _frozen = services.shown_indicators(db.session(), report, local_today(), app_legal_book())
    unit = g.unit
    body = report_docx(report, db.session.get(Plan, report.plan_id), unit, parent_of(db.session(), unit), indicators)
    return docx_response(body, f"bao-cao-{unit.slug}-{report.id}.docx")


@bp.route("/<int:report_id>/edit", methods=["GET", "POST"])
@requires("report.draft")
def edit(report_id: int) -> ResponseReturnValue:
    report = report_or_404(report_id)
    try:
        services.require_editable(report)
    except ServiceError as error:
        return _page(report, error.status, message=error.message)
    form = ReportForm(obj=report) if request.method == "GET" else ReportForm()
    if request.method == "GET" or not form.validate():
        return render_template("reports/edit.html", report=report, form=form), 400 if request.method == "POST" else 200
    try:
        commit(
            lambda: services.update_report(
                db.session(),
                report,
                version=form.version.data,
                title=form.title.data or "",
                number=form.number.data or "",
                due_on=filled(form.due_on.data),
                results=form.results.data or "",
                strengths_shortcomings=form.strengths_shortcomings.data or "",
                direction=form.direction.data or "",
                proposals=form.proposals.data or "",
            ),
        )
    except EditConflict as error:
        latest = report_or_404(report_id)
        return render_template(
            "reports/edit.html", report=latest, form=ReportForm(obj=latest, formdata=None), message=error.message
        ), error.status
    except ServiceError as error:
        return _page(report_or_404(report_id), error.status, message=error.message)
    flash(_l("Đã lưu báo cáo."), "success")
    return redirect(url_for("reports.show", report_id=report.id))


def _step(
    report_id: int, change: Callable[[Report], Any], done: str, review_form: ReviewForm | None = None
) -> ResponseReturnValue:
    report = report_or_404(report_id)
    try:
        commit(lambda: change(report))
    except ServiceError as error:
        return _page(report_or_404(report_id), error.status, message=error.message, review_form=review_form)
    flash(done, "success")
    return redirect(url_for("reports.show", report_id=report_id))


@bp.post("/<int:report_id>/send")
@requires("report.send")
def send(report_id: int) -> ResponseReturnValue:
    return _step(
        report_id,
        lambda r: services.send(db.session(), r, today=local_today(), user_id=current_user.id,
                                username=current_user.label, book=app_legal_book()),
        _l("Đã duyệt và gửi báo cáo lên cấp trên; số liệu chỉ tiêu đã được chốt."),
    )


@bp.post("/<int:report_id>/acknowledge")
@requires("report.review")
def acknowledge(report_id: int) -> ResponseReturnValue:
    form = ReviewForm()
    if not form.validate():
        return _page(report_or_404(report_id), 400, review_form=form)
    return _step(
        report_id,
        lambda r: services.acknowledge(db.session(), r, today=local_today(), username=current_user.label,
                                       comment=form.comment.data or ""),
        _l("Đã tiếp nhận báo cáo."),
        form,
    )


@bp.post("/<int:report_id>/return")
@requires("report.review")
def return_report(report_id: int) -> ResponseReturnValue:
    form = ReviewForm()
    if not form.validate():
        return _page(report_or_404(report_id), 400, review_form=form)
    return _step(
        report_id,
        lambda r: services.return_report(db.session(), r, today=local_today(), username=current_user.label,
                                         comment=form.comment.data or ""),
        _l("Đã trả lại báo cáo kèm ý kiến."),
        form,
    )


PAGE_SIZE = 50


@bp.get("/status")
@requires("record.view")
def status() -> ResponseReturnValue:
    today = local_today()
    year = year_or_404(request.args.get("year", type=bounded_int) or today.year)
    rows = services.report_status(db.session(), g.unit, year, today)
    counts: dict[str, int] = {}
    for _ward, standings in rows:
        for item in standings:
            counts[item.state] = counts.get(item.state, 0) + 1
    state = request.args.get("state") if request.args.get("state") in services.STANDING_LABELS else None
    if state:  # the wards with a report in that state
        rows = [(ward, standings) for ward, standings in rows if any(s.state == state for s in standings)]
    page = page_of(rows, request.args.get("page", type=bounded_int), PAGE_SIZE)
    return render_template("reports/status.html", year=year, rows=page.items, page=page,
                           state=state, counts=counts, labels=services, kinds=services.REVIEW_KINDS)


__all__ = ["bp"]
