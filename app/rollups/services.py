"""Side-by-side views over the wards and communes below a parent unit, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, select, tuple_
from sqlalchemy.orm import Session, selectinload

from app.indicators.queries import task_flags
from app.law.book import LegalBook
from app.models import (
    Petition,
    Plan,
    PlanStatus,
    Role,
    Schedule,
    Task,
    Unit,
)
from app.models.petition import CLOSED_STATUSES
from app.models.unit import (
    NamedUnit,
    UnitKind,
    tenant_names_below,
    tenant_units_below,
    units_below,
    units_below_statement,
    year_span,
)
from app.periods import ReportingPeriod, parse_period
from app.petitions.deadlines import FACTS, Deadlines, extensions_recorded
from app.progress.schedule import last_passed_due
from app.rollups import figures
from app.rollups.figures import COUNTS, WardRollup
from app.search import fold
from app.web.paging import Page, page_bounds


@dataclass
class WardPlanRow:
    unit: Unit
    plan: Plan | None
    task_count: int


def ward_plan_statuses(session: Session, units: list[Unit], year: int) -> list[WardPlanRow]:
    """Each of `units` with its plan for `year` (or None) and its task count."""
    ids = [u.id for u in units]
    plans = {
        p.unit_id: p
        for p in session.scalars(
            select(Plan).where(Plan.unit_id.in_(ids), Plan.year == year, Plan.is_template.is_(False))
        )
    }
    counts = dict(
        session.execute(
            select(Task.plan_id, func.count(Task.id))  # by (unit, plan): the tasks' index, not all of them
            .where(tuple_(Task.unit_id, Task.plan_id).in_([(p.unit_id, p.id) for p in plans.values()]))
            .group_by(Task.plan_id)
        ).tuples().all()
    )
    return [
        WardPlanRow(unit=u, plan=plans.get(u.id), task_count=counts.get(plans[u.id].id, 0) if u.id in plans else 0)
        for u in units
    ]


def ward_plans_page(session: Session, parent: Unit, year: int, page: int, size: int) -> Page[WardPlanRow]:
    """Page `page` of the wards below `parent` by name, with their plans for `year` (a fixed number of
    statements, each over one page, whatever the number of wards; past the end, the last page)."""
    ranked = units_below_statement(parent, tenants=True, during=year_span(year), columns=(
        Unit.id, func.count().over().label("total"), func.row_number().over(order_by=(Unit.name, Unit.id)).label("n"),
    )).order_by(None).subquery()
    last_start = (ranked.c.total - 1) // size * size
    asked_start = (max(page, 1) - 1) * size
    start = case((last_start < asked_start, last_start), else_=asked_start)
    rows = session.execute(
        select(Unit, ranked.c.total).join(ranked, Unit.id == ranked.c.id)
        .where(ranked.c.n > start, ranked.c.n <= start + size).order_by(ranked.c.n)
        .options(selectinload(Unit.successor))  # lists say whom each unit that ended merged into
    ).all()
    total = rows[0][1] if rows else 0
    page, pages = page_bounds(total, page, size)
    return Page(ward_plan_statuses(session, [row[0] for row in rows], year), total, page, pages)


@dataclass
class WardPlans:
    """One page of the wards below a parent with their plans, and how many plans stand where."""

    page: Page[WardPlanRow]
    by_status: dict[PlanStatus | None, int]  # None: wards with no plan for the year


def ward_plans(session: Session, parent: Unit, year: int, page: int, size: int,
               standing: dict[PlanStatus, int]) -> WardPlans:
    """`ward_plans_page` with how many of the wards' plans stand where (`standing`: the year's counts of
    `plans_standing`)."""
    shown = ward_plans_page(session, parent, year, page, size)
    by_status: dict[PlanStatus | None, int] = {status: count for status, count in standing.items()}
    by_status[None] = shown.total - sum(standing.values())
    return WardPlans(shown, by_status)


def plans_standing(session: Session) -> dict[int, dict[PlanStatus, int]]:
    """How many plans of the units in the scope stand where, by year, newest first (one statement)."""
    standing: dict[int, dict[PlanStatus, int]] = {}
    for year, status, count in session.execute(
        select(Plan.year, Plan.status, func.count()).where(Plan.is_template.is_(False))
        .group_by(Plan.year, Plan.status).order_by(Plan.year.desc())
    ):
        standing.setdefault(year, {})[status] = count
    return standing


def years_with_plans(session: Session) -> list[int]:
    """Years for which any unit in the scope has a plan, newest first."""
    return list(plans_standing(session))


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
    return [u for u in units_below(session, parent, tenants=False) if u.id != parent.id]


def is_under(unit: Unit | NamedUnit, ancestor: Unit, groups: list[Unit]) -> bool:
    """Is `unit` below `ancestor`, one of `groups` (the units between a parent and its wards)?"""
    above = {g.id: g.parent_id for g in groups}
    current = unit.parent_id
    while current is not None and current != ancestor.id:
        current = above.get(current)
    return current == ancestor.id


def filter_rows(rows: list[WardRollup], filters: RollupFilters, groups: list[Unit]) -> list[WardRollup]:
    """The rows `filters` keep; `groups` are the units between the parent and the wards."""
    words = fold(filters.query).split()

    def kept(row: WardRollup) -> bool:
        unit = row.unit
        assert unit is not None
        status = row.plan_status.value if row.plan_status else NO_PLAN
        return ((filters.under is None or is_under(unit, filters.under, groups)) and filters.kind in (None, unit.kind)
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
    as kept, or computed where stale (the caller keeps those with `figures.keep_pending`). The number
    of queries does not depend on the number of wards."""
    span = parse_period(period) if isinstance(period, str) else period
    units = tenant_units_below(session, parent, during=(span.start, span.end))
    statuses = dict(session.execute(  # the scope is the parent's tree: no list of its units needed
        select(Plan.unit_id, Plan.status).where(Plan.year == year, Plan.is_template.is_(False))
    ).tuples().all())
    found = figures.kept(session, units, year, period, today=today, book=book)
    return [WardRollup(unit=u, plan_status=statuses.get(u.id), **found[u.id]) for u in units]


# --- overdue across wards: late tasks and petitions --------------------------------------------

TASK_KIND = "task"


@dataclass(slots=True)
class OverdueItem:
    """A task whose due date passed without a done update, or an open petition past its deadline."""

    unit: Unit | NamedUnit
    kind: str  # "task", or the petition's kind
    title: str
    due_on: date
    days_late: int
    owner_role: Role | None = None
    task_id: int | None = None
    petition_id: int | None = None
    handler: str = ""  # a petition's handler (tasks have an owner role)
    year: int | None = None


@dataclass
class OverdueFilters:
    ward: str | None = None  # a ward's slug
    under: Unit | None = None  # a unit between the parent and its wards
    kind: str | None = None  # "task" or a petition kind
    role: Role | None = None  # the task's owner role (petitions have none: left out when set)


def _late_tasks(session: Session, units: dict[int, NamedUnit], year: int, today: date, role: Role | None,
                every_ward: bool, titles: bool, *, count_to: date) -> list[OverdueItem]:
    """The tasks of the wards' `year` plans overdue on `today`, found in SQL (one statement; the rule
    is app/progress/schedule's, as the indicators apply it); their days late counted to `count_to`."""
    flags = task_flags(None if every_ward else list(units), year, parse_period(str(year)), today, overdue_only=True)
    if not flags.may_be_late:
        return []
    statement = flags.join(
        select(Task.id, Task.unit_id, Task.text if titles else literal(""), Task.owner_role, Task.schedule)
        .select_from(Task)
        .join(Plan, and_(Plan.unit_id == Task.unit_id, Plan.id == Task.plan_id))
        .where(Plan.year == year, Plan.is_template.is_(False), Task.is_template.is_(False),
               Task.schedule.in_(flags.may_be_late), flags.overdue == 1,
               *([] if every_ward else [Task.unit_id.in_(list(units))]),
               *([Task.owner_role == role] if role else []))
    )
    due: dict[Schedule, date | None] = {}
    items = []
    for task_id, unit_id, text, owner_role, schedule in session.execute(statement):
        if unit_id not in units:
            continue
        if schedule not in due:
            missed = last_passed_due(schedule, year, today)
            due[schedule] = missed[0] if missed else None
        due_on = due[schedule]
        if due_on is not None:
            items.append(OverdueItem(unit=units[unit_id], kind=TASK_KIND, title=text, due_on=due_on,
                                     days_late=(count_to - due_on).days, owner_role=owner_role, task_id=task_id,
                                     year=year))
    return items


def _late_petitions(session: Session, units: dict[int, NamedUnit], today: date, book: LegalBook, kind: str | None,
                    every_ward: bool, titles: bool) -> list[OverdueItem]:
    """Every open petition of the wards (of `kind`, if given) past its current step's legal deadline:
    one query, each deadline worked out once per step, start and case."""
    ward_ids = None if every_ward else list(units)
    extensions = extensions_recorded(ward_ids)
    petitions = session.execute(
        select(Petition.id, Petition.unit_id, Petition.summary if titles else literal(""), Petition.handler,
               func.coalesce(extensions.c.n, 0), *(getattr(Petition, name) for name in FACTS))
        .outerjoin(extensions, and_(extensions.c.unit_id == Petition.unit_id, extensions.c.petition_id == Petition.id))
        .where(Petition.status.not_in(CLOSED_STATUSES), *([Petition.unit_id.in_(ward_ids)] if ward_ids else []),
               *([Petition.kind == kind] if kind else []))
    ).tuples()
    deadlines = Deadlines(book, today)
    items = []
    for row in petitions:
        petition_id, unit_id, summary, handler, extended = row[:5]
        if unit_id not in units:
            continue
        found = deadlines.of_facts(row[5:], extended)
        if found is not None and found.overdue:
            items.append(OverdueItem(unit=units[unit_id], kind=row[5].value, title=summary or "",
                                     due_on=found.due_on, days_late=(today - found.due_on).days,
                                     petition_id=petition_id, handler=handler))
    return items


def overdue_items(
    session: Session, parent: Unit, year: int, filters: OverdueFilters, *, today: date, book: LegalBook,
    groups: list[Unit], tasks_on: date | None = None, titles: bool = True,
) -> tuple[list[NamedUnit], list[OverdueItem]]:
    """(the wards below `parent`, their late tasks of `year` as of `tasks_on` and open petitions late on
    `today`, most late first; every delay counted in days to `today`), in a fixed number of queries; `groups` are the units between `parent`
    and its wards (`groups_below`). Without `titles` the items carry no text (`fill_titles` reads it
    for the ones shown)."""
    wards = tenant_names_below(session, parent, during=year_span(year))
    chosen = {u.id: u for u in wards if filters.ward in (None, u.slug)
              and (filters.under is None or is_under(u, filters.under, groups))}
    every_ward = len(chosen) == len(wards)
    items: list[OverdueItem] = []
    if chosen and filters.kind in (None, TASK_KIND):
        items += _late_tasks(session, chosen, year, tasks_on or today, filters.role, every_ward, titles,
                             count_to=today)
    if chosen and filters.kind != TASK_KIND and filters.role is None:
        items += _late_petitions(session, chosen, today, book, filters.kind, every_ward, titles)
    items.sort(key=lambda i: (i.due_on, i.unit.name, i.kind, i.task_id or i.petition_id or 0))
    return wards, items


def fill_titles(session: Session, items: list[OverdueItem]) -> None:
    """Read the text of each item (a page's worth): two statements."""
    tasks = {i.task_id: i for i in items if i.task_id is not None}
    petitions = {i.petition_id: i for i in items if i.petition_id is not None}
    if tasks:
        for task_id, text in session.execute(select(Task.id, Task.text).where(Task.id.in_(list(tasks)))):
            tasks[task_id].title = text
    if petitions:
        for petition_id, summary in session.execute(
                select(Petition.id, Petition.summary).where(Petition.id.in_(list(petitions)))):
            petitions[petition_id].title = summary or ""
