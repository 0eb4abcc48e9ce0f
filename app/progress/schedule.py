"""Due dates that a task's schedule produces through the plan's year, and when a task is overdue.

Pure functions of (schedule, year, today): no database, no request. A monthly task is due on
the last day of each month, a quarterly one on the last day of each quarter, a once task on
31/12 of the year, an ongoing ("thường xuyên") task never. A task is overdue once the most
recent due date has passed while that period's latest update is not "done" (for a once task:
while its latest update is not).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from flask_babel import lazy_gettext as _l

from app.models import Schedule
from app.periods import QUARTER_NUMERALS, month_end

RECURRING = (Schedule.MONTHLY, Schedule.QUARTERLY)


class Dates(Protocol):
    """Days that can be asked about one at a time (`day in dates`): a set, a ReportingPeriod."""

    def __contains__(self, day: date, /) -> bool: ...


@dataclass(frozen=True)
class TaskPeriod:
    """One reporting period of a recurring task: its first day (stored as `period_start`) and due date."""

    start: date
    end: date
    schedule: Schedule

    @property
    def label(self) -> object:
        """"Tháng 1/2025" or "Quý I/2025", in the user's language when rendered."""
        if self.schedule == Schedule.QUARTERLY:
            quarter = QUARTER_NUMERALS[(self.start.month - 1) // 3]
            return _l("Quý %(quarter)s/%(year)s", quarter=quarter, year=self.start.year)
        return _l("Tháng %(month)s/%(year)s", month=self.start.month, year=self.start.year)

    @property
    def key(self) -> str:
        """The value a form posts for this period (ISO date of its first day)."""
        return self.start.isoformat()


def periods(schedule: Schedule, year: int) -> list[TaskPeriod]:
    """The reporting periods of `year` for a recurring schedule; none for once and ongoing tasks."""
    if schedule == Schedule.MONTHLY:
        return [TaskPeriod(date(year, m, 1), month_end(year, m), schedule) for m in range(1, 13)]
    if schedule == Schedule.QUARTERLY:
        return [TaskPeriod(date(year, m, 1), month_end(year, m + 2), schedule) for m in (1, 4, 7, 10)]
    return []


def due_dates(schedule: Schedule, year: int) -> list[date]:
    """Every due date of the year, in order (empty for ongoing tasks)."""
    if schedule == Schedule.ONCE:
        return [date(year, 12, 31)]
    return [p.end for p in periods(schedule, year)]


def period_containing(schedule: Schedule, year: int, day: date) -> TaskPeriod | None:
    """The period of `year` that `day` falls in, clamped to the year (None for once/ongoing)."""
    found = periods(schedule, year)
    if not found:
        return None
    if day < found[0].start:
        return found[0]
    return next((p for p in found if p.start <= day <= p.end), found[-1])


def period_starting(schedule: Schedule, year: int, start: date) -> TaskPeriod | None:
    """The period of `year` that begins on `start`, if the schedule has one."""
    return next((p for p in periods(schedule, year) if p.start == start), None)


def last_passed_due(
    schedule: Schedule, year: int, today: date, within: Dates | None = None
) -> tuple[date, date | None] | None:
    """(due date, period start) of the most recent due date before `today` (among those falling
    `within` a reporting period, if given); None if none passed yet.

    A due date is met on the day itself, so it has "passed" only from the next day on. This is the
    one rule of "overdue": the task pages apply it in Python, the indicators in SQL.
    """
    if schedule == Schedule.ONCE:
        end = date(year, 12, 31)
        return (end, None) if end < today and (within is None or end in within) else None
    passed = [p for p in periods(schedule, year) if p.end < today and (within is None or p.end in within)]
    return (passed[-1].end, passed[-1].start) if passed else None


def next_due(schedule: Schedule, year: int, today: date) -> date | None:
    """The first due date on or after `today` within the year (None: ongoing, or the year is over)."""
    return next((d for d in due_dates(schedule, year) if d >= today), None)


def overdue_since(
    schedule: Schedule, year: int, today: date, done_periods: Collection[date | None], within: Dates | None = None,
) -> date | None:
    """The due date missed, if the task is overdue on `today` (as to the due dates `within` a
    reporting period, if given), else None.

    `done_periods` holds the `period_start` of each period whose latest update is done (None for a
    once task, whose updates have no period).
    """
    missed = last_passed_due(schedule, year, today, within)
    if missed is None:
        return None
    due, start = missed
    return None if start in done_periods else due


def is_overdue(
    schedule: Schedule, year: int, today: date, done_periods: Collection[date | None] = ()
) -> bool:
    """Is the task past its most recent due date without a done update for it?"""
    return overdue_since(schedule, year, today, done_periods) is not None
