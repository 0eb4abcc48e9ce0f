"""What is due in a ward on a day, from the records: one definition each, shared with the dashboard
(app/units/services.py), and who is told.

- petitions due within 3 working days, and late: the office and the chairman, and the culture official
  when the petition is assigned to them (its handler is their name);
- plan tasks due this week, and late: the task's owner role and the chairman;
- the six-month and annual reports due within 7 days, late, or returned: the office and the chairman;
  late ones also to the parent's admin;
- a past week with working days and no citizen reception: the chairman; no dialogue by 1 October: the
  chairman.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.law.book import LegalBook
from app.models import Dialogue, NotificationKind, Report, ReportStatus, Role, Task, Unit
from app.plans.services import find_plan
from app.progress.services import task_summaries
from app.reports.services import NOT_YET, OVERDUE, REVIEW_KINDS, period_of, standing
from app.units.services import due_petitions, weeks_without_reception

OFFICE = frozenset({Role.OFFICE, Role.CHAIRMAN})
CHAIRMAN = frozenset({Role.CHAIRMAN})
REPORT_SOON_DAYS = 7
DIALOGUE_BY = (10, 1)  # 1 October: a year's dialogue with the people should have been held


@dataclass(frozen=True)
class Due:
    """One thing to tell: its kind, what it is about (`subject`, `day`), who in the unit is told, and the
    words and link of the message."""

    kind: NotificationKind
    subject: str
    day: date
    roles: frozenset[Role]
    link: str
    due_on: date | None = None
    words: dict[str, Any] = field(default_factory=dict)
    to_parent: bool = False  # also the parent's admin
    handler: str = ""  # a petition's handler: the culture official of that name is told too


def _petitions(session: Session, unit: Unit, book: LegalBook, today: date) -> list[Due]:
    found = []
    for item in due_petitions(session, unit, book, today):
        late = item.deadline.due_on < today
        found.append(Due(NotificationKind.PETITION_OVERDUE if late else NotificationKind.PETITION_DUE,
                         f"petition:{item.petition.id}", item.deadline.due_on, OFFICE,
                         f"/u/{unit.slug}/petitions/{item.petition.id}", item.deadline.due_on,
                         {"summary": item.petition.summary[:120]}, handler=item.petition.handler))
    return found


def _tasks(session: Session, unit: Unit, today: date) -> list[Due]:
    plan = find_plan(session, unit, today.year)
    if plan is None:
        return []
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    wanted = {}
    for progress in task_summaries(session, plan, today).values():
        if progress.overdue_since is not None:
            wanted[progress.task_id] = (NotificationKind.TASK_OVERDUE, progress.overdue_since)
        elif progress.next_due is not None and monday <= progress.next_due <= sunday:
            wanted[progress.task_id] = (NotificationKind.TASK_DUE, progress.next_due)
    if not wanted:
        return []
    tasks = session.scalars(select(Task).where(Task.id.in_(wanted)))
    return [Due(wanted[t.id][0], f"task:{t.id}", wanted[t.id][1], frozenset({t.owner_role, Role.CHAIRMAN}),
                f"/u/{unit.slug}/plans/{plan.year}/tasks/{t.id}/progress", wanted[t.id][1], {"task": t.text[:120]})
            for t in tasks]


def _reports(session: Session, unit: Unit, today: date) -> list[Due]:
    found = []
    year = today.year
    periods = {period_of(kind, year): kind for kind in REVIEW_KINDS}
    reports = {r.kind: r for r in session.scalars(select(Report).where(
        Report.unit_id == unit.id, Report.period.in_(list(periods))))}
    for kind in REVIEW_KINDS:
        report = reports.get(kind)
        stand = standing(kind, year, report, today)
        words = {"report": kind.value, "year": year}
        link = f"/u/{unit.slug}/reports/" + (str(report.id) if report is not None else "")
        if stand.state == OVERDUE:
            found.append(Due(NotificationKind.REPORT_LATE, f"report:{kind.value}:{year}", stand.due_on, OFFICE,
                             link, stand.due_on, words, to_parent=True))
        elif stand.state == NOT_YET and stand.due_on - today <= timedelta(days=REPORT_SOON_DAYS):
            found.append(Due(NotificationKind.REPORT_DUE, f"report:{kind.value}:{year}", stand.due_on, OFFICE,
                             link, stand.due_on, words))
        if report is not None and report.status == ReportStatus.RETURNED and report.reviewed_on is not None:
            found.append(Due(NotificationKind.REPORT_RETURNED, f"report:{report.id}", report.reviewed_on, OFFICE,
                             link, None, words))
    return found


def _receptions_and_dialogues(session: Session, unit: Unit, book: LegalBook, today: date) -> list[Due]:
    found = []
    last_week = today - timedelta(days=today.weekday() + 7)  # the Monday of the week before
    for monday, _sunday in weeks_without_reception(session, unit, last_week + timedelta(days=6), book.calendar):
        if monday == last_week:
            found.append(Due(NotificationKind.NO_RECEPTION, f"week:{monday.isoformat()}", monday, CHAIRMAN,
                             f"/u/{unit.slug}/receptions", None, {"week": monday.isoformat()}))
    if (today.month, today.day) >= DIALOGUE_BY:
        held = session.scalar(select(func.count(Dialogue.id)).where(
            Dialogue.unit_id == unit.id, Dialogue.held_on.between(date(today.year, 1, 1), today)))
        if not held:
            found.append(Due(NotificationKind.NO_DIALOGUE, f"dialogues:{today.year}", date(today.year, *DIALOGUE_BY),
                             CHAIRMAN, f"/u/{unit.slug}/dialogues", None, {"year": today.year}))
    return found


def due_in_ward(session: Session, unit: Unit, today: date, book: LegalBook) -> list[Due]:
    """Everything due in the ward on `today` (under a scope that sees the ward)."""
    return [*_petitions(session, unit, book, today), *_tasks(session, unit, today), *_reports(session, unit, today),
            *_receptions_and_dialogues(session, unit, book, today)]
