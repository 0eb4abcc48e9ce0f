"""Inline editing of a draft plan's sections and tasks (htmx fragments, or full pages without JS).

The same editor serves a ward's plan (`/u/<ward>/plans/<year>/...`, plan permissions) and a plan
template revision (`/u/<town>/templates/<template_id>/...`, template permissions): each view below
takes the plan, and `register_editor` puts the routes on a blueprint with its own loader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from htmx_flask import request as hx_request

from app.database import bounded_int
from app.extensions import db
from app.models import Plan, PlanSection, Role, Schedule, Task
from app.plans import services
from app.plans.forms import DeleteForm, MoveForm, PlanDocumentForm, SectionForm, TaskForm
from app.plans.view_helpers import (
    form_response,
    outline_or_redirect,
    plan_url,
    refused,
    section_or_404,
    task_or_404,
)
from app.security import requires
from app.service_errors import EditConflict, ServiceError
from app.web.commit import commit, form_status

# --- tasks ------------------------------------------------------------------------------------


def task_row(plan: Plan, task_id: int) -> ResponseReturnValue:
    task = task_or_404(plan, task_id)
    if hx_request.htmx:
        return render_template("plans/_task.html", plan=plan, task=task)
    return redirect(plan_url(plan, f"task-{task.id}"))


class _TaskFields(TypedDict):
    text: str
    owner_role: Role
    schedule: Schedule


def _task_fields(form: TaskForm) -> _TaskFields:
    return _TaskFields(
        text=form.text.data or "", owner_role=Role(form.owner_role.data), schedule=Schedule(form.schedule.data)
    )


def edit_task(plan: Plan, task_id: int) -> ResponseReturnValue:
    task = task_or_404(plan, task_id)
    section = section_or_404(plan, task.section_id)
    try:
        services.require_draft(plan)
    except ServiceError as error:
        return refused(plan, error, f"task-{task.id}")
    form = TaskForm(obj=task if request.method == "GET" else None)
    if not form.validate_on_submit():
        return form_response("plans/_task_form.html", form_status(), plan=plan, form=form, task=task, section=section)
    try:
        commit(lambda: services.update_task(db.session(), plan, task, version=form.version.data, **_task_fields(form)))
    except EditConflict as error:
        latest = task_or_404(plan, task_id)
        return form_response(
            "plans/_task_form.html", error.status, plan=plan, form=TaskForm(obj=latest, formdata=None),
            task=latest, section=section, conflict=error.message, attempted=form.text.data,
        )
    except ServiceError as error:
        return refused(plan, error, f"task-{task.id}")
    if hx_request.htmx:
        return render_template("plans/_task.html", plan=plan, task=task)
    flash(_l("Đã lưu nhiệm vụ."), "success")
    return redirect(plan_url(plan, f"task-{task.id}"))


def add_task(plan: Plan, section_id: int) -> ResponseReturnValue:
    section = section_or_404(plan, section_id)
    form = TaskForm()
    if not form.validate_on_submit():
        return form_response("plans/_task_form.html", form_status(), plan=plan, form=form, task=None, section=section)
    try:
        task = commit(lambda: services.add_task(db.session(), plan, section, **_task_fields(form)))
    except ServiceError as error:
        return refused(plan, error, f"section-{section.id}")
    if not hx_request.htmx:
        flash(_l("Đã thêm nhiệm vụ."), "success")
    return outline_or_redirect(plan, f"task-{task.id}")


def move_task(plan: Plan, task_id: int) -> ResponseReturnValue:
    return _move(plan, task_or_404(plan, task_id), services.move_task, f"task-{task_id}")


def delete_task(plan: Plan, task_id: int) -> ResponseReturnValue:
    task = task_or_404(plan, task_id)
    return _delete(plan, task, "task", services.delete_task, f"section-{task.section_id}", _l("Đã xóa nhiệm vụ."))


def _move(plan: Plan, item: Task | PlanSection, move: Callable[..., None], anchor: str) -> ResponseReturnValue:
    form = MoveForm()
    if not form.validate():
        abort(400)
    try:
        commit(lambda: move(db.session(), plan, item, form.step))
    except ServiceError as error:
        return refused(plan, error, anchor)
    return outline_or_redirect(plan, anchor)


def _delete(
    plan: Plan, item: Task | PlanSection, kind: str, delete: Callable[..., None], anchor: str, done: str
) -> ResponseReturnValue:
    """Confirm (a page without JavaScript), then delete the item if nobody changed it meanwhile."""
    form = DeleteForm(obj=item if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render_template("plans/confirm_delete.html", plan=plan, form=form, item=item, kind=kind)
    try:
        commit(lambda: delete(db.session(), plan, item, version=form.version.data))
    except ServiceError as error:
        return refused(plan, error, anchor)
    if not hx_request.htmx:
        flash(done, "success")
    return outline_or_redirect(plan, anchor)


# --- sections ---------------------------------------------------------------------------------


def _section_fields(form: SectionForm) -> dict[str, str]:
    return dict(number=form.number.data or "", title=form.title.data or "", body=form.body.data or "")


def section_heading(plan: Plan, section_id: int) -> ResponseReturnValue:
    section = section_or_404(plan, section_id)
    if hx_request.htmx:
        return render_template("plans/_section_heading.html", plan=plan, section=section)
    return redirect(plan_url(plan, f"section-{section.id}"))


def edit_section(plan: Plan, section_id: int) -> ResponseReturnValue:
    section = section_or_404(plan, section_id)
    try:
        services.require_draft(plan)
    except ServiceError as error:
        return refused(plan, error, f"section-{section.id}")
    form = SectionForm(obj=section if request.method == "GET" else None)
    if not form.validate_on_submit():
        return form_response("plans/_section_form.html", form_status(), plan=plan, form=form, section=section, parent=None)
    try:
        commit(lambda: services.update_section(db.session(), plan, section, version=form.version.data,
                                               **_section_fields(form)))
    except EditConflict as error:
        latest = section_or_404(plan, section_id)
        return form_response(
            "plans/_section_form.html", error.status, plan=plan, form=SectionForm(obj=latest, formdata=None),
            section=latest, parent=None, conflict=error.message,
            attempted=" ".join(filter(None, [form.title.data, form.body.data])),
        )
    except ServiceError as error:
        return refused(plan, error, f"section-{section.id}")
    if hx_request.htmx:
        return render_template("plans/_section_heading.html", plan=plan, section=section)
    flash(_l("Đã lưu mục."), "success")
    return redirect(plan_url(plan, f"section-{section.id}"))


def add_section(plan: Plan) -> ResponseReturnValue:
    parent_id = request.args.get("parent", type=bounded_int)
    parent = section_or_404(plan, parent_id) if parent_id else None
    form = SectionForm()
    if not form.validate_on_submit():
        return form_response("plans/_section_form.html", form_status(), plan=plan, form=form, section=None, parent=parent)
    try:
        section = commit(lambda: services.add_section(db.session(), plan, parent, **_section_fields(form)))
    except ServiceError as error:
        return refused(plan, error)
    if not hx_request.htmx:
        flash(_l("Đã thêm mục."), "success")
    return outline_or_redirect(plan, f"section-{section.id}")


def move_section(plan: Plan, section_id: int) -> ResponseReturnValue:
    return _move(plan, section_or_404(plan, section_id), services.move_section, f"section-{section_id}")


def delete_section(plan: Plan, section_id: int) -> ResponseReturnValue:
    section = section_or_404(plan, section_id)
    return _delete(plan, section, "section", services.delete_section, "plan-outline", _l("Đã xóa mục."))


# --- the document's own words (title, preamble, legal bases, closing, recipients) -----------


def edit_document(plan: Plan) -> ResponseReturnValue:
    try:
        services.require_draft(plan)
    except ServiceError as error:
        return refused(plan, error)
    form = PlanDocumentForm(obj=plan if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_from(plan)
    page = dict(plan=plan, fragment="plans/_document_form.html")
    if not form.validate_on_submit():
        return render_template("plans/edit_page.html", form=form, **page), form_status()
    try:
        commit(
            lambda: services.update_document(
                db.session(),
                plan,
                version=form.version.data,
                title=form.title.data or "",
                preamble=form.preamble.data or "",
                legal_bases=form.legal_basis_list,
                closing=form.closing.data or "",
                recipients=form.recipient_list,
                signer_title=form.signer_title.data or "",
            )
        )
    except EditConflict as error:
        latest = db.session.get_one(Plan, plan.id)
        fresh = PlanDocumentForm(obj=latest, formdata=None)
        fresh.fill_from(latest)
        attempted = "\n\n".join(filter(None, (f.data for f in form if f.name not in ("csrf_token", "version"))))
        return render_template(
            "plans/edit_page.html", form=fresh, conflict=error.message, attempted=attempted, **page
        ), error.status
    except ServiceError as error:
        return refused(plan, error)
    flash(_l("Đã lưu phần mở đầu, căn cứ và nơi nhận."), "success")
    return redirect(plan_url(plan))



# --- routes ---------------------------------------------------------------------------------------

# (rule under the plan's prefix, endpoint, view, methods, needs the edit permission)
EDITOR_ROUTES: list[tuple[str, str, Callable[..., ResponseReturnValue], list[str], bool]] = [
    ("/document/edit", "edit_document", edit_document, ["GET", "POST"], True),
    ("/tasks/<int:task_id>", "task_row", task_row, ["GET"], False),
    ("/tasks/<int:task_id>/edit", "edit_task", edit_task, ["GET", "POST"], True),
    ("/sections/<int:section_id>/tasks/new", "add_task", add_task, ["GET", "POST"], True),
    ("/tasks/<int:task_id>/move", "move_task", move_task, ["POST"], True),
    ("/tasks/<int:task_id>/delete", "delete_task", delete_task, ["GET", "POST"], True),
    ("/sections/<int:section_id>", "section_heading", section_heading, ["GET"], False),
    ("/sections/<int:section_id>/edit", "edit_section", edit_section, ["GET", "POST"], True),
    ("/sections/new", "add_section", add_section, ["GET", "POST"], True),
    ("/sections/<int:section_id>/move", "move_section", move_section, ["POST"], True),
    ("/sections/<int:section_id>/delete", "delete_section", delete_section, ["GET", "POST"], True),
]


def register_editor(
    bp: Blueprint, prefix: str, load: Callable[[dict[str, Any]], Plan], view_permission: str, edit_permission: str
) -> None:
    """Put the editor's routes on `bp` under `prefix`; `load` pops the plan's key from the URL values."""
    for rule, endpoint, implementation, methods, edits in EDITOR_ROUTES:

        def view(
            _implementation: Callable[..., ResponseReturnValue] = implementation, **values: Any
        ) -> ResponseReturnValue:
            plan = load(values)
            return _implementation(plan, **values)

        view.__name__ = endpoint
        bp.add_url_rule(
            prefix + rule, endpoint, requires(edit_permission if edits else view_permission)(view), methods=methods
        )
