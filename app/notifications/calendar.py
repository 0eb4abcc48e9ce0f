"""A person's deadlines as an iCalendar feed (RFC 5545, written with the `icalendar` package): the
legal deadlines of the open petitions, the plan's task due dates and the six-month and annual report
due dates of the wards where they hold a ward role, and the chairman's citizen reception days; each an
all-day event with a stable UID, so a phone's calendar updates rather than duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.law.book import LegalBook
from app.models import CalendarFeed, Membership, Petition, Reception, Role, Task, Unit
from app.models.petition import CLOSED_STATUSES
from app.models.secrets import hash_secret
from app.petitions.deadlines import deadline_of
from app.petitions.services import extension_counts
from app.plans.services import find_plan
from app.progress.services import task_summaries
from app.reports.services import KIND_LABELS as REPORT_KIND_LABELS
from app.reports.services import REVIEW_KINDS, default_due

OFFICE = {Role.OFFICE, Role.CHAIRMAN}


@dataclass(frozen=True)
class Dated:
    uid: str
    day: date
    summary: object  # said in the reader's language when the feed is written
    link: str


def feed_of(session: Session, secret: str) -> CalendarFeed | None:
    """The live feed the secret opens (None: unknown or revoked)."""
    return session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(secret),
                                                     CalendarFeed.revoked_at.is_(None)))


def _ward_roles(session: Session, user_id: int) -> dict[Unit, set[Role]]:
    roles: dict[Unit, set[Role]] = {}
    for membership in session.scalars(select(Membership).where(Membership.user_id == user_id,
                                                               Membership.active.is_(True))):
        if membership.unit.is_tenant and membership.unit.ended_on is None:
            roles.setdefault(membership.unit, set()).add(membership.role)
    return roles


def dated_items(session: Session, user_id: int, today: date, book: LegalBook) -> list[Dated]:
    """What the person's calendar shows (under a scope that sees their wards)."""
    items: list[Dated] = []
    for unit, roles in _ward_roles(session, user_id).items():
        where = unit.full_name
        if roles & OFFICE:
            petitions = list(session.scalars(select(Petition).where(Petition.unit_id == unit.id,
                                                                    Petition.status.not_in(CLOSED_STATUSES))))
            extensions = extension_counts(session, unit, [p.id for p in petitions])
            for petition in petitions:
                deadline = deadline_of(petition, book, today, extensions.get(petition.id, 0))
                if deadline is not None and deadline.done_on is None:
                    items.append(Dated(f"petition-{petition.id}", deadline.due_on,
                                       _l("Hạn giải quyết đơn: %(what)s (%(unit)s)", what=petition.summary[:80], unit=where),
                                       f"/u/{unit.slug}/petitions/{petition.id}"))
            for kind in REVIEW_KINDS:
                due = default_due(kind, today.year)
                if due is not None:
                    items.append(Dated(f"report-{unit.id}-{kind.value}-{today.year}", due,
                                       _l("Hạn gửi báo cáo %(what)s năm %(year)s (%(unit)s)", what=REPORT_KIND_LABELS[kind], year=today.year, unit=where),
                                       f"/u/{unit.slug}/reports/"))
        plan = find_plan(session, unit, today.year)
        if plan is not None:
            due_tasks = {p.task_id: p.next_due for p in task_summaries(session, plan, today).values()
                         if p.next_due is not None}
            for task in session.scalars(select(Task).where(Task.id.in_(list(due_tasks)))):
                if Role.CHAIRMAN in roles or task.owner_role in roles:
                    items.append(Dated(f"task-{task.id}-{due_tasks[task.id]}", due_tasks[task.id],
                                       _l("Nhiệm vụ đến hạn: %(what)s (%(unit)s)", what=task.text[:80], unit=where),
                                       f"/u/{unit.slug}/plans/{plan.year}/tasks/{task.id}/progress"))
        if Role.CHAIRMAN in roles:
            for reception in session.scalars(select(Reception).where(
                    Reception.unit_id == unit.id, Reception.held_on >= date(today.year, 1, 1))):
                items.append(Dated(f"reception-{reception.id}", reception.held_on, _l("Tiếp công dân (%(unit)s)", unit=where),
                                   f"/u/{unit.slug}/receptions"))
    return sorted(items, key=lambda d: (d.day, d.uid))


def ical(items: list[Dated], name: str) -> bytes:
    """The feed: one all-day VEVENT an item."""
    calendar = Calendar()
    calendar.add("prodid", "-//Dan van chinh quyen//lich han//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    base = current_app.config.get("PUBLIC_URL") or ""
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid}@dan-van-chinh-quyen")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", str(item.summary))
        if base:
            event.add("url", base + item.link)
        event.add("description", base + item.link if base else item.link)
        calendar.add_component(event)
    return calendar.to_ical()
