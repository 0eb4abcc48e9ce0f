"""Plans: find, create from the template, edit sections and tasks, and move through the lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.audit import name_action
from app.local_time import local_today
from app.models import (
    Plan,
    PlanProposal,
    PlanSection,
    PlanStatus,
    ProposalStatus,
    Role,
    Schedule,
    Task,
    TaskUpdate,
    Unit,
)
from app.models.unit import tenant_units_below, year_span
from app.plans.errors import PlanError, PlanExists, PlanLocked, TemplateMissing
from app.plans.instantiate import instantiate, latest_template
from app.service_errors import CONFLICT_MESSAGE, EditConflict, InvalidTransition
from app.signals import plan_status_changed

_PLAN_OF = select(Plan).where(  # built once: the plan and home pages ask on every request
    Plan.unit_id == bindparam("unit_id"), Plan.year == bindparam("year"), Plan.is_template.is_(False))


def find_plan(session: Session, unit: Unit, year: int) -> Plan | None:
    """The unit's own plan for `year` (never a template)."""
    return session.scalar(_PLAN_OF, {"unit_id": unit.id, "year": year})


def template_of(session: Session, plan: Plan) -> Plan | None:
    """The template revision `plan` was copied from, if it is visible in the scope."""
    return session.get(Plan, plan.template_id) if plan.template_id else None


def pending_proposals(session: Session, plan: Plan) -> list[PlanProposal]:
    """Template changes offered to `plan` that nobody has answered yet."""
    return list(
        session.scalars(
            select(PlanProposal).where(
                PlanProposal.plan_id == plan.id, PlanProposal.status == ProposalStatus.PENDING
            )
        )
    )


def plan_years(session: Session, unit: Unit) -> list[Plan]:
    """The unit's plans, newest year first."""
    return list(
        session.scalars(
            select(Plan).where(Plan.unit_id == unit.id, Plan.is_template.is_(False)).order_by(Plan.year.desc())
        )
    )


def no_template(year: int) -> TemplateMissing:
    return TemplateMissing(_l("Chưa có mẫu kế hoạch nào cho năm %(year)s.", year=year))


def task_in(session: Session, plan: Plan, task_id: int) -> Task | None:
    """The task `task_id` if it belongs to `plan` (and so to the scope)."""
    task = session.get(Task, task_id)
    return task if task is not None and task.plan_id == plan.id else None


def section_in(session: Session, plan: Plan, section_id: int) -> PlanSection | None:
    """The section `section_id` if it belongs to `plan` (and so to the scope)."""
    section = session.get(PlanSection, section_id)
    return section if section is not None and section.plan_id == plan.id else None


def create_plan(session: Session, unit: Unit, year: int) -> Plan:
    """A new plan of the ward or commune for `year`, copied from the latest template visible to it."""
    if not unit.is_tenant:
        raise PlanError(_l("Chỉ phường, xã lập kế hoạch này."))
    if find_plan(session, unit, year) is not None:
        raise PlanExists(_l("Đơn vị đã có kế hoạch năm %(year)s.", year=year))
    template = latest_template(session, year, unit)
    if template is None:
        raise no_template(year)
    return instantiate(session, template, unit, year)


@dataclass
class BatchResult:
    created: list[Unit]
    skipped: list[Unit]


def create_plans_for_wards(session: Session, parent: Unit, year: int, today: date | None = None) -> BatchResult:
    """Give every ward and commune below `parent` that exists in `year` (and has not ended by `today`)
    its plan for `year`; existing plans are kept."""
    units = [u for u in tenant_units_below(session, parent, during=year_span(year))
             if today is None or not u.ended_by(today)]
    templates: dict[int | None, Plan | None] = {}  # by the ward's parent: wards of one town share one
    for unit in units:
        if unit.parent_id not in templates:
            templates[unit.parent_id] = latest_template(session, year, unit)
    if not units or any(t is None for t in templates.values()):
        raise no_template(year)
    have = set(
        session.scalars(
            select(Plan.unit_id).where(
                Plan.unit_id.in_([u.id for u in units]), Plan.year == year, Plan.is_template.is_(False)
            )
        )
    )
    result = BatchResult(created=[], skipped=[])
    for unit in units:
        if unit.id in have:
            result.skipped.append(unit)
        else:
            instantiate(session, templates[unit.parent_id], unit, year)  # type: ignore[arg-type]
            result.created.append(unit)
    return result


# --- editing (drafts only) -------------------------------------------------------------------


NOT_A_DRAFT = _l(
    "Kế hoạch không còn ở trạng thái dự thảo nên không thể sửa. Chủ tịch có thể trả lại hoặc mở lại kế hoạch."
)


def require_draft(plan: Plan) -> None:
    """Refuse to change a plan that is not a draft."""
    if not plan.editable:
        raise PlanLocked(NOT_A_DRAFT)


def lock_plan(session: Session, plan: Plan) -> None:
    """Re-read the plan row under a row lock, so a concurrent issue cannot slip past the checks."""
    session.refresh(plan, with_for_update=True)


def _lock_draft(session: Session, plan: Plan) -> None:
    lock_plan(session, plan)
    require_draft(plan)


def _require_version(item: Plan | PlanSection | Task, version: int | None) -> None:
    if version is None or item.version != version:
        raise EditConflict(CONFLICT_MESSAGE)


def update_document(
    session: Session,
    plan: Plan,
    *,
    version: int | None,
    title: str,
    preamble: str,
    legal_bases: list[str],
    closing: str,
    recipients: list[str],
    signer_title: str,
) -> Plan:
    """Change the plan's own words around its sections (draft only)."""
    _lock_draft(session, plan)
    _require_version(plan, version)
    plan.title, plan.preamble, plan.closing = title.strip(), preamble.strip(), closing.strip()
    plan.legal_bases, plan.recipients, plan.signer_title = legal_bases, recipients, signer_title.strip()
    session.flush()
    return plan


def update_task(
    session: Session, plan: Plan, task: Task, *, version: int | None, text: str, owner_role: Role, schedule: Schedule
) -> Task:
    _lock_draft(session, plan)
    _require_version(task, version)
    task.text, task.owner_role, task.schedule = text.strip(), owner_role, schedule
    session.flush()
    return task


def add_task(
    session: Session, plan: Plan, section: PlanSection, *, text: str, owner_role: Role, schedule: Schedule
) -> Task:
    _lock_draft(session, plan)
    last = session.scalar(select(func.max(Task.position)).where(Task.section_id == section.id))
    task = Task(
        unit_id=plan.unit_id,
        is_template=plan.is_template,
        plan_id=plan.id,
        section_id=section.id,
        position=(last or 0) + 1,
        style="bullet",
        text=text.strip(),
        owner_role=owner_role,
        schedule=schedule,
    )
    session.add(task)
    session.flush()
    if plan.is_template:  # a template task needs a key that stays the same across revisions
        task.key = f"T{task.id}"
        session.flush()
    return task


def _require_no_progress(session: Session, task_ids: list[int]) -> None:
    """Progress already reported on a task is the ward's record: the task may not be deleted."""
    if task_ids and session.scalar(select(func.count(TaskUpdate.id)).where(TaskUpdate.task_id.in_(task_ids))):
        raise PlanLocked(_l("Đã có báo cáo tiến độ cho nhiệm vụ này nên không thể xóa; hãy sửa nội dung nhiệm vụ."))


def delete_task(session: Session, plan: Plan, task: Task, *, version: int | None) -> None:
    _lock_draft(session, plan)
    _require_version(task, version)
    _require_no_progress(session, [task.id])
    session.delete(task)
    session.flush()
    _renumber(session.scalars(select(Task).where(Task.section_id == task.section_id).order_by(Task.position, Task.id)))


def update_section(
    session: Session, plan: Plan, section: PlanSection, *, version: int | None, number: str, title: str, body: str
) -> PlanSection:
    _lock_draft(session, plan)
    _require_version(section, version)
    section.number, section.title, section.body = number.strip(), title.strip(), body.strip()
    session.flush()
    return section


def add_section(
    session: Session, plan: Plan, parent: PlanSection | None, *, number: str, title: str, body: str
) -> PlanSection:
    _lock_draft(session, plan)
    last = session.scalar(
        select(func.max(PlanSection.position)).where(
            PlanSection.plan_id == plan.id,
            PlanSection.parent_id.is_(None) if parent is None else PlanSection.parent_id == parent.id,
        )
    )
    section = PlanSection(
        unit_id=plan.unit_id,
        is_template=plan.is_template,
        plan_id=plan.id,
        parent_id=parent.id if parent else None,
        position=(last or 0) + 1,
        number=number.strip(),
        title=title.strip(),
        body=body.strip(),
        kind=parent.kind if parent else "contents",
    )
    session.add(section)
    session.flush()
    return section


def delete_section(session: Session, plan: Plan, section: PlanSection, *, version: int | None) -> None:
    """Delete a section with its sub-sections and tasks (each recorded in the audit log)."""
    _lock_draft(session, plan)
    _require_version(section, version)
    _require_no_progress(session, _task_ids_below(session, section))
    _delete_section_tree(session, section)
    session.flush()
    _renumber(session.scalars(_siblings(plan, section)))


def _task_ids_below(session: Session, section: PlanSection) -> list[int]:
    ids = list(session.scalars(select(Task.id).where(Task.section_id == section.id)))
    for child in session.scalars(select(PlanSection).where(PlanSection.parent_id == section.id)):
        ids += _task_ids_below(session, child)
    return ids


def _delete_section_tree(session: Session, section: PlanSection) -> None:
    for child in session.scalars(select(PlanSection).where(PlanSection.parent_id == section.id)):
        _delete_section_tree(session, child)
    for task in session.scalars(select(Task).where(Task.section_id == section.id)):
        session.delete(task)
    session.flush()
    session.delete(section)


def move_task(session: Session, plan: Plan, task: Task, step: int) -> None:
    """Swap the task with its neighbour above (step -1) or below (+1) in its section."""
    _lock_draft(session, plan)
    siblings = list(
        session.scalars(select(Task).where(Task.section_id == task.section_id).order_by(Task.position, Task.id))
    )
    _swap(siblings, task, step)
    session.flush()


def move_section(session: Session, plan: Plan, section: PlanSection, step: int) -> None:
    """Swap the section with its neighbour above (-1) or below (+1) under the same parent."""
    _lock_draft(session, plan)
    _swap(list(session.scalars(_siblings(plan, section))), section, step)
    session.flush()


def _siblings(plan: Plan, section: PlanSection) -> Select[tuple[PlanSection]]:
    """The sections under the same parent as `section`, in order."""
    parent_match = (
        PlanSection.parent_id.is_(None) if section.parent_id is None else PlanSection.parent_id == section.parent_id
    )
    return (
        select(PlanSection)
        .where(PlanSection.plan_id == plan.id, parent_match)
        .order_by(PlanSection.position, PlanSection.id)
    )


def _swap(siblings: list, item: object, step: int) -> None:
    index = siblings.index(item)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)


def _renumber(items: Iterable[Task | PlanSection]) -> None:
    """Positions 1, 2, 3… in the given order, so a task's position is its number in the list."""
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position


# --- lifecycle --------------------------------------------------------------------------------


def _transition(session: Session, plan: Plan, allowed: PlanStatus, target: PlanStatus, action: str) -> None:
    lock_plan(session, plan)
    if plan.is_template or plan.status != allowed:
        raise InvalidTransition(
            _l("Không thể thực hiện thao tác này khi kế hoạch đang ở trạng thái hiện tại.")
        )
    plan.status = target
    name_action(session, plan, action)


def submit(session: Session, plan: Plan) -> None:
    """Office: send the draft to the chairman for issuing."""
    _transition(session, plan, PlanStatus.DRAFT, PlanStatus.SUBMITTED, "plan.submit")
    plan_status_changed.send(plan, session=session, action="plan.submit", today=local_today())
    session.flush()


def return_to_draft(session: Session, plan: Plan) -> None:
    """Chairman: send a submitted plan back to the office for changes."""
    _transition(session, plan, PlanStatus.SUBMITTED, PlanStatus.DRAFT, "plan.return")
    plan_status_changed.send(plan, session=session, action="plan.return", today=local_today())
    session.flush()


def issue_date_error(year: int, issued_on: date) -> str | None:
    """Why `issued_on` cannot be the issue date of the plan of `year` (issued in that year or the one
    before), or None."""
    if year - 1 <= issued_on.year <= year:
        return None
    return str(_l("Kế hoạch năm %(year)s được ban hành trong năm %(before)s hoặc %(year)s; hãy kiểm tra ngày "
                  "ban hành.", year=year, before=year - 1))


def stamp_issue(plan: Plan, *, number: str, issued_on: date, signer_name: str) -> None:
    """What issuing writes on the plan: its number, date and signer, and the day it was first issued
    (kept when it is reopened: progress goes on)."""
    plan.status = PlanStatus.ISSUED
    plan.number, plan.issued_on, plan.signer_name = number.strip(), issued_on, signer_name.strip()
    plan.first_issued_on = plan.first_issued_on or issued_on


def issue(session: Session, plan: Plan, *, number: str, issued_on: date, signer_name: str) -> None:
    """Chairman: issue the submitted plan with its number, date and signer; it becomes read-only."""
    if (wrong_date := issue_date_error(plan.year, issued_on)) is not None:
        raise PlanError(wrong_date)
    _transition(session, plan, PlanStatus.SUBMITTED, PlanStatus.ISSUED, "plan.issue")
    stamp_issue(plan, number=number, issued_on=issued_on, signer_name=signer_name)
    plan_status_changed.send(plan, session=session, action="plan.issue", today=local_today())
    session.flush()


def reopen(session: Session, plan: Plan) -> None:
    """Chairman: reopen an issued plan as a draft (recorded in the audit log)."""
    _transition(session, plan, PlanStatus.ISSUED, PlanStatus.DRAFT, "plan.reopen")
    session.flush()
