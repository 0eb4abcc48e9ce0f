"""The ward's dashboard for a year: indicators against targets, what is late, what is due, what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.indicators.services import IndicatorResult, indicator_values
from app.law.book import LegalBook
from app.law.working_days import WorkingCalendar
from app.models import Petition, Plan, PlanStatus, Reception, Role, Task, Unit
from app.models.petition import CLOSED_STATUSES
from app.periods import as_of
from app.petitions.deadlines import Deadline, deadline_of
from app.petitions.services import extension_counts
from app.plans.services import find_plan
from app.progress.services import TaskProgress, task_summaries

DUE_SOON_WORKING_DAYS = 3


@dataclass
class LateTask:
    task: Task
    progress: TaskProgress


@dataclass
class DuePetition:
    petition: Petition
    deadline: Deadline


@dataclass
class Dashboard:
    plan: Plan | None
    as_of: date
    indicators: list[IndicatorResult] = field(default_factory=list)
    late_tasks: list[LateTask] = field(default_factory=list)
    due_petitions: list[DuePetition] = field(default_factory=list)
    weeks_without_reception: list[tuple[date, date]] = field(default_factory=list)
    todo: list[object] = field(default_factory=list)


def weeks_without_reception(
    session: Session, unit: Unit, day: date, calendar: WorkingCalendar | None = None
) -> list[tuple[date, date]]:
    """The weeks (Monday–Sunday) of `day`'s month, up to `day`, that had a working day but no
    citizen reception (the chairman receives citizens at least one day a week, Luật Tiếp công dân 2013)."""
    calendar = calendar or WorkingCalendar()
    first = day.replace(day=1)
    monday = first - timedelta(days=first.weekday())
    held = set(
        session.scalars(
            select(Reception.held_on).where(Reception.unit_id == unit.id, Reception.held_on.between(monday, day))
        )
    )
    missing = []
    while monday <= day:
        sunday = monday + timedelta(days=6)
        week = [monday + timedelta(days=n) for n in range(7)]
        if sunday <= day and any(map(calendar.is_working_day, week)) and not any(d in held for d in week):
            missing.append((monday, sunday))
        monday += timedelta(days=7)
    return missing


def due_petitions(session: Session, unit: Unit, book: LegalBook, day: date) -> list[DuePetition]:
    """The unit's open petitions whose current step is due within 3 working days of `day`, or late
    (the dashboard shows them; app/notifications tells the office and the chairman)."""
    horizon = book.calendar.add_working_days(day, DUE_SOON_WORKING_DAYS)
    open_petitions = list(
        session.scalars(
            select(Petition).where(Petition.unit_id == unit.id, Petition.status.not_in(CLOSED_STATUSES))
        )
    )
    extensions = extension_counts(session, unit, [p.id for p in open_petitions])
    due = []
    for petition in open_petitions:
        deadline = deadline_of(petition, book, day, extensions.get(petition.id, 0))
        if deadline is not None and deadline.done_on is None and deadline.due_on <= horizon:
            due.append(DuePetition(petition, deadline))
    return sorted(due, key=lambda d: d.deadline.due_on)


def _late_tasks(session: Session, plan: Plan, day: date) -> list[LateTask]:
    late = {p.task_id: p for p in task_summaries(session, plan, day).values() if p.overdue}
    if not late:
        return []
    tasks = session.scalars(select(Task).where(Task.id.in_(late)).order_by(Task.section_id, Task.position))
    return [LateTask(task, late[task.id]) for task in tasks]


def _todo(plan: Plan | None, year: int, roles: set[Role], dashboard: Dashboard) -> list[object]:
    """What the signed-in official should do next, in the words of their role."""
    todo: list[object] = []
    if plan is None:
        if roles & {Role.CHAIRMAN, Role.OFFICE}:
            todo.append(_l("Tạo kế hoạch năm %(year)s từ mẫu.", year=year))
        return todo
    if Role.OFFICE in roles and plan.status == PlanStatus.DRAFT:
        todo.append(_l("Hoàn thiện dự thảo kế hoạch và trình Chủ tịch ban hành."))
    if Role.CHAIRMAN in roles and plan.status == PlanStatus.SUBMITTED:
        todo.append(_l("Xem xét và ban hành kế hoạch đã được trình."))
    own = [t for t in dashboard.late_tasks if t.task.owner_role in roles]
    if own:
        todo.append(_l("Cập nhật tiến độ %(count)d nhiệm vụ quá hạn do bạn phụ trách.", count=len(own)))
    if roles & {Role.CHAIRMAN, Role.OFFICE} and dashboard.due_petitions:
        todo.append(_l("Xử lý %(count)d đơn thư sắp hoặc đã quá hạn.", count=len(dashboard.due_petitions)))
    if Role.CHAIRMAN in roles and dashboard.weeks_without_reception:
        todo.append(_l("Tổ chức tiếp công dân: %(count)d tuần trong tháng chưa có buổi tiếp.",
                       count=len(dashboard.weeks_without_reception)))
    return todo


def ward_dashboard(session: Session, unit: Unit, year: int, today: date, roles: set[Role], book: LegalBook) -> Dashboard:
    """Everything the ward's home shows for `year`, in a fixed number of queries."""
    plan = find_plan(session, unit, year)
    day = as_of(year, today)
    dashboard = Dashboard(plan=plan, as_of=day)
    if plan is not None:
        dashboard.indicators = indicator_values(session, plan, str(year), day, book=book)
        dashboard.late_tasks = _late_tasks(session, plan, day)
    dashboard.due_petitions = due_petitions(session, unit, book, day)
    dashboard.weeks_without_reception = weeks_without_reception(session, unit, day, book.calendar)
    dashboard.todo = _todo(plan, year, roles, dashboard)
    return dashboard
