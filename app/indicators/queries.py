"""One aggregate query per register, grouped by unit: every part every indicator of the register
needs, for every unit asked, in the same statement (one column per filter and part).

Each `<register>_parts` function answers {unit_id: {(filter key, part): number}}; a unit without
records is simply absent (its parts count as 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from app.database import day_number
from app.indicators.measures import REGISTER_MODELS, Number, RecordKind
from app.law.book import LegalBook
from app.models import (
    Dialogue,
    Meeting,
    ModelStatus,
    Petition,
    PetitionStatus,
    Post,
    ProgressStatus,
    Reception,
    Schedule,
    SkilfulModel,
    Task,
    TaskUpdate,
)
from app.periods import ReportingPeriod
from app.petitions.deadlines import FACTS, Deadlines, PetitionFacts, extensions_recorded
from app.progress.schedule import last_passed_due
from app.progress.schedule import periods as schedule_periods

PartKey = tuple[str, str]  # (filter key, part)
UnitParts = dict[int, dict[PartKey, Number]]


@dataclass
class Wanted:
    """The parts asked of one register, per filter (parsed {column: values})."""

    filters: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    parts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def ask(self, key: str, parsed: dict[str, list[Any]], parts: Iterable[str]) -> None:
        self.filters[key] = parsed
        self.parts[key].update(parts)

    def pairs(self, exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        return sorted((key, part) for key, parts in self.parts.items() for part in parts if part not in exclude)


@dataclass(frozen=True)
class Batch:
    """What is computed: the units (and their plans of `plan_year`), the period, the day it is seen on."""

    unit_ids: tuple[int, ...]
    plan_ids: tuple[int, ...]
    plan_year: int
    period: ReportingPeriod
    today: date
    book: Callable[[], LegalBook]  # the legal rules and calendar, loaded only when needed


def _condition(model: type, parsed: Mapping[str, list[Any]]) -> ColumnElement[bool] | None:
    conditions = [
        getattr(model, column) == values[0] if len(values) == 1 else getattr(model, column).in_(values)
        for column, values in sorted(parsed.items())
    ]
    return and_(*conditions) if conditions else None


def _all(*conditions: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
    present = [c for c in conditions if c is not None]
    return and_(*present) if present else None


def _count_if(condition: ColumnElement[bool] | None) -> ColumnElement[Any]:
    return func.count() if condition is None else func.count(case((condition, 1)))


def _sum_if(value: ColumnElement[Any], condition: ColumnElement[bool] | None) -> ColumnElement[Any]:
    summed = value if condition is None else case((condition, value), else_=0)
    return func.coalesce(func.sum(summed), 0)


def _grouped(session: Session, model: type[Any], columns: list[tuple[PartKey, ColumnElement[Any]]],
             where: list[ColumnElement[bool]], joins: Callable[[Any], Any] = lambda s: s) -> UnitParts:
    """Run one SELECT unit_id, <columns> ... GROUP BY unit_id and spread the row over the part keys."""
    if not columns:
        return {}
    statement = select(model.unit_id, *(expr.label(f"p{i}") for i, (_, expr) in enumerate(columns)))
    statement = joins(statement.select_from(model)).where(*where).group_by(model.unit_id)
    found: UnitParts = {}
    for row in session.execute(statement):
        found[row[0]] = {key: (row[i + 1] or 0) for i, (key, _) in enumerate(columns)}
    return found


def _dated(
    model: type[Any], day: QueryableAttribute[date], extra: dict[str, Callable[[], ColumnElement[bool]]]
) -> Callable[[Session, Batch, Wanted], UnitParts]:
    """Parts of a register whose records fall into a period by one date column."""

    def parts(session: Session, batch: Batch, wanted: Wanted) -> UnitParts:
        columns = []
        for key, part in wanted.pairs(exclude=CALENDAR_PARTS):
            condition = _condition(model, wanted.filters[key])
            if part == "count":
                columns.append(((key, part), _count_if(condition)))
            elif part.startswith("sum:"):
                columns.append(((key, part), _sum_if(getattr(model, part[4:]), condition)))
            else:
                columns.append(((key, part), _count_if(_all(condition, extra[part]()))))
        found = _grouped(
            session, model, columns,
            [model.unit_id.in_(batch.unit_ids), day >= batch.period.start, day <= batch.period.end],
        )
        _add_calendar_parts(found, batch, wanted)
        return found

    return parts


# --- receptions: the weeks a reception is required in ----------------------------------------

CALENDAR_PARTS = frozenset({"required_weeks"})


def required_weeks(batch: Batch) -> int:
    """Weeks (Monday to Sunday) starting in the period that have at least one working day."""
    calendar = batch.book().calendar
    day = batch.period.start + timedelta(days=(7 - batch.period.start.weekday()) % 7)
    weeks = 0
    while day <= batch.period.end:
        if any(calendar.is_working_day(day + timedelta(days=n)) for n in range(7)):
            weeks += 1
        day += timedelta(days=7)
    return weeks


def _add_calendar_parts(found: UnitParts, batch: Batch, wanted: Wanted) -> None:
    asked = [(key, part) for key, part in wanted.pairs() if part in CALENDAR_PARTS]
    if not asked:
        return
    weeks = required_weeks(batch)
    for unit_id in batch.unit_ids:
        found.setdefault(unit_id, {}).update({pair: weeks for pair in asked})


# --- petitions --------------------------------------------------------------------------------




def petition_parts(session: Session, batch: Batch, wanted: Wanted) -> UnitParts:
    period = batch.period
    received = and_(Petition.received_on >= period.start, Petition.received_on <= period.end)
    resolved = and_(
        Petition.status == PetitionStatus.RESOLVED, Petition.closed_on >= period.start, Petition.closed_on <= period.end
    )
    columns = []
    for key, part in wanted.pairs(exclude=frozenset({"on_time"})):
        condition = _condition(Petition, wanted.filters[key])
        columns.append(((key, part), _count_if(_all(condition, received if part == "count" else resolved))))
    found = _grouped(
        session, Petition, columns, [Petition.unit_id.in_(batch.unit_ids), or_(received, resolved)]
    )
    on_time = [key for key, part in wanted.pairs() if part == "on_time"]
    if on_time:
        for unit_id, counts in _on_time(session, batch, wanted, on_time, resolved).items():
            found.setdefault(unit_id, {}).update(counts)
    return found


def _on_time(session: Session, batch: Batch, wanted: Wanted, keys: list[str],
             resolved: ColumnElement[bool]) -> UnitParts:
    """Resolved petitions closed by their legal deadline: one query grouped by what the deadline
    depends on; the deadline itself comes from the working-day calendar, in Python."""
    extensions = extensions_recorded(batch.unit_ids)
    facts = (Petition.unit_id, *(getattr(Petition, name) for name in FACTS), extensions.c.n)
    statement = (
        select(*facts, *(_count_if(_condition(Petition, wanted.filters[key])).label(f"k{i}") for i, key in enumerate(keys)))
        .select_from(Petition)
        .outerjoin(extensions, and_(extensions.c.unit_id == Petition.unit_id, extensions.c.petition_id == Petition.id))
        .where(Petition.unit_id.in_(batch.unit_ids), resolved)
        .group_by(*facts)
    )
    deadlines = Deadlines(batch.book(), batch.today)
    found: UnitParts = {}
    width = len(FACTS)
    for row in session.execute(statement).tuples():  # unit_id, the FACTS columns, n, then a count per key
        petition = PetitionFacts(*row[1:1 + width])
        deadline = deadlines.of(petition, row[1 + width] or 0)
        if deadline is None or not deadline.on_time:
            continue
        counts = found.setdefault(row[0], {})
        for i, key in enumerate(keys):
            counts[(key, "on_time")] = counts.get((key, "on_time"), 0) + row[2 + width + i]
    return found


# --- models -----------------------------------------------------------------------------------


def model_parts(session: Session, batch: Batch, wanted: Wanted) -> UnitParts:
    recognised = and_(
        SkilfulModel.status == ModelStatus.RECOGNISED,
        or_(SkilfulModel.recognised_on.is_(None), SkilfulModel.recognised_on <= batch.period.end),
    )
    columns = []
    for key, part in wanted.pairs():
        condition = _condition(SkilfulModel, wanted.filters[key])
        columns.append(((key, part), _count_if(_all(condition, recognised if part == "recognised" else None))))
    return _grouped(
        session, SkilfulModel, columns, [SkilfulModel.unit_id.in_(batch.unit_ids), SkilfulModel.year == batch.period.year]
    )


# --- tasks ------------------------------------------------------------------------------------


def _start_of(missed: tuple[date, date | None] | None) -> date | None:
    return missed[1] if missed else None


@dataclass(frozen=True)
class TaskFlags:
    """Per task, as SQL over `Task` joined by `join`: done in the period, and overdue on the day."""

    done: ColumnElement[int]
    overdue: ColumnElement[int]
    join: Callable[[Select[Any]], Select[Any]]
    may_be_late: tuple[Schedule, ...]  # the schedules whose tasks can be overdue on the day (an index's filter)


def task_flags(unit_ids: Iterable[int] | None, year: int, period: ReportingPeriod, today: date, *,
               overdue_only: bool = False) -> TaskFlags:
    """Whether each task of a `year` plan is done in `period` and overdue on `today` (due dates as
    app/progress/schedule); the updates read are those of `unit_ids` (None: all in the scope).
    `overdue_only` reads only the updates of the periods whose due dates it asks about (and once tasks',
    once their due date passed) and leaves `done` out (always 0): the overdue list's cheaper question."""
    months = [p for p in schedule_periods(Schedule.MONTHLY, year) if p.end in period]
    quarters = [p for p in schedule_periods(Schedule.QUARTERLY, year) if p.end in period]
    # Which due date counts is app/progress/schedule's one rule; here it becomes SQL.
    last_month = _start_of(last_passed_due(Schedule.MONTHLY, year, today, within=period))
    last_quarter = _start_of(last_passed_due(Schedule.QUARTERLY, year, today, within=period))
    once_passed = last_passed_due(Schedule.ONCE, year, today, within=period) is not None
    # A period stands as its latest update says (app/progress/services.summarise); a once task's updates have
    # no period. Updates are ordered by (day reported, id), one number: the day times 2**31, plus the id; a
    # period stands done when its latest update's number is its latest done update's. One pass over the
    # updates, grouped by task, no window (a window sorted every update of a country's scope); the
    # overdue list reads only the periods whose due dates it asks about, and once tasks'.
    order = day_number(TaskUpdate.reported_on) * literal(2 ** 31, BigInteger) + TaskUpdate.id
    done = TaskUpdate.status == ProgressStatus.DONE
    asked = [start for start in (last_month, last_quarter) if start is not None]
    # Once tasks' updates (no period; most updates are ongoing tasks', also without) only while a once
    # task can be overdue; false() when nothing is asked: the overdue list then reads no update.
    read_periods = [TaskUpdate.period_start.in_(asked) if asked else false(),
                    *([TaskUpdate.period_start.is_(None)] if once_passed else [])]

    def latest(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.max(case((condition, order)))

    def stands_done(condition: ColumnElement[bool]) -> ColumnElement[int]:
        """1 if the latest update among those `condition` picks is done."""
        return case((latest(and_(condition, done)) == latest(condition), 1), else_=0)

    def in_period(start: date | None) -> ColumnElement[bool]:
        return TaskUpdate.period_start.is_(None) if start is None else TaskUpdate.period_start == start

    def periods_done(periods: list[Any]) -> ColumnElement[int]:
        return sum((stands_done(in_period(p.start)) for p in periods), literal(0))

    by_end = TaskUpdate.reported_on <= period.end
    done_parts = [] if overdue_only else [
        stands_done(by_end).label("latest_done"),  # a once or ongoing task's state in the period
        periods_done(months).label("months_done"),
        periods_done(quarters).label("quarters_done"),
    ]
    updates = (
        select(
            TaskUpdate.unit_id.label("unit_id"),
            TaskUpdate.task_id.label("task_id"),
            stands_done(in_period(None)).label("once_done"),
            (stands_done(in_period(last_month)) if last_month else literal(0)).label("last_month_done"),
            (stands_done(in_period(last_quarter)) if last_quarter else literal(0)).label("last_quarter_done"),
            *done_parts,
        )
        .where(*([TaskUpdate.unit_id.in_(unit_ids)] if unit_ids is not None else []),
               *([or_(*read_periods)] if overdue_only else []))
        .group_by(TaskUpdate.unit_id, TaskUpdate.task_id)
        .subquery()
    )

    def got(column: ColumnElement[Any]) -> ColumnElement[int]:
        return func.coalesce(column, 0)

    zero = literal(0)
    done_flag = zero if overdue_only else case(
        (Task.schedule.in_((Schedule.ONCE, Schedule.ONGOING)), got(updates.c.latest_done)),
        (Task.schedule == Schedule.MONTHLY,
         case((got(updates.c.months_done) >= len(months), 1), else_=0) if months else zero),
        (Task.schedule == Schedule.QUARTERLY,
         case((got(updates.c.quarters_done) >= len(quarters), 1), else_=0) if quarters else zero),
        else_=0,
    )
    overdue_flag = case(
        (Task.schedule == Schedule.ONCE, 1 - got(updates.c.once_done) if once_passed else zero),
        (Task.schedule == Schedule.MONTHLY, 1 - got(updates.c.last_month_done) if last_month else zero),
        (Task.schedule == Schedule.QUARTERLY, 1 - got(updates.c.last_quarter_done) if last_quarter else zero),
        else_=0,
    )

    def join(statement: Select[Any]) -> Select[Any]:
        return statement.outerjoin(updates, and_(updates.c.unit_id == Task.unit_id, updates.c.task_id == Task.id))

    may_be_late = tuple(schedule for schedule, passed in (
        (Schedule.ONCE, once_passed), (Schedule.MONTHLY, last_month), (Schedule.QUARTERLY, last_quarter)) if passed)
    return TaskFlags(done_flag, overdue_flag, join, may_be_late)


def task_parts(session: Session, batch: Batch, wanted: Wanted) -> UnitParts:
    """Tasks of the plans: total, done in the period, overdue."""
    flags = task_flags(batch.unit_ids, batch.plan_year, batch.period, batch.today)
    columns = []
    for key, part in wanted.pairs():
        condition = _condition(Task, wanted.filters[key])
        if part == "total":
            columns.append(((key, part), _count_if(condition)))
        else:
            columns.append(((key, part), _sum_if(flags.done if part == "done" else flags.overdue, condition)))
    return _grouped(
        session, Task, columns, [Task.unit_id.in_(batch.unit_ids), Task.plan_id.in_(batch.plan_ids)], flags.join
    )


REGISTER_PARTS: dict[RecordKind, Callable[[Session, Batch, Wanted], UnitParts]] = {
    RecordKind.TASKS: task_parts,
    RecordKind.RECEPTIONS: _dated(Reception, Reception.held_on, {}),
    RecordKind.DIALOGUES: _dated(Dialogue, Dialogue.held_on, {"with_front": lambda: Dialogue.with_front.is_(True)}),
    RecordKind.PETITIONS: petition_parts,
    RecordKind.MODELS: model_parts,
    RecordKind.POSTS: _dated(Post, Post.published_on, {}),
    RecordKind.MEETINGS: _dated(Meeting, Meeting.held_on, {}),
}
assert set(REGISTER_PARTS) == set(REGISTER_MODELS)
