"""Side-by-side views over the wards and communes below a parent unit, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

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
from app.models.unit import UnitKind, tenant_units_below, units_below
from app.periods import ReportingPeriod
from app.petitions.deadlines import deadline_of
from app.progress.services import summarise
from app.search import fold
from app.rollups import figures
from app.rollups.figures import COUNTS, WardRollup


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

def totals(rows: list[WardRollup]) -> WardRollup:
    """Counts summed over the wards; percentages then follow from the summed parts, not averages."""
    total = WardRollup(unit=None)
    for key in COUNTS:
        values = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        setattr(total, key, sum(values) if values else None)
    return total


@dataclass
class RollupFilters:
    """Which wards the rollup table shows (totals and charts follow the same wards)."""

    under: Unit | None = None  # a unit between the parent and its wards (a province, a town)
    kind: UnitKind | None = None
    plan: str | None = None  # a plan status, or NO_PLAN
    query: str = ""  # words of the ward's name, accents ignored

    def active(self) -> bool:
        return bool(self.under or self.kind or self.plan or self.query)


NO_PLAN = "none"


def groups_below(session: Session, parent: Unit) -> list[Unit]:
    """The units between `parent` and its wards (provinces, towns), by name: what the table filters by."""
    return [u for u in units_below(session, parent) if u.id != parent.id and not u.is_tenant]


def filter_rows(rows: list[WardRollup], filters: RollupFilters, groups: list[Unit]) -> list[WardRollup]:
    """The rows `filters` keep; `groups` are the units between the parent and the wards."""
    above = {g.id: g.parent_id for g in groups}
    words = fold(filters.query).split()

    def under(unit: Unit) -> bool:
        assert filters.under is not None
        current = unit.parent_id
        while current is not None and current != filters.under.id:
            current = above.get(current)
        return current == filters.under.id

    def kept(row: WardRollup) -> bool:
        unit = row.unit
        assert unit is not None
        status = row.plan_status.value if row.plan_status else NO_PLAN
        return ((filters.under is None or under(unit)) and filters.kind in (None, unit.kind)
                and filters.plan in (None, status) and all(w in fold(unit.name) for w in words))

    return [r for r in rows if kept(r)] if filters.active() else rows


@dataclass
class Chart:
    """A percentage column drawn for many wards: the highest and lowest, and how they spread."""

    key: str
    shown: list[WardRollup]  # every ward with a figure if few, else the top and bottom ones
    cut_after: int | None  # where the top ends and the bottom begins, if wards were left out
    buckets: list[int]  # wards per tenth: 0–10 %, …, 90–100 %
    without: int  # wards with no figure


def chart(rows: list[WardRollup], key: str, ends: int = 10) -> Chart:
    valued = sorted((r for r in rows if r.value(key) is not None),
                    key=lambda r: (-r.value(key), r.unit.name if r.unit else ""))
    buckets = [0] * 10
    for row in valued:
        buckets[min(9, int(row.value(key) // 10))] += 1
    if len(valued) <= 2 * ends:
        return Chart(key, valued, None, buckets, len(rows) - len(valued))
    return Chart(key, valued[:ends] + valued[-ends:], ends, buckets, len(rows) - len(valued))


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
    """Every ward/commune below `parent` with its plan's status for `year` and its figures for `period`:
    kept, or computed where stale and kept in the session's transaction (the caller commits). The
    number of queries does not depend on the number of wards."""
    units = tenant_units_below(session, parent)
    statuses = dict(session.execute(  # the scope is the parent's tree: no list of its units needed
        select(Plan.unit_id, Plan.status).where(Plan.year == year, Plan.is_template.is_(False))
    ).tuples().all())
    found = figures.kept(session, units, year, period, today=today, book=book)
    return [WardRollup(unit=u, plan_status=statuses.get(u.id), **found[u.id]) for u in units]


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
