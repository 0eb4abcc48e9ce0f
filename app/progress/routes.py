"""Task progress: the task's timeline and update form, evidence downloads, and the plan's overview."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from htmx_flask import request as hx_request
from sqlalchemy.exc import OperationalError

from app.errors import render_error, storage_full
from app.extensions import db
from app.forms_base import filled
from app.local_time import local_today
from app.models import Plan, ProgressStatus, Task
from app.plans.outline import iter_nodes, plan_outline
from app.plans.view_helpers import plan_or_404, task_or_404
from app.progress import bp, services
from app.progress import schedule as schedules
from app.progress.evidence import DEFAULT_MAX_BYTES, Upload, human_size
from app.progress.forms import ProgressForm
from app.security import requires

EVIDENCE_STORAGE_FULL = _l(
    "Bộ nhớ lưu trữ của hệ thống đã đầy nên cập nhật này và các tệp minh chứng chưa được lưu "
    "(không có gì được lưu dở dang). Vui lòng báo quản trị hệ thống giải phóng dung lượng rồi gửi lại."
)


def max_evidence_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES") or DEFAULT_MAX_BYTES)


# --- for templates (the plan page's task rows) -----------------------------------------------


@bp.app_template_global("task_progress")
def task_progress(plan: Plan) -> dict[int, services.TaskProgress]:
    """{task_id: summary} of the plan, read once per request whichever template asks."""
    cache: dict[int, dict[int, services.TaskProgress]] = g.setdefault("task_progress", {})
    if plan.id not in cache:
        cache[plan.id] = services.task_summaries(db.session(), plan, local_today())
    return cache[plan.id]


bp.add_app_template_filter(human_size, "file_size")


@bp.app_template_global("may_record_progress")
def may_record_progress(plan: Plan, task: Task) -> bool:
    return plan.takes_progress and services.may_record(task, g.get("roles") or ())


# --- one task --------------------------------------------------------------------------------


def _form(plan: Plan, task: Task, progress: services.TaskProgress | None, today: date, *, fresh: bool) -> ProgressForm:
    """The update form: `fresh` (nothing typed yet) starts from where the task stands, else holds what was sent."""
    form = ProgressForm(formdata=None) if fresh else ProgressForm()
    if fresh and progress is not None and progress.percent is not None:
        form.percent.data = progress.percent
        if progress.status is not None:  # with its percent, never "100 %" beside "Đang thực hiện"
            form.status.data = progress.status.value
    periods = schedules.periods(task.schedule, plan.year)
    if periods:
        current = schedules.period_containing(task.schedule, plan.year, today)
        preselected = (progress.overdue_period if progress else None) or (current.start if current else None)
        form.offer_periods(periods, preselected if fresh else None)
    return form


def _context(plan: Plan, task: Task, today: date, form: ProgressForm | None = None, **extra: Any) -> dict[str, Any]:
    summaries = services.task_summaries(db.session(), plan, today)
    progress = summaries.get(task.id)
    sections = services.plan_sections(db.session(), plan)
    rollups = services.rollup_tree({s.id: s.parent_id for s in sections.values()}, summaries.values())
    can_record = may_record_progress(plan, task)
    return dict(
        plan=plan,
        task=task,
        progress=progress,
        chain=[(section, rollups[section.id]) for section in services.section_chain(sections, task.section_id)],
        entries=services.timeline(db.session(), plan, task),
        periods=schedules.periods(task.schedule, plan.year),
        due_dates=schedules.due_dates(task.schedule, plan.year),
        can_record=can_record,
        form=form if form is not None else (_form(plan, task, progress, today, fresh=True) if can_record else None),
        max_bytes=max_evidence_bytes(),
        not_issued=services.NOT_ISSUED,
        today=today,
        **extra,
    )


def _answer(status: int, context: dict[str, Any]) -> ResponseReturnValue:
    """The progress block alone for htmx, the whole page otherwise."""
    if hx_request.htmx:
        return render_template("progress/_task_progress.html", **context), status
    return render_template("progress/task.html", **context), status


@bp.get("/<int:year>/tasks/<int:task_id>/progress")
@requires("plan.view")
def show(year: int, task_id: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    task = task_or_404(plan, task_id)
    return _answer(200, _context(plan, task, local_today()))


@bp.post("/<int:year>/tasks/<int:task_id>/progress")
@requires("progress.record")
def record(year: int, task_id: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    task = task_or_404(plan, task_id)
    try:
        services.require_may_record(task, g.roles)
    except services.NotYourTask as error:
        return render_error(error.status, error.message)
    today = local_today()
    form = _form(plan, task, None, today, fresh=False)
    if not form.validate_on_submit():
        return _answer(400, _context(plan, task, today, form))
    uploads = [
        Upload(storage.filename, storage.stream.read(max_evidence_bytes() + 1))
        for storage in (form.evidence.data or [])
        if getattr(storage, "filename", None)
    ]
    try:
        services.add_update(
            db.session(), plan, task,
            roles=g.roles, user_id=current_user.id, username=current_user.label, today=today,
            percent=filled(form.percent.data), status=ProgressStatus(form.status.data), note=form.note.data or "",
            period_start=form.period_start, files=uploads, max_bytes=max_evidence_bytes(),
        )
        db.session.commit()
    except services.ProgressError as error:
        db.session.rollback()
        if error.status == 403:
            return render_error(error.status, error.message)
        return _answer(error.status, _context(plan, task, today, form, refused=error.message))
    except OperationalError as error:
        if not storage_full(error):
            raise  # an unreachable database: app/errors.py answers 503
        db.session.rollback()  # the update and its files go together or not at all
        current_app.logger.error("evidence upload refused, the database's storage is full: %s", error.orig)
        return _answer(507, _context(plan, task, today, form, refused=EVIDENCE_STORAGE_FULL))
    message = _l("Đã cập nhật tiến độ.")
    if hx_request.htmx:
        return _answer(200, _context(plan, task, today, saved=message))
    flash(message, "success")
    return redirect(url_for("progress.show", year=plan.year, task_id=task.id))


@bp.get("/<int:year>/tasks/<int:task_id>/progress/<int:update_id>/evidence/<int:evidence_id>")
@requires("plan.view")
def evidence(year: int, task_id: int, update_id: int, evidence_id: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    task = task_or_404(plan, task_id)
    update = services.update_of(db.session(), task, update_id) or abort(404)
    stored = services.evidence_of(db.session(), update, evidence_id)
    if stored is None or stored.data is None:
        abort(404)
    response = send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
        max_age=0,
        etag=False,
        last_modified=stored.created_at,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the plan ---------------------------------------------------------------------------------


@bp.get("/<int:year>/progress")
@requires("plan.view")
def overview(year: int) -> ResponseReturnValue:
    """Every section with its roll-up and every task with where it stands."""
    plan = plan_or_404(year)
    today = local_today()
    outline = plan_outline(db.session(), plan)
    summaries = task_progress(plan)
    parent_of = {node.section.id: node.section.parent_id for node in iter_nodes(outline)}
    return render_template(
        "progress/overview.html",
        plan=plan,
        outline=outline,
        progress=summaries,
        rollups=services.rollup_tree(parent_of, summaries.values()),
        total=services.plan_rollup(summaries.values()),
        overdue=[
            (t, summaries[t.id]) for node in iter_nodes(outline) for t in node.tasks
            if t.id in summaries and summaries[t.id].overdue
        ],
        today=today,
    )
