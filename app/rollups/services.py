"""Side-by-side views over the wards and communes below a parent unit, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.indicators.services import IndicatorResult, rollup_values
from app.law.book import LegalBook
from app.models import (
    Petition,
    PetitionExtension,
    Plan,
    PlanStatus,
    Role,
    Task,
    TaskUpdate,
    Unit,
)
from app.models.petition import CLOSED_STATUSES
from app.models.unit import tenant_units_below
from app.periods import ReportingPeriod
from app.petitions.deadlines import deadline_of
from app.progress.services import summarise


@dataclass
class WardPlanRow:
    unit: Unit
    plan: Plan | None
    task_count: int


def ward_plan_statuses(session: Session, parent: Unit, year: int) -> list[WardPlanRow]:
    """Every ward/commune below `parent` with its plan for `year` (or None) and its task count."""
    units = tenant_units_below(session, parent)
    ids = [u.id for u in units]
    plans = {
        p.unit_id: p
        for p in session.scalars(
            select(Plan).where(Plan.unit_id.in_(ids), Plan.year == year, Plan.is_template.is_(False))
        )
    }
    counts = dict(
        session.execute(
            select(Task.plan_id, func.count(Task.id))
            .where(Task.plan_id.in_([p.id for p in plans.values()]))
            .group_by(Task.plan_id)
        ).tuples().all()
    )
    return [
        WardPlanRow(unit=u, plan=plans.get(u.id), task_count=counts.get(plans[u.id].id, 0) if u.id in plans else 0)
        for u in units
    ]


def years_with_plans(session: Session) -> list[int]:
    """Years for which any unit in the scope has a plan, newest first."""
    return list(
        session.scalars(
            select(Plan.year).where(Plan.is_template.is_(False)).distinct().order_by(Plan.year.desc())
        )
    )


# --- the rollup dashboard: every ward side by side ----------------------------------------------

# What each column of the dashboard reads: (attribute, indicator code, part of it or None for its value).
INDICATOR_SOURCES: tuple[tuple[str, str, str | None], ...] = (
    ("tasks_total", "tasks_done_percent", "total"),
    ("tasks_done", "tasks_done_percent", "done"),
    ("tasks_total", "tasks_total", None),
    ("tasks_done", "tasks_done", None),
    ("tasks_overdue", "tasks_overdue", None),
    ("receptions_held", "receptions_held", None),
    ("receptions_required", "receptions_required", None),
    ("dialogues", "dialogues_held", None),
    ("petitions_received", "petitions_received", None),
    ("petitions_resolved", "petitions_on_time_percent", "resolved"),
    ("petitions_on_time", "petitions_on_time_percent", "on_time"),
    ("petitions_resolved", "petitions_resolved", None),
    ("petitions_on_time", "petitions_resolved_on_time", None),
    ("models", "models_registered", None),
    ("posts", "posts", None),
)
COUNTS = ("tasks_total", "tasks_done", "tasks_overdue", "receptions_held", "receptions_required", "dialogues",
          "petitions_received", "petitions_resolved", "petitions_on_time", "models", "posts")


def _percent(part: float | None, whole: float | None) -> float | None:
    return round(100 * part / whole, 1) if part is not None and whole else None


@dataclass
class WardRollup:
    """One ward's figures for a period (None: its plan has no such indicator, or it has no plan)."""

    unit: Unit | None  # None for the totals row
    plan: Plan | None = None
    tasks_total: float | None = None
    tasks_done: float | None = None
    tasks_overdue: float | None = None
    receptions_held: float | None = None
    receptions_required: float | None = None
    dialogues: float | None = None
    petitions_received: float | None = None
    petitions_resolved: float | None = None
    petitions_on_time: float | None = None
    models: float | None = None
    posts: float | None = None

    @property
    def tasks_done_percent(self) -> float | None:
        return _percent(self.tasks_done, self.tasks_total)

    @property
    def on_time_percent(self) -> float | None:
        return _percent(self.petitions_on_time, self.petitions_resolved)

    def value(self, key: str) -> Any:
        if key == "unit":
            return self.unit.name if self.unit else ""
        if key == "code":
            return self.unit.code if self.unit else ""
        if key == "plan_status":
            return self.plan.status if self.plan else None
        return getattr(self, key, None)


def _ward_rollup(unit: Unit, plan: Plan | None, results: list[IndicatorResult]) -> WardRollup:
    row = WardRollup(unit=unit, plan=plan)
    by_code = {r.code: r for r in results}
    for attr, code, part in INDICATOR_SOURCES:
        if getattr(row, attr) is not None or code not in by_code:
            continue  # the first source found wins (a percentage's parts before the plain counts)
        result = by_code[code]
        value = result.parts.get(part) if part else result.value
        if value is not None:
            setattr(row, attr, value)
    return row


def totals(rows: list[WardRollup]) -> WardRollup:
    """Counts summed over the wards; percentages then follow from the summed parts, not averages."""
    total = WardRollup(unit=None)
    for key in COUNTS:
        values = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        setattr(total, key, sum(values) if values else None)
    return total


PLAN_ORDER = {PlanStatus.DRAFT: 0, PlanStatus.SUBMITTED: 1, PlanStatus.ISSUED: 2}
SORT_KEYS = ("code", "unit", "plan_status", "tasks_done_percent", "tasks_overdue", "receptions_held",
             "receptions_required", "dialogues", "petitions_received", "petitions_resolved", "on_time_percent",
             "models", "posts")


def sort_rows(rows: list[WardRollup], key: str, descending: bool) -> list[WardRollup]:
    """Rows by `key` (unknown keys: by name); wards with no figure go last either way."""
    if key not in SORT_KEYS:
        key = "unit"

    def sortable(row: WardRollup) -> Any:
        value = row.value(key)
        return PLAN_ORDER.get(value, -1) if key == "plan_status" and value is not None else value

    present = [r for r in rows if sortable(r) is not None]
    missing = [r for r in rows if sortable(r) is None]
    present.sort(key=lambda r: (sortable(r), r.unit.name if r.unit else ""), reverse=descending)
    return present + sorted(missing, key=lambda r: r.unit.name if r.unit else "")


def ward_rollups(
    session: Session, parent: Unit, year: int, period: ReportingPeriod | str, *, today: date, book: LegalBook
) -> list[WardRollup]:
    """Every ward/commune below `parent` with its figures for `period` of its `year` plan; the number
    of queries does not depend on the number of wards."""
    statuses = ward_plan_statuses(session, parent, year)
    values = rollup_values(session, [s.unit for s in statuses], year, period, today=today, book=book)
    return [_ward_rollup(s.unit, s.plan, values.get(s.unit.id, [])) for s in statuses]


# --- overdue across wards: late tasks and petitions --------------------------------------------

TASK_KIND = "task"


@dataclass
class OverdueItem:
    """A task whose due date passed without a done update, or an open petition past its deadline."""

    unit: Unit
    kind: str  # "task", or the petition's kind
    title: str
    due_on: date
    days_late: int
    owner_role: Role | None = None
    task: Task | None = None
    petition: Petition | None = None
    year: int | None = None


@dataclass
class OverdueFilters:
    ward: str | None = None  # a ward's slug
    kind: str | None = None  # "task" or a petition kind
    role: Role | None = None  # the task's owner role (petitions have none: left out when set)


def _late_tasks(session: Session, units: dict[int, Unit], year: int, today: date) -> list[OverdueItem]:
    """Every task of the wards' `year` plans overdue on `today`: two queries."""
    plan_ids = list(session.scalars(
        select(Plan.id).where(Plan.unit_id.in_(list(units)), Plan.year == year, Plan.is_template.is_(False))
    ))
    if not plan_ids:
        return []
    rows = session.execute(
        select(Task, TaskUpdate.id, TaskUpdate.reported_on, TaskUpdate.period_start, TaskUpdate.status,
               TaskUpdate.percent)
        .select_from(Task)
        .outerjoin(TaskUpdate, and_(TaskUpdate.unit_id == Task.unit_id, TaskUpdate.task_id == Task.id))
        .where(Task.plan_id.in_(plan_ids))
        .order_by(Task.id, TaskUpdate.reported_on, TaskUpdate.id)
    ).all()
    grouped: dict[int, tuple[Task, list]] = {}
    for task, update_id, reported_on, period_start, status, percent in rows:
        entry = grouped.setdefault(task.id, (task, []))
        if update_id is not None:
            entry[1].append((reported_on, period_start, status, percent))
    items = []
    for task, updates in grouped.values():
        progress = summarise(task.id, task.section_id, task.schedule, year, today, updates)
        if progress.overdue_since is not None:
            items.append(OverdueItem(unit=units[task.unit_id], kind=TASK_KIND, title=task.text,
                                     due_on=progress.overdue_since, days_late=(today - progress.overdue_since).days,
                                     owner_role=task.owner_role, task=task, year=year))
    return items


def _late_petitions(session: Session, units: dict[int, Unit], today: date, book: LegalBook) -> list[OverdueItem]:
    """Every open petition of the wards past its current step's legal deadline: two queries."""
    ids = list(units)
    petitions = list(session.scalars(
        select(Petition).where(Petition.unit_id.in_(ids), Petition.status.not_in(CLOSED_STATUSES))
    ))
    if not petitions:
        return []
    counts = dict(session.execute(
        select(PetitionExtension.petition_id, func.count())
        .where(PetitionExtension.unit_id.in_(ids))
        .group_by(PetitionExtension.petition_id)
    ).tuples().all())
    items = []
    for petition in petitions:
        found = deadline_of(petition, book, today, counts.get(petition.id, 0))
        if found is not None and found.overdue:
            items.append(OverdueItem(unit=units[petition.unit_id], kind=petition.kind.value,
                                     title=petition.summary or "", due_on=found.due_on,
                                     days_late=(today - found.due_on).days, petition=petition))
    return items


def overdue_items(
    session: Session, parent: Unit, year: int, filters: OverdueFilters, *, today: date, book: LegalBook,
    tasks_on: date | None = None,
) -> tuple[list[Unit], list[OverdueItem]]:
    """(the wards below `parent`, their late tasks of `year` as of `tasks_on` and open petitions late on
    `today`, most late first), in a fixed number of queries."""
    wards = tenant_units_below(session, parent)
    chosen = {u.id: u for u in wards if filters.ward in (None, u.slug)}
    items: list[OverdueItem] = []
    if chosen and filters.kind in (None, TASK_KIND):
        items += [i for i in _late_tasks(session, chosen, year, tasks_on or today)
                  if filters.role is None or i.owner_role == filters.role]
    if chosen and filters.kind != TASK_KIND and filters.role is None:
        items += [i for i in _late_petitions(session, chosen, today, book) if filters.kind in (None, i.kind)]
    items.sort(key=lambda i: (i.due_on, i.unit.name, i.title))
    return wards, items
