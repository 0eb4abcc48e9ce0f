"""Each ward's rollup figures for a period, kept in `rollup_figures` and recomputed only where they
went stale, so that a parent's rollup reads one row per ward instead of the year's records.

- Every flush that writes a ward-owned row bumps its unit's `data_version` in the same transaction;
  kept figures of an older version are stale. The version is read before the figures are computed,
  so a write committed meanwhile leaves them stale, never wrong.
- The overdue count changes with the day only when a due date passes (a month's end): kept figures
  say the last due date they saw passed (`as_of`).
- Stale or missing figures are computed by app/indicators (the same queries as a ward's own
  indicators), for those wards only, and kept.
- Where a reader wants every indicator of the wards (the API's rollup), they are kept too, in the same
  row and by the same rules; figures computed alone leave them out (None: computed at the next asking).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.database import sqlite_writes_ahead
from app.indicators.services import IndicatorResult, rollup_values
from app.law.book import LegalBook
from app.local_time import utc_now
from app.models import AuditEntry, Notification, PlanStatus, RollupFigures, Schedule, Unit
from app.periods import ReportingPeriod, parse_period
from app.progress.schedule import last_passed_due
from app.tenancy import TenantOwned, system_scope

# What each column of the rollup reads: (attribute, indicator code, part of it or None for its value).
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
FIGURE_CODES = frozenset(code for _, code, _ in INDICATOR_SOURCES)
# Rows whose writes change no figure: the figures themselves, and the audit log (a GET may log).
NOT_FIGURES = (RollupFigures, AuditEntry, Notification)  # not the unit's records: no new version


def _percent(part: float | None, whole: float | None) -> float | None:
    return round(100 * part / whole, 1) if part is not None and whole else None


@dataclass
class WardRollup:
    """One ward's figures for a period (None: its plan has no such indicator, or it has no plan)."""

    unit: Unit | None  # None for the totals row
    plan_status: PlanStatus | None = None  # of its plan for the year; None: no plan
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
            return self.plan_status
        return getattr(self, key, None)

    def counts(self) -> dict[str, float | None]:
        return {key: getattr(self, key) for key in COUNTS}


def from_indicators(results: list[IndicatorResult]) -> dict[str, float | None]:
    """The figures a ward's indicator values give (the first source found wins: a percentage's
    parts before the plain counts)."""
    found: dict[str, float | None] = dict.fromkeys(COUNTS)
    by_code = {r.code: r for r in results}
    for attr, code, part in INDICATOR_SOURCES:
        if found[attr] is not None or code not in by_code:
            continue
        result = by_code[code]
        value = result.parts.get(part) if part else result.value
        if value is not None:
            found[attr] = value
    return found


def figures_day(year: int, period: ReportingPeriod, today: date) -> date:
    """The last due date passed on `today` within `period` (the day before the period if none): the
    figures change with the day only when it does."""
    missed = last_passed_due(Schedule.MONTHLY, year, today, within=period)
    return missed[0] if missed else period.start - timedelta(days=1)


def computed(session: Session, units: list[Unit], year: int, period: ReportingPeriod, *, today: date,
             book: LegalBook) -> dict[int, dict[str, float | None]]:
    """The figures of `units` computed from their records now (nothing kept is read)."""
    values = rollup_values(session, units, year, period, today=today, book=book, codes=FIGURE_CODES)
    return {unit_id: from_indicators(results) for unit_id, results in values.items()}


def kept(session: Session, units: list[Unit], year: int, period: ReportingPeriod | str, *, today: date,
         book: LegalBook) -> dict[int, dict[str, float | None]]:
    """{unit id: figures} for `units`: the kept ones still current, the others computed, and noted
    to be kept by `keep_pending` (after the reading is done)."""
    period = parse_period(period) if isinstance(period, str) else period
    current, note = _current(session, units, year, period, today, *(getattr(RollupFigures, key) for key in COUNTS))
    found = {unit_id: dict(zip(COUNTS, values, strict=True)) for unit_id, values in current.items()}
    stale = [u for u in units if u.id not in found]
    if stale:
        fresh = computed(session, stale, year, period, today=today, book=book)
        note({unit_id: {**figures, "indicators": None} for unit_id, figures in fresh.items()})
        found.update(fresh)
    return found


def kept_indicators(session: Session, units: list[Unit], year: int, period: ReportingPeriod, *, today: date,
                    book: LegalBook) -> dict[int, list[dict[str, Any]]]:
    """{unit id: every indicator of its plan for `period`, as plain data (IndicatorResult.as_data)} for
    `units`: kept ones still current, the others computed (with the figures they give) and noted to be
    kept by `keep_pending`."""
    current, note = _current(session, units, year, period, today, RollupFigures.indicators)
    found = {unit_id: values[0] for unit_id, values in current.items() if values[0] is not None}
    stale = [u for u in units if u.id not in found]
    if stale:
        results = rollup_values(session, stale, year, period, today=today, book=book)
        fresh = {unit_id: [r.as_data() for r in found_results] for unit_id, found_results in results.items()}
        note({unit_id: {**from_indicators(results[unit_id]), "indicators": fresh[unit_id]} for unit_id in fresh})
        found.update(fresh)
    return found


LISTED_UNITS = 500  # past this many units, their versions are read with every unit's


def _current(session: Session, units: list[Unit], year: int, period: ReportingPeriod, today: date,
             *columns: Any) -> tuple[dict[int, tuple[Any, ...]], Callable[[dict[int, dict[str, Any]]], None]]:
    """({unit id: `columns` of its kept row} for the units whose row is current, and a function that notes
    rows computed for the others to be kept). The units' versions are read first (not taken from the
    objects, which the session may have loaded before a write): a write committed meanwhile leaves the
    rows noted stale, never wrong."""
    day = figures_day(year, period, today)
    ids = {u.id for u in units}
    versions_of = select(Unit.id, Unit.data_version)
    if len(ids) <= LISTED_UNITS:  # a country's units are read whole: cheaper than 3,321 ids listed
        versions_of = versions_of.where(Unit.id.in_(ids))
    versions = {unit_id: version for unit_id, version in session.execute(versions_of).tuples() if unit_id in ids}
    rows = session.execute(  # every kept row of the scope: cheaper than the units' ids listed
        select(RollupFigures.unit_id, RollupFigures.version, RollupFigures.as_of, *columns)
        .where(RollupFigures.year == year, RollupFigures.period == period.code)
    ).all()
    current = {row[0]: tuple(row[3:]) for row in rows
               if row[0] in versions and row[1] == versions[row[0]] and row[2] == day}

    def note(fresh: dict[int, dict[str, Any]]) -> None:
        session.info.setdefault(PENDING, []).extend(
            {"unit_id": unit_id, "year": year, "period": period.code, "version": versions[unit_id], "as_of": day,
             "computed_at": utc_now(), **values}
            for unit_id, values in fresh.items()
        )

    return current, note


PENDING = "rollup_figures_to_keep"  # session.info key: figures computed by `kept`, not yet written


def has_pending(session: Session) -> bool:
    return bool(session.info.get(PENDING))


def keep_pending(session: Session) -> None:
    """Write the figures `kept` computed (in the session's transaction; the caller commits). On
    SQLite the caller ends the reading transaction first and begins a writing one (app/database)."""
    rows = session.info.pop(PENDING, [])
    if rows:
        _keep(session, rows)


def keep_now(session: Session) -> None:
    """Keep what the request computed, once its response is made (a commit expires the rows it shows), in
    a transaction of its own that writes from its start; if that fails they are simply computed again next
    time. A request whose figures were all kept writes nothing."""
    if not has_pending(session):
        return
    try:
        session.commit()  # ends the reading
        sqlite_writes_ahead(True)
        keep_pending(session)
        session.commit()
    except SQLAlchemyError:
        session.rollback()


def _keep(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or replace kept figures. They are derived from what the reader's scope showed and are
    written for those units only, under the system scope, so a read-only reader (the Front) keeps
    them too."""
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    def upsert(statement: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=["unit_id", "year", "period"],
            set_={key: statement.excluded[key]
                  for key in ("version", "as_of", "computed_at", *COUNTS, "indicators")},
        )

    with system_scope(session, actor="rollup figures", unit_ids={row["unit_id"] for row in rows}):
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            if dialect is postgresql:
                # One statement of many rows: row by row, each was planned under the row policies again
                # (3 ms a row at a country's scope). 500 rows of 18 values: well under the parameter limit.
                connection.execute(upsert(dialect.insert(RollupFigures.__table__).values(chunk)))
            else:
                connection.execute(upsert(dialect.insert(RollupFigures.__table__)), chunk)


def units_written(objects: Iterable[object]) -> set[int]:
    return {obj.unit_id for obj in objects
            if isinstance(obj, TenantOwned) and not isinstance(obj, NOT_FIGURES) and obj.unit_id is not None}


@event.listens_for(Session, "after_flush")
def _bump_versions(session: Session, flush_context: object) -> None:
    """A flush that wrote a ward's rows makes its kept figures stale, in the same transaction."""
    dirty = [o for o in session.dirty if session.is_modified(o)]
    ids = units_written([*session.new, *dirty, *session.deleted])
    if ids:
        session.connection().execute(
            update(Unit).where(Unit.id.in_(sorted(ids))).values(data_version=Unit.data_version + 1)
        )
