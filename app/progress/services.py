"""Task progress: who may record it, recording it with evidence, timelines, per-task summaries and
section roll-ups (each read in a fixed number of queries, whatever the number of tasks)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session, undefer

from app.models import (
    Evidence,
    Plan,
    PlanSection,
    ProgressStatus,
    Role,
    Schedule,
    Task,
    TaskUpdate,
)
from app.progress import schedule as schedules
from app.progress.evidence import EvidenceRefused, Upload, check_files
from app.progress.schedule import RECURRING, Dates, TaskPeriod
from app.service_errors import ServiceError
from app.vocabulary import ROLE_LABELS

RECORD_ANY_TASK = frozenset({Role.CHAIRMAN, Role.OFFICE})
MAX_NOTE = 4000


class ProgressError(ServiceError):
    """A refused progress update."""

    status = 400


class NotYourTask(ProgressError):
    status = 403


class PlanNotIssued(ProgressError):
    status = 409


NOT_ISSUED = _l("Kế hoạch chưa được ban hành: tiến độ được cập nhật sau khi Chủ tịch ban hành kế hoạch.")


# --- who may record --------------------------------------------------------------------------


def may_record(task: Task, roles: Collection[Role]) -> bool:
    """Chairman and office record on every task; culture only on tasks owned by culture."""
    roles = set(roles or ())
    return bool(roles & RECORD_ANY_TASK) or (Role.CULTURE in roles and task.owner_role == Role.CULTURE)


def require_may_record(task: Task, roles: Collection[Role]) -> None:
    if not may_record(task, roles):
        raise NotYourTask(
            _l("Công chức Văn hóa - Xã hội chỉ cập nhật tiến độ các nhiệm vụ do Văn hóa - Xã hội phụ trách; "
               "nhiệm vụ này do %(owner)s phụ trách.", owner=_owner_label(task.owner_role))
            if Role.CULTURE in set(roles or ())
            else _l("Bạn không có quyền cập nhật tiến độ nhiệm vụ này.")
        )


def _owner_label(role: Role) -> object:
    return ROLE_LABELS.get(role, role.value)


# --- recording -------------------------------------------------------------------------------


def period_for(plan: Plan, task: Task, period_start: date | None, today: date) -> TaskPeriod | None:
    """The period an update of `task` reports on: the one chosen, else the one `today` falls in;
    None for once and ongoing tasks. A start outside the plan's year is refused."""
    if task.schedule not in RECURRING:
        return None
    if period_start is None:
        return schedules.period_containing(task.schedule, plan.year, today)
    period = schedules.period_starting(task.schedule, plan.year, period_start)
    if period is None:
        raise ProgressError(_l("Kỳ báo cáo không thuộc năm %(year)s của kế hoạch.", year=plan.year))
    return period


def add_update(
    session: Session,
    plan: Plan,
    task: Task,
    *,
    roles: Collection[Role],
    user_id: int | None,
    username: str,
    today: date,
    percent: int,
    status: ProgressStatus,
    note: str = "",
    period_start: date | None = None,
    files: Iterable[Upload] = (),
    max_bytes: int,
) -> TaskUpdate:
    """Record one progress update of `task` with its evidence; nothing is kept if anything is refused."""
    require_may_record(task, roles)
    if not plan.takes_progress:
        raise PlanNotIssued(NOT_ISSUED)
    if task.plan_id != plan.id:
        raise ProgressError(_l("Nhiệm vụ không thuộc kế hoạch này."))
    if not 0 <= percent <= 100:
        raise ProgressError(_l("Tỷ lệ hoàn thành phải từ 0 đến 100."))
    if len(note) > MAX_NOTE:
        raise ProgressError(_l("Ghi chú quá dài (tối đa %(max)d ký tự).", max=MAX_NOTE))
    period = period_for(plan, task, period_start, today)
    try:
        checked = check_files(list(files), max_bytes)
    except EvidenceRefused as refused:
        raise ProgressError(refused.message) from refused
    update = TaskUpdate(
        unit_id=task.unit_id,
        task_id=task.id,
        reported_on=today,
        period_start=period.start if period else None,
        percent=100 if status == ProgressStatus.DONE else percent,
        status=status,
        note=note.strip(),
        user_id=user_id,
        username=username,
    )
    session.add(update)
    session.flush()
    session.add_all(
        Evidence(unit_id=task.unit_id, update_id=update.id, filename=f.filename, content_type=f.content_type,
                 size=f.size, data=f.data)
        for f in checked
    )
    session.flush()
    return update


# --- reading one task ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    update: TaskUpdate
    period: TaskPeriod | None
    evidence: list[Evidence] = field(default_factory=list)


def timeline(session: Session, plan: Plan, task: Task) -> list[TimelineEntry]:
    """The task's updates, newest first, each with its evidence files (contents not loaded): two queries."""
    updates = session.scalars(
        select(TaskUpdate)
        .where(TaskUpdate.unit_id == task.unit_id, TaskUpdate.task_id == task.id)
        .order_by(TaskUpdate.reported_on.desc(), TaskUpdate.id.desc())
    ).all()
    if not updates:
        return []
    by_id = {
        u.id: TimelineEntry(
            u, schedules.period_starting(task.schedule, plan.year, u.period_start) if u.period_start else None
        )
        for u in updates
    }
    for evidence in session.scalars(
        select(Evidence)
        .where(Evidence.unit_id == task.unit_id, Evidence.update_id.in_(list(by_id)))
        .order_by(Evidence.id)
    ):
        by_id[evidence.update_id].evidence.append(evidence)
    return list(by_id.values())


def update_of(session: Session, task: Task, update_id: int) -> TaskUpdate | None:
    """The update `update_id` if it reports on `task` (and so lies in the scope)."""
    return session.scalar(select(TaskUpdate).where(TaskUpdate.id == update_id, TaskUpdate.task_id == task.id))


def evidence_of(session: Session, update: TaskUpdate, evidence_id: int) -> Evidence | None:
    """The evidence file `evidence_id` of `update`, its contents loaded."""
    return session.scalar(
        select(Evidence)
        .where(Evidence.id == evidence_id, Evidence.update_id == update.id)
        .options(undefer(Evidence.data))
    )


# --- summaries and roll-ups ------------------------------------------------------------------


@dataclass
class TaskProgress:
    """Where one task stands on a given day."""

    task_id: int
    section_id: int
    schedule: Schedule
    percent: int | None = None  # of the latest update
    status: ProgressStatus | None = None
    reported_on: date | None = None
    updates: int = 0
    periods_done: int = 0
    periods_total: int = 0
    done: bool = False
    next_due: date | None = None
    overdue_since: date | None = None  # the due date missed
    overdue_period: date | None = None  # its period's first day (recurring tasks)
    done_periods: frozenset[date] = frozenset()  # first days of the periods reported done

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None

    @property
    def ongoing(self) -> bool:
        return self.schedule == Schedule.ONGOING


@dataclass
class Rollup:
    """A section's tasks (its sub-sections' included): done / total, overdue, average percent."""

    total: int = 0
    done: int = 0
    overdue: int = 0
    percent_sum: int = 0

    @property
    def average_percent(self) -> int | None:
        """Mean of the tasks' latest percent (a task with no update counts as 0)."""
        return round(self.percent_sum / self.total) if self.total else None

    def add(self, progress: TaskProgress) -> None:
        self.total += 1
        self.done += progress.done
        self.overdue += progress.overdue
        self.percent_sum += progress.percent or 0


def _task_rows(session: Session, plan: Plan) -> Sequence[Row[Any]]:
    """Every task of the plan with each of its updates (or none): one query."""
    return session.execute(
        select(
            Task.id, Task.section_id, Task.schedule,
            TaskUpdate.id, TaskUpdate.reported_on, TaskUpdate.period_start, TaskUpdate.status, TaskUpdate.percent,
        )
        .select_from(Task)
        .outerjoin(TaskUpdate, and_(TaskUpdate.unit_id == Task.unit_id, TaskUpdate.task_id == Task.id))
        .where(Task.plan_id == plan.id)
        .order_by(Task.id, TaskUpdate.reported_on, TaskUpdate.id)
    ).all()


def summarise(
    task_id: int, section_id: int, schedule: Schedule, year: int, today: date,
    updates: list[tuple[date, date | None, ProgressStatus, int]], within: Dates | None = None,
) -> TaskProgress:
    """Where a task stands on `today`, from its updates (reported_on, period_start, status, percent) oldest
    first; overdue as to the due dates `within` a reporting period, if given."""
    progress = TaskProgress(task_id, section_id, schedule, updates=len(updates))
    if updates:
        progress.reported_on, _, progress.status, progress.percent = updates[-1]
    # A period stands as its latest update says: 60 % posted after "Hoàn thành" undoes it.
    latest = {start: status for _, start, status, _ in updates}
    done_periods = {start for start, status in latest.items() if status == ProgressStatus.DONE}
    periods = schedules.periods(schedule, year)
    progress.periods_total = len(periods)
    progress.done_periods = frozenset(p.start for p in periods if p.start in done_periods)
    progress.periods_done = len(progress.done_periods)
    if schedule in RECURRING:
        progress.done = progress.periods_done == progress.periods_total
    elif schedule == Schedule.ONCE:
        progress.done = None in done_periods  # a once task's updates have no period
    else:
        progress.done = progress.status == ProgressStatus.DONE
    progress.next_due = schedules.next_due(schedule, year, today)
    progress.overdue_since = schedules.overdue_since(schedule, year, today, done_periods, within)
    if progress.overdue_since and schedule in RECURRING:
        progress.overdue_period = schedules.period_containing(schedule, year, progress.overdue_since).start  # type: ignore[union-attr]
    return progress


def _summaries_from(
    rows: Iterable[Row[Any]], year: int, today: date, within: Dates | None = None
) -> dict[int, TaskProgress]:
    grouped: dict[int, tuple[int, Schedule, list[tuple[date, date | None, ProgressStatus, int]]]] = {}
    for task_id, section_id, schedule, update_id, reported_on, period_start, status, percent in rows:
        entry = grouped.setdefault(task_id, (section_id, schedule, []))
        if update_id is not None:
            entry[2].append((reported_on, period_start, status, percent))
    return {
        task_id: summarise(task_id, section_id, schedule, year, today, updates, within)
        for task_id, (section_id, schedule, updates) in grouped.items()
    }


def task_summaries(
    session: Session, plan: Plan, today: date, within: Dates | None = None
) -> dict[int, TaskProgress]:
    """{task_id: where it stands on `today`} for every task of the plan, in one query (overdue as to
    the due dates `within` a reporting period, if given)."""
    return _summaries_from(_task_rows(session, plan), plan.year, today, within)


def rollup_tree(parent_of: dict[int, int | None], summaries: Iterable[TaskProgress]) -> dict[int, Rollup]:
    """{section_id: roll-up of the tasks in it and in every section below it}."""
    rollups = {section_id: Rollup() for section_id in parent_of}
    for progress in summaries:
        section_id: int | None = progress.section_id
        seen: set[int] = set()
        while section_id is not None and section_id not in seen:  # `seen`: never loop on bad data
            seen.add(section_id)
            rollups.setdefault(section_id, Rollup()).add(progress)
            section_id = parent_of.get(section_id)
    return rollups


def plan_rollup(summaries: Iterable[TaskProgress]) -> Rollup:
    total = Rollup()
    for progress in summaries:
        total.add(progress)
    return total


def section_rollups(session: Session, plan: Plan, today: date) -> dict[int, Rollup]:
    """{section_id: roll-up} for every section of the plan, on `today`: two queries."""
    parent_of = dict(
        session.execute(select(PlanSection.id, PlanSection.parent_id).where(PlanSection.plan_id == plan.id))
        .tuples()
        .all()
    )
    return rollup_tree(parent_of, task_summaries(session, plan, today).values())


def plan_sections(session: Session, plan: Plan) -> dict[int, PlanSection]:
    """{section_id: section} of the plan: one query."""
    return {s.id: s for s in session.scalars(select(PlanSection).where(PlanSection.plan_id == plan.id))}


def section_chain(sections: dict[int, PlanSection], section_id: int) -> list[PlanSection]:
    """The section and the sections above it, outermost first."""
    chain: list[PlanSection] = []
    current = sections.get(section_id)
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = sections.get(current.parent_id) if current.parent_id else None
    return chain
