"""The plan page, inline editing of sections and tasks, and the plan's lifecycle."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from htmx_flask import request as hx_request
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Plan, PlanSection, Role, Schedule, Task
from app.plans import services
from app.plans.errors import EditConflict, PlanError, PlanLocked
from app.plans.forms import (
    CreatePlansForm,
    DeleteForm,
    IssueForm,
    MoveForm,
    PlanDocumentForm,
    SectionForm,
    TaskForm,
)
from app.plans.outline import plan_outline
from app.security import requires

bp = Blueprint("plans", __name__)


# --- loading ---------------------------------------------------------------------------------


def _plan(year: int) -> Plan:
    plan = services.find_plan(db.session, g.unit, year)
    if plan is None:
        abort(404)
    return plan


def _task(plan: Plan, task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or task.plan_id != plan.id:
        abort(404)
    return task


def _section(plan: Plan, section_id: int) -> PlanSection:
    section = db.session.get(PlanSection, section_id)
    if section is None or section.plan_id != plan.id:
        abort(404)
    return section


def _commit(change: Callable[[], object]) -> None:
    """Run a service call and commit; a concurrent edit caught at flush becomes an EditConflict."""
    try:
        change()
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise EditConflict(services.CONFLICT_MESSAGE) from error
    except PlanError:
        db.session.rollback()
        raise


def _plan_url(plan: Plan, anchor: str = "") -> str:
    return url_for("plans.show", year=plan.year) + (f"#{anchor}" if anchor else "")


def _outline_fragment(plan: Plan, status: int = 200, message: object | None = None):  # type: ignore[no-untyped-def]
    """The whole outline, swapped in place of the current one whatever element asked."""
    html = render_template("plans/_outline.html", plan=plan, outline=plan_outline(db.session, plan), message=message)
    return html, status, {"HX-Retarget": "#plan-outline", "HX-Reswap": "outerHTML"}


def _outline_or_redirect(plan: Plan, anchor: str = ""):  # type: ignore[no-untyped-def]
    if hx_request.htmx:
        return _outline_fragment(plan)
    return redirect(_plan_url(plan, anchor))


def _refused(plan: Plan, error: PlanError, anchor: str = ""):  # type: ignore[no-untyped-def]
    if hx_request.htmx:
        return _outline_fragment(plan, error.status, error.message)
    flash(error.message, "error")
    return redirect(_plan_url(plan, anchor))


# --- the plan ---------------------------------------------------------------------------------


@bp.get("/<int:year>")
@requires("plan.view")
def show(year: int):  # type: ignore[no-untyped-def]
    plan = services.find_plan(db.session, g.unit, year)
    if plan is None:
        return render_template("plans/missing.html", year=year), 404
    template = db.session.get(Plan, plan.template_id) if plan.template_id else None
    return render_template(
        "plans/plan.html",
        plan=plan,
        template=template,
        outline=plan_outline(db.session, plan),
        issue_form=IssueForm(signer_name=plan.signer_name),
    )


@bp.post("/<int:year>/create")
@requires("plan.create")
def create(year: int):  # type: ignore[no-untyped-def]
    if not g.unit.is_tenant or not 2000 <= year <= 2100:
        abort(404)
    if services.find_plan(db.session, g.unit, year) is not None:
        flash(_l("Đơn vị đã có kế hoạch năm %(year)s.", year=year), "info")
        return redirect(url_for("plans.show", year=year))
    try:
        services.create_plan(db.session, g.unit, year)
        db.session.commit()
    except PlanError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("units.home"))
    flash(_l("Đã tạo kế hoạch năm %(year)s từ mẫu.", year=year), "success")
    return redirect(url_for("plans.show", year=year))


@bp.post("/create-for-wards")
@requires("plan.create_for_wards")
def create_for_wards():  # type: ignore[no-untyped-def]
    form = CreatePlansForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("units.home"))
    year = form.year.data
    try:
        result = services.create_plans_for_wards(db.session, g.unit, year)
        db.session.commit()
    except PlanError as error:
        db.session.rollback()
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


def _lifecycle(year: int, step: Callable[[Plan], None], done: object):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    try:
        _commit(lambda: step(plan))
    except PlanError as error:
        return _refused(plan, error)
    flash(done, "success")
    return redirect(_plan_url(plan))


@bp.post("/<int:year>/submit")
@requires("plan.submit")
def submit(year: int):  # type: ignore[no-untyped-def]
    return _lifecycle(year, lambda p: services.submit(db.session, p), _l("Đã trình kế hoạch để Chủ tịch ban hành."))


@bp.post("/<int:year>/return")
@requires("plan.issue")
def return_to_draft(year: int):  # type: ignore[no-untyped-def]
    return _lifecycle(
        year, lambda p: services.return_to_draft(db.session, p), _l("Đã trả lại kế hoạch về dự thảo.")
    )


@bp.post("/<int:year>/reopen")
@requires("plan.reopen")
def reopen(year: int):  # type: ignore[no-untyped-def]
    return _lifecycle(
        year, lambda p: services.reopen(db.session, p), _l("Đã mở lại kế hoạch; việc này được ghi vào nhật ký.")
    )


@bp.route("/<int:year>/issue", methods=["GET", "POST"])
@requires("plan.issue")
def issue(year: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    form = IssueForm(obj=None if request.method == "POST" else plan)
    if form.validate_on_submit():
        try:
            _commit(
                lambda: services.issue(
                    db.session,
                    plan,
                    number=form.number.data or "",
                    issued_on=form.issued_on.data,
                    signer_name=form.signer_name.data or "",
                )
            )
        except PlanError as error:
            return _refused(plan, error)
        flash(_l("Đã ban hành kế hoạch số %(number)s.", number=plan.number), "success")
        return redirect(_plan_url(plan))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/issue.html", plan=plan, form=form), status


@bp.route("/<int:year>/document/edit", methods=["GET", "POST"])
@requires("plan.edit")
def edit_document(year: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    if not plan.editable:
        return _refused(plan, PlanLocked(_l("Kế hoạch không ở trạng thái dự thảo nên không thể sửa.")))
    form = PlanDocumentForm(obj=plan if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_from(plan)
    context = dict(plan=plan, fragment="plans/_document_form.html")
    if not form.validate_on_submit():
        return render_template("plans/edit_page.html", form=form, **context), 400 if request.method == "POST" else 200
    try:
        _commit(
            lambda: services.update_document(
                db.session,
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
        latest = _plan(year)
        fresh = PlanDocumentForm(obj=latest, formdata=None)
        fresh.fill_from(latest)
        return render_template(
            "plans/edit_page.html", form=fresh, conflict=error.message, attempted=form.title.data, **context
        ), error.status
    except PlanError as error:
        return _refused(plan, error)
    flash(_l("Đã lưu phần mở đầu, căn cứ và nơi nhận."), "success")
    return redirect(_plan_url(plan))


# --- tasks ------------------------------------------------------------------------------------


def _task_form_response(plan: Plan, form: TaskForm, task: Task | None, section: PlanSection, status: int, **extra):  # type: ignore[no-untyped-def]
    fragment = "plans/_task_form.html"
    context = dict(plan=plan, form=form, task=task, section=section, **extra)
    if hx_request.htmx:
        return render_template(fragment, **context), status
    return render_template("plans/edit_page.html", fragment=fragment, **context), status


@bp.get("/<int:year>/tasks/<int:task_id>")
@requires("plan.view")
def task_row(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    task = _task(plan, task_id)
    if hx_request.htmx:
        return render_template("plans/_task.html", plan=plan, task=task)
    return redirect(_plan_url(plan, f"task-{task.id}"))


@bp.route("/<int:year>/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def edit_task(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    task = _task(plan, task_id)
    section = _section(plan, task.section_id)
    form = TaskForm(obj=task if request.method == "GET" else None)
    if request.method == "GET" and not plan.editable:
        return _refused(plan, PlanLocked(_l("Kế hoạch không ở trạng thái dự thảo nên không thể sửa.")))
    if not form.validate_on_submit():
        return _task_form_response(plan, form, task, section, 400 if request.method == "POST" else 200)
    try:
        _commit(
            lambda: services.update_task(
                db.session,
                plan,
                task,
                version=form.version.data,
                text=form.text.data or "",
                owner_role=Role(form.owner_role.data),
                schedule=Schedule(form.schedule.data),
            )
        )
    except EditConflict as error:
        latest = _task(plan, task_id)
        attempted = form.text.data
        return _task_form_response(
            plan, TaskForm(obj=latest, formdata=None), latest, section, error.status,
            conflict=error.message, attempted=attempted,
        )
    except PlanError as error:
        return _refused(plan, error, f"task-{task.id}")
    if hx_request.htmx:
        return render_template("plans/_task.html", plan=plan, task=task)
    flash(_l("Đã lưu nhiệm vụ."), "success")
    return redirect(_plan_url(plan, f"task-{task.id}"))


@bp.route("/<int:year>/sections/<int:section_id>/tasks/new", methods=["GET", "POST"])
@requires("plan.edit")
def add_task(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    section = _section(plan, section_id)
    form = TaskForm()
    if not form.validate_on_submit():
        return _task_form_response(plan, form, None, section, 400 if request.method == "POST" else 200)
    created: list[Task] = []
    try:
        _commit(
            lambda: created.append(
                services.add_task(
                    db.session,
                    plan,
                    section,
                    text=form.text.data or "",
                    owner_role=Role(form.owner_role.data),
                    schedule=Schedule(form.schedule.data),
                )
            )
        )
    except PlanError as error:
        return _refused(plan, error, f"section-{section.id}")
    if not hx_request.htmx:
        flash(_l("Đã thêm nhiệm vụ."), "success")
    return _outline_or_redirect(plan, f"task-{created[0].id}")


@bp.post("/<int:year>/tasks/<int:task_id>/move")
@requires("plan.edit")
def move_task(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    task = _task(plan, task_id)
    form = MoveForm()
    if not form.validate():
        abort(400)
    try:
        _commit(lambda: services.move_task(db.session, plan, task, form.step))
    except PlanError as error:
        return _refused(plan, error, f"task-{task.id}")
    return _outline_or_redirect(plan, f"task-{task.id}")


@bp.route("/<int:year>/tasks/<int:task_id>/delete", methods=["GET", "POST"])
@requires("plan.edit")
def delete_task(year: int, task_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    task = _task(plan, task_id)
    form = DeleteForm(obj=task if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render_template("plans/confirm_delete.html", plan=plan, form=form, item=task, kind="task")
    section_id = task.section_id
    try:
        _commit(lambda: services.delete_task(db.session, plan, task, version=form.version.data))
    except PlanError as error:
        return _refused(plan, error, f"task-{task.id}")
    if not hx_request.htmx:
        flash(_l("Đã xóa nhiệm vụ."), "success")
    return _outline_or_redirect(plan, f"section-{section_id}")


# --- sections ---------------------------------------------------------------------------------


def _section_form_response(plan: Plan, form: SectionForm, section: PlanSection | None, parent: PlanSection | None, status: int, **extra):  # type: ignore[no-untyped-def]
    fragment = "plans/_section_form.html"
    context = dict(plan=plan, form=form, section=section, parent=parent, **extra)
    if hx_request.htmx:
        return render_template(fragment, **context), status
    return render_template("plans/edit_page.html", fragment=fragment, **context), status


@bp.get("/<int:year>/sections/<int:section_id>")
@requires("plan.view")
def section_heading(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    section = _section(plan, section_id)
    if hx_request.htmx:
        return render_template("plans/_section_heading.html", plan=plan, section=section)
    return redirect(_plan_url(plan, f"section-{section.id}"))


@bp.route("/<int:year>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@requires("plan.edit")
def edit_section(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    section = _section(plan, section_id)
    form = SectionForm(obj=section if request.method == "GET" else None)
    if request.method == "GET" and not plan.editable:
        return _refused(plan, PlanLocked(_l("Kế hoạch không ở trạng thái dự thảo nên không thể sửa.")))
    if not form.validate_on_submit():
        return _section_form_response(plan, form, section, None, 400 if request.method == "POST" else 200)
    try:
        _commit(
            lambda: services.update_section(
                db.session,
                plan,
                section,
                version=form.version.data,
                number=form.number.data or "",
                title=form.title.data or "",
                body=form.body.data or "",
            )
        )
    except EditConflict as error:
        latest = _section(plan, section_id)
        return _section_form_response(
            plan, SectionForm(obj=latest, formdata=None), latest, None, error.status,
            conflict=error.message, attempted=" ".join(filter(None, [form.title.data, form.body.data])),
        )
    except PlanError as error:
        return _refused(plan, error, f"section-{section.id}")
    if hx_request.htmx:
        return render_template("plans/_section_heading.html", plan=plan, section=section)
    flash(_l("Đã lưu mục."), "success")
    return redirect(_plan_url(plan, f"section-{section.id}"))


@bp.route("/<int:year>/sections/new", methods=["GET", "POST"])
@requires("plan.edit")
def add_section(year: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    parent_id = request.args.get("parent", type=int)
    parent = _section(plan, parent_id) if parent_id else None
    form = SectionForm()
    if not form.validate_on_submit():
        return _section_form_response(plan, form, None, parent, 400 if request.method == "POST" else 200)
    created: list[PlanSection] = []
    try:
        _commit(
            lambda: created.append(
                services.add_section(
                    db.session,
                    plan,
                    parent,
                    number=form.number.data or "",
                    title=form.title.data or "",
                    body=form.body.data or "",
                )
            )
        )
    except PlanError as error:
        return _refused(plan, error)
    if not hx_request.htmx:
        flash(_l("Đã thêm mục."), "success")
    return _outline_or_redirect(plan, f"section-{created[0].id}")


@bp.post("/<int:year>/sections/<int:section_id>/move")
@requires("plan.edit")
def move_section(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    section = _section(plan, section_id)
    form = MoveForm()
    if not form.validate():
        abort(400)
    try:
        _commit(lambda: services.move_section(db.session, plan, section, form.step))
    except PlanError as error:
        return _refused(plan, error, f"section-{section.id}")
    return _outline_or_redirect(plan, f"section-{section.id}")


@bp.route("/<int:year>/sections/<int:section_id>/delete", methods=["GET", "POST"])
@requires("plan.edit")
def delete_section(year: int, section_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(year)
    section = _section(plan, section_id)
    form = DeleteForm(obj=section if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render_template("plans/confirm_delete.html", plan=plan, form=form, item=section, kind="section")
    try:
        _commit(lambda: services.delete_section(db.session, plan, section, version=form.version.data))
    except PlanError as error:
        return _refused(plan, error, f"section-{section.id}")
    if not hx_request.htmx:
        flash(_l("Đã xóa mục."), "success")
    return _outline_or_redirect(plan)


__all__ = ["bp"]
