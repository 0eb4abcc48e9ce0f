"""Inline editing of a draft plan's sections and tasks (htmx fragments, or full pages without JS)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from htmx_flask import request as hx_request

from app.database import bounded_int
from app.extensions import db
from app.models import Plan, PlanSection, Role, Schedule, Task
from app.plans import services
from app.plans.errors import EditConflict, PlanError
from app.plans.forms import DeleteForm, MoveForm, SectionForm, TaskForm
from app.plans.routes import bp
from app.plans.views import (
    commit,
    form_response,
    form_status,
    outline_or_redirect,
    plan_or_404,
    plan_url,
    refused,
    section_or_404,
    task_or_404,
)
from app.security import requires

# --- tasks ------------------------------------------------------------------------------------


@bp.get("/<int:year>/tasks/<int:task_id>")
@requires("plan.view")
def task_row(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    task = task_or_404(plan, task_id)
    if hx_request.htmx:
        return render_template("plans/_task.html", plan=plan, task=task)
    return redirect(plan_url(plan, f"task-{task.id}"))


def _task_fields(form: TaskForm) -> dict[str, object]:
    return dict(text=form.text.data or "", owner_role=Role(form.owner_role.data), schedule=Schedule(form.schedule.data))


@bp.route("/<int:year>/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def edit_task(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    task = task_or_404(plan, task_id)
    section = section_or_404(plan, task.section_id)
    try:
        services.require_draft(plan)
    except PlanError as error:
        return refused(plan, error, f"task-{task.id}")
    form = TaskForm(obj=task if request.method == "GET" else None)
    if not form.validate_on_submit():
        return form_response("plans/_task_form.html", form_status(), plan=plan, form=form, task=task, section=section)
    try:
        commit(lambda: services.update_task(db.session, plan, task, version=form.version.data, **_task_fields(form)))
    except EditConflict as error:
        latest = task_or_404(plan, task_id)
        return form_response(
            "plans/_task_form.html", error.status, plan=plan, form=TaskForm(obj=latest, formdata=None),
            task=latest, section=section, conflict=error.message, attempted=form.text.data,
        )
    except PlanError as error:
        return refused(plan, error, f"task-{task.id}")
    if hx_request.htmx:
        return render_template("plans/_task.html", plan=plan, task=task)
    flash(_l("Đã lưu nhiệm vụ."), "success")
    return redirect(plan_url(plan, f"task-{task.id}"))


@bp.route("/<int:year>/sections/<int:section_id>/tasks/new", methods=["GET", "POST"])
@requires("plan.edit")
def add_task(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    section = section_or_404(plan, section_id)
    form = TaskForm()
    if not form.validate_on_submit():
        return form_response("plans/_task_form.html", form_status(), plan=plan, form=form, task=None, section=section)
    try:
        task = commit(lambda: services.add_task(db.session, plan, section, **_task_fields(form)))
    except PlanError as error:
        return refused(plan, error, f"section-{section.id}")
    if not hx_request.htmx:
        flash(_l("Đã thêm nhiệm vụ."), "success")
    return outline_or_redirect(plan, f"task-{task.id}")


@bp.post("/<int:year>/tasks/<int:task_id>/move")
@requires("plan.edit")
def move_task(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    return _move(plan, task_or_404(plan, task_id), services.move_task, f"task-{task_id}")


@bp.route("/<int:year>/tasks/<int:task_id>/delete", methods=["GET", "POST"])
@requires("plan.edit")
def delete_task(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    task = task_or_404(plan, task_id)
    return _delete(plan, task, "task", services.delete_task, f"section-{task.section_id}", _l("Đã xóa nhiệm vụ."))


def _move(plan: Plan, item: Task | PlanSection, move: Callable[..., None], anchor: str):  # type: ignore[no-untyped-def]
    form = MoveForm()
    if not form.validate():
        abort(400)
    try:
        commit(lambda: move(db.session, plan, item, form.step))
    except PlanError as error:
        return refused(plan, error, anchor)
    return outline_or_redirect(plan, anchor)


def _delete(plan: Plan, item: Task | PlanSection, kind: str, delete: Callable[..., None], anchor: str, done: object):  # type: ignore[no-untyped-def]
    """Confirm (a page without JavaScript), then delete the item if nobody changed it meanwhile."""
    form = DeleteForm(obj=item if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render_template("plans/confirm_delete.html", plan=plan, form=form, item=item, kind=kind)
    try:
        commit(lambda: delete(db.session, plan, item, version=form.version.data))
    except PlanError as error:
        return refused(plan, error, anchor)
    if not hx_request.htmx:
        flash(done, "success")
    return outline_or_redirect(plan, anchor)


# --- sections ---------------------------------------------------------------------------------


def _section_fields(form: SectionForm) -> dict[str, str]:
    return dict(number=form.number.data or "", title=form.title.data or "", body=form.body.data or "")


@bp.get("/<int:year>/sections/<int:section_id>")
@requires("plan.view")
def section_heading(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    section = section_or_404(plan, section_id)
    if hx_request.htmx:
        return render_template("plans/_section_heading.html", plan=plan, section=section)
    return redirect(plan_url(plan, f"section-{section.id}"))


@bp.route("/<int:year>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def edit_section(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    section = section_or_404(plan, section_id)
    try:
        services.require_draft(plan)
    except PlanError as error:
        return refused(plan, error, f"section-{section.id}")
    form = SectionForm(obj=section if request.method == "GET" else None)
    if not form.validate_on_submit():
        return form_response("plans/_section_form.html", form_status(), plan=plan, form=form, section=section, parent=None)
    try:
        commit(lambda: services.update_section(db.session, plan, section, version=form.version.data,
                                               **_section_fields(form)))
    except EditConflict as error:
        latest = section_or_404(plan, section_id)
        return form_response(
            "plans/_section_form.html", error.status, plan=plan, form=SectionForm(obj=latest, formdata=None),
            section=latest, parent=None, conflict=error.message,
            attempted=" ".join(filter(None, [form.title.data, form.body.data])),
        )
    except PlanError as error:
        return refused(plan, error, f"section-{section.id}")
    if hx_request.htmx:
        return render_template("plans/_section_heading.html", plan=plan, section=section)
    flash(_l("Đã lưu mục."), "success")
    return redirect(plan_url(plan, f"section-{section.id}"))


@bp.route("/<int:year>/sections/new", methods=["GET", "POST"])
@requires("plan.edit")
def add_section(year: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    parent_id = request.args.get("parent", type=bounded_int)
    parent = section_or_404(plan, parent_id) if parent_id else None
    form = SectionForm()
    if not form.validate_on_submit():
        return form_response("plans/_section_form.html", form_status(), plan=plan, form=form, section=None, parent=parent)
    try:
        section = commit(lambda: services.add_section(db.session, plan, parent, **_section_fields(form)))
    except PlanError as error:
        return refused(plan, error)
    if not hx_request.htmx:
        flash(_l("Đã thêm mục."), "success")
    return outline_or_redirect(plan, f"section-{section.id}")


@bp.post("/<int:year>/sections/<int:section_id>/move")
@requires("plan.edit")
def move_section(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    return _move(plan, section_or_404(plan, section_id), services.move_section, f"section-{section_id}")


@bp.route("/<int:year>/sections/<int:section_id>/delete", methods=["GET", "POST"])
@requires("plan.edit")
def delete_section(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = plan_or_404(year)
    section = section_or_404(plan, section_id)
    return _delete(plan, section, "section", services.delete_section, "plan-outline", _l("Đã xóa mục."))
