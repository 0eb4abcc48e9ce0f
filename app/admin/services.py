"""Reading the audit log of the units in scope: newest first, filtered by who, what and when, a page
at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.local_time import WARD_ZONE
from app.models import AuditEntry, Unit

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""  # the name the entry was written by
    action: str = ""  # an action code ("plan.issue")
    since: date | None = None  # Vietnam days, both included
    until: date | None = None

    def active(self) -> bool:
        return bool(self.who or self.action or self.since or self.until)


def _start_of(day: date) -> datetime:
    """Midnight of `day` in Vietnam, as entries store their time: UTC, without a zone."""
    return datetime.combine(day, time(), tzinfo=WARD_ZONE).astimezone(UTC).replace(tzinfo=None)


def audit_page(session: Session, before_id: int | None = None,
               filters: AuditFilters = AuditFilters()) -> list[tuple[AuditEntry, Unit]]:
    """The newest entries visible in scope that pass `filters` (older than `before_id` if given), with
    their unit."""
    query = select(AuditEntry, Unit).join(Unit, Unit.id == AuditEntry.unit_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    if filters.who:
        query = query.where(AuditEntry.username == filters.who)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(AuditEntry.at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < _start_of(filters.until + timedelta(days=1)))
    return list(session.execute(query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE)).tuples())


def audit_choices(session: Session) -> tuple[list[str], list[str]]:
    """(the names, the action codes) the entries in scope carry, for the filters' lists."""
    names = session.scalars(select(AuditEntry.username).distinct().where(AuditEntry.username != "")
                            .order_by(AuditEntry.username)).all()
    actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return list(names), list(actions)
