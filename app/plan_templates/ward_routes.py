"""A ward plan against its template, the template's proposals to it, and next year's plan (under the
plan's own address, /u/<ward>/plans/<year>/…)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.local_time import local_today
from app.models import Plan, PlanProposal, Task
from app.plan_templates import changes, diff, rollover
from app.plan_templates import ward_bp as bp
from app.plans import services
from app.plans.forms import RolloverForm
from app.plans.instantiate import latest_template
from app.plans.view_helpers import plan_or_404, plan_url
from app.security import requires
from app.service_errors import ServiceError
from app.web.commit import commit, form_status


@bp.get("/<int:year>/difference")
@requires("plan.view")
def difference(year: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    proposals = db.session.scalars(
        select(PlanProposal).where(PlanProposal.plan_id == plan.id).order_by(PlanProposal.id.desc())
    ).all()
    return render_template(
        "plans/difference.html", plan=plan, difference=diff.plan_difference(db.session(), plan), proposals=proposals
    )


def _proposal_or_404(year: int, proposal_id: int) -> tuple[Plan, PlanProposal]:
    plan = plan_or_404(year)
    proposal = db.session.get(PlanProposal, proposal_id)
    if proposal is None or proposal.plan_id != plan.id:
        abort(404)
    return plan, proposal


@bp.get("/<int:year>/proposals/<int:proposal_id>")
@requires("plan.view")
def proposal(year: int, proposal_id: int) -> ResponseReturnValue:
    plan, found = _proposal_or_404(year, proposal_id)
    ward_tasks = {
        t.template_task_id: t for t in db.session.scalars(select(Task).where(Task.plan_id == plan.id)) if t.template_task_id
    }
    return render_template(
        "plans/proposal.html", plan=plan, proposal=found, ward_tasks=ward_tasks, kept=changes.ward_kept_template
    )


@bp.post("/<int:year>/proposals/<int:proposal_id>/accept")
@requires("plan.edit")
def accept_proposal(year: int, proposal_id: int) -> ResponseReturnValue:
    plan, found = _proposal_or_404(year, proposal_id)
    # The proposal page sends the changes ticked; a form without the list takes them all.
    ticked = request.form.getlist("take")
    chosen = {int(v) for v in ticked if v.isdigit() and len(v) < 6} if request.form.get("choosing") else None
    try:
        outcome = commit(lambda: changes.accept(db.session(), found, plan, current_user.label, chosen))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("ward_templates.proposal", year=year, proposal_id=proposal_id))
    flash(_l("Đã nhận %(count)s thay đổi của mẫu vào kế hoạch.", count=outcome.applied), "success")
    if outcome.left:
        flash(_l("%(count)s thay đổi không chọn: kế hoạch giữ nguyên phần đó.", count=outcome.left), "info")
    for text in outcome.kept:
        flash(_l("Giữ lại nhiệm vụ đã có báo cáo tiến độ: %(text)s", text=text[:120]), "info")
    for text in outcome.own:
        flash(_l("Giữ nguyên phần đơn vị đã tự sửa: %(text)s", text=text[:120]), "info")
    return redirect(plan_url(plan))


@bp.post("/<int:year>/proposals/<int:proposal_id>/decline")
@requires("plan.edit")
def decline_proposal(year: int, proposal_id: int) -> ResponseReturnValue:
    plan, found = _proposal_or_404(year, proposal_id)
    try:
        commit(lambda: changes.decline(db.session(), found, current_user.label))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("ward_templates.proposal", year=year, proposal_id=proposal_id))
    flash(_l("Đã từ chối thay đổi của mẫu; kế hoạch giữ nguyên."), "success")
    return redirect(url_for("ward_templates.difference", year=year))


@bp.route("/<int:year>/next-year", methods=["GET", "POST"])
@requires("plan.create")
def next_year(year: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    form = RolloverForm()

    def page(status: int, **extra: object) -> ResponseReturnValue:
        """The form, with what the user should know first (read only when the page is shown)."""
        template = latest_template(db.session(), year + 1, g.unit)
        return render_template(
            "plans/next_year.html",
            plan=plan,
            form=form,
            template=template if template is not None and template.year == year + 1 else None,
            unfinished=len(rollover.unfinished_task_ids(db.session(), plan, local_today())),
            existing=services.find_plan(db.session(), g.unit, year + 1),
            **extra,
        ), status

    if not form.validate_on_submit():
        return page(form_status())
    try:
        result = commit(lambda: rollover.roll_over(db.session(), plan, form.source.data, local_today()))
    except ServiceError as error:
        return page(error.status, error=error.message)
    flash(
        _l(
            "Đã lập kế hoạch năm %(year)s: %(carried)s nhiệm vụ chưa xong năm trước được đánh dấu, %(moved)s mốc thời gian được chuyển sang năm mới.",
            year=result.plan.year, carried=result.carried_over, moved=result.dates_moved,
        ),
        "success",
    )
    return redirect(plan_url(result.plan))

