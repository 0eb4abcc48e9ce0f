"""The plan page, creating plans from the template, the plan's own words, and its lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.forms_base import filled
from app.local_time import local_today
from app.models import Plan
from app.plans import bp, services
from app.plans.editing import register_editor
from app.plans.forms import CreatePlansForm, IssueForm
from app.plans.outline import plan_outline, task_marker
from app.plans.view_helpers import editor_url, may_edit, plan_or_404, plan_url, refused
from app.security import requires
from app.service_errors import ServiceError
from app.web.commit import commit, form_status
from app.web.language import page_language
from app.web.page_cache import ShownUnit, keeps_page, kept_fragment, kept_page, placeholder_csrf, roles_key

bp.add_app_template_global(editor_url)
bp.add_app_template_global(may_edit)
bp.add_app_template_global(task_marker)


def _plan_shown(unit: ShownUnit, roles: tuple[str, ...], args: dict[str, Any]) -> tuple[Hashable, ...] | None:
    """What the plan page shows changes only with the ward's data (its version: plans included), the
    day (overdue marks), and the roles and language it is seen with."""
    return "plan", unit.id, unit.data_version, args["year"], local_today(), roles, page_language()


@bp.get("/<int:year>")
@requires("plan.view")
@keeps_page(_plan_shown)
def show(year: int) -> ResponseReturnValue:
    shown = _plan_shown(g.unit, roles_key(g.roles), {"year": year}) or ()

    def render() -> ResponseReturnValue:
        plan = services.find_plan(db.session(), g.unit, year)
        if plan is None:
            return render_template("plans/missing.html", year=year), 404
        return render_template(
            "plans/plan.html",
            plan=plan,
            document=kept_fragment(("plan document", *shown), lambda: render_template(
                "plans/_document.html", plan=plan, outline=plan_outline(db.session(), plan),
                csrf_token=placeholder_csrf)),
            template=services.template_of(db.session(), plan),
            pending_proposals=services.pending_proposals(db.session(), plan),
        )

    return kept_page(render)


@bp.post("/<int:year>/create")
@requires("plan.create")
def create(year: int) -> ResponseReturnValue:
    try:
        commit(lambda: services.create_plan(db.session(), g.unit, year))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("plans.show", year=year) if g.unit.is_tenant else url_for("units.home"))
    flash(_l("Đã tạo kế hoạch năm %(year)s từ mẫu.", year=year), "success")
    return redirect(url_for("plans.show", year=year))


@bp.post("/create-for-wards")
@requires("plan.create_for_wards")
def create_for_wards() -> ResponseReturnValue:
    form = CreatePlansForm()
    if not form.validate():
        for message in (m for errors in form.errors.values() for m in errors):
            flash(message, "error")
        return redirect(url_for("units.home"))
    year = filled(form.year.data)
    try:
        result = commit(lambda: services.create_plans_for_wards(db.session(), g.unit, year, local_today()))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("units.home", year=year))
    flash(
        _l(
            "Đã tạo %(created)d kế hoạch năm %(year)s; %(skipped)d đơn vị đã có kế hoạch được giữ nguyên.",
            created=len(result.created),
            skipped=len(result.skipped),
            year=year,
        ),
        "success",
    )
    return redirect(url_for("units.home", year=year))


# --- lifecycle --------------------------------------------------------------------------------


def _lifecycle(year: int, step: Callable[[Plan], None], done: str) -> ResponseReturnValue:
    plan = plan_or_404(year)
    try:
        commit(lambda: step(plan))
    except ServiceError as error:
        return refused(plan, error)
    flash(done, "success")
    return redirect(plan_url(plan))


@bp.post("/<int:year>/submit")
@requires("plan.submit")
def submit(year: int) -> ResponseReturnValue:
    return _lifecycle(year, lambda p: services.submit(db.session(), p), _l("Đã trình kế hoạch để Chủ tịch ban hành."))


@bp.post("/<int:year>/return")
@requires("plan.issue")
def return_to_draft(year: int) -> ResponseReturnValue:
    return _lifecycle(
        year, lambda p: services.return_to_draft(db.session(), p), _l("Đã trả lại kế hoạch về dự thảo.")
    )


@bp.post("/<int:year>/reopen")
@requires("plan.reopen")
def reopen(year: int) -> ResponseReturnValue:
    return _lifecycle(
        year, lambda p: services.reopen(db.session(), p), _l("Đã mở lại kế hoạch; việc này được ghi vào nhật ký.")
    )


@bp.route("/<int:year>/issue", methods=["GET", "POST"])
@requires("plan.issue")
def issue(year: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    form = IssueForm(obj=None if request.method == "POST" else plan, year=plan.year)
    if not form.validate_on_submit():
        return render_template("plans/issue.html", plan=plan, form=form), form_status()
    try:
        commit(
            lambda: services.issue(
                db.session(),
                plan,
                number=form.number.data or "",
                issued_on=filled(form.issued_on.data),
                signer_name=form.signer_name.data or "",
            )
        )
    except ServiceError as error:
        return refused(plan, error)
    flash(_l("Đã ban hành kế hoạch số %(number)s.", number=plan.number), "success")
    return redirect(plan_url(plan))


register_editor(bp, "/<int:year>", lambda values: plan_or_404(values.pop("year")), "plan.view", "plan.edit")


