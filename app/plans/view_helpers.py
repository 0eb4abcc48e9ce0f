"""What the plan views share: loading within the plan, committing, and answering htmx or a page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from htmx_flask import request as hx_request

from app.extensions import db
from app.models import Plan, PlanSection, Task
from app.plans import services
from app.plans.outline import plan_outline
from app.service_errors import ServiceError


def plan_or_404(year: int) -> Plan:
    plan = services.find_plan(db.session(), g.unit, year)
    if plan is None:
        abort(404)
    return plan


def task_or_404(plan: Plan, task_id: int) -> Task:
    return services.task_in(db.session(), plan, task_id) or abort(404)


def section_or_404(plan: Plan, section_id: int) -> PlanSection:
    return services.section_in(db.session(), plan, section_id) or abort(404)


def editor_url(plan: Plan, endpoint: str, **values: Any) -> str:
    """A URL of the editor for `plan`: a ward plan's by year, a template revision's by id."""
    if plan.is_template:
        return url_for(f"templates.{endpoint}", template_id=plan.id, **values)
    return url_for(f"plans.{endpoint}", year=plan.year, **values)


def plan_url(plan: Plan, anchor: str = "") -> str:
    return editor_url(plan, "show") + (f"#{anchor}" if anchor else "")


def may_edit(plan: Plan) -> bool:
    """For templates: is `plan` a draft the current user may edit here?"""
    from app.security import can

    return plan.editable and can("template.edit" if plan.is_template else "plan.edit")


def outline_fragment(plan: Plan, status: int = 200, message: str | None = None) -> ResponseReturnValue:
    """The whole outline, swapped in place of the current one whatever element asked."""
    html = render_template("plans/_outline.html", plan=plan, outline=plan_outline(db.session(), plan), message=message)
    return html, status, {"HX-Retarget": "#plan-outline", "HX-Reswap": "outerHTML"}


def outline_or_redirect(plan: Plan, anchor: str = "") -> ResponseReturnValue:
    if hx_request.htmx:
        return outline_fragment(plan)
    return redirect(plan_url(plan, anchor))


def refused(plan: Plan, error: ServiceError, anchor: str = "") -> ResponseReturnValue:
    """Tell the user why: in the outline for htmx, as a message on the plan page otherwise."""
    if hx_request.htmx:
        return outline_fragment(plan, error.status, error.message)
    flash(error.message, "error")
    return redirect(plan_url(plan, anchor))


def form_response(fragment: str, status: int, **context: Any) -> ResponseReturnValue:
    """An editing form: the bare fragment for htmx, inside a full page otherwise."""
    if hx_request.htmx:
        return render_template(fragment, **context), status
    return render_template("plans/edit_page.html", fragment=fragment, **context), status
