"""Telling people: a notification per person, kind, subject and day, never twice (the table's unique
key), whether `flask notify run` computes it or an event in a request writes it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.database import insert_unless_there
from app.law.book import LegalBook
from app.models import Membership, Notification, NotificationKind, Role, Unit, User
from app.models.unit import TENANT_KINDS
from app.notifications.due import Due, due_in_ward
from app.notifications.mail import send_at_once
from app.search import fold
from app.tenancy import Scope, current_scope, set_scope


@dataclass
class Staff:
    """Who holds which active role where: unit id → role → user ids; and each unit's parent."""

    roles: dict[int, dict[Role, set[int]]]
    parents: dict[int, int | None]
    names: dict[int, str]  # the culture officials' names, folded: a petition's handler names one

    @classmethod
    def load(cls, session: Session) -> Staff:
        roles: dict[int, dict[Role, set[int]]] = defaultdict(lambda: defaultdict(set))
        for unit_id, role, user_id in session.execute(
                select(Membership.unit_id, Membership.role, Membership.user_id).where(Membership.active.is_(True))):
            roles[unit_id][role].add(user_id)
        parents = dict(session.execute(select(Unit.id, Unit.parent_id)).tuples().all())
        culture = {u for unit_roles in roles.values() for u in unit_roles.get(Role.CULTURE, set())}
        names = {user_id: fold(name) for user_id, name in session.execute(
            select(User.id, User.full_name).where(User.id.in_(culture))).tuples() if name}
        return cls(roles, parents, names)

    def in_unit(self, unit_id: int, roles: Iterable[Role]) -> set[int]:
        return set().union(*(self.roles.get(unit_id, {}).get(role, set()) for role in roles))

    def parent_admins(self, unit_id: int) -> set[int]:
        """The admins of the units above (a town's, a province's)."""
        found: set[int] = set()
        current = self.parents.get(unit_id)
        while current is not None:
            found |= self.in_unit(current, (Role.TOWN_ADMIN,))
            current = self.parents.get(current)
        return found


def rows_for(unit: Unit, items: list[Due], staff: Staff) -> list[dict[str, Any]]:
    """One row per person told of each item."""
    rows = []
    for item in items:
        people = {(user, item.kind) for user in staff.in_unit(unit.id, item.roles)}
        if item.handler:
            people |= {(user, item.kind) for user in staff.in_unit(unit.id, (Role.CULTURE,))
                       if staff.names.get(user) == fold(item.handler)}
        if item.to_parent:
            people |= {(user, NotificationKind.WARD_REPORT_LATE) for user in staff.parent_admins(unit.id)}
        for user_id, kind in sorted(people):
            rows.append({"unit_id": unit.id, "user_id": user_id, "kind": kind.value, "subject": item.subject,
                         "day": item.day, "due_on": item.due_on, "link": item.link,
                         "words": {**item.words, "unit": unit.full_name}})
    return rows


def insert_new(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows not there yet (by the unique key; safe with several runners at once): the ids of
    those that were new. Under a scope that may write every unit (the scheduler's)."""
    if not rows:
        return []
    table = Notification.__table__
    assert isinstance(table, Table)
    new: list[int] = []
    for start in range(0, len(rows), CHUNK):
        new += session.scalars(insert_unless_there(session, table, rows[start:start + CHUNK])).all()
    return new


@dataclass
class RunReport:
    units: int = 0
    told: int = 0
    mailed: int = 0  # at once, to those who asked so


CHUNK = 500  # rows an INSERT (well within SQLite's limit on parameters)
BATCH = 200  # wards a transaction: a long run commits as it goes, and a second run finds what is done


def _alone(unit: Unit, outer: Scope | None) -> Scope | None:
    """What is due in a ward is read under a scope of the ward alone, read only (if the scope `run` was given
    covers it): under a country's scope, each statement's row policies read 3,358 ids (about 1.5 ms a
    statement on PostgreSQL, 7 statements a ward)."""
    if outer is None or not outer.covers(unit.id):
        return outer
    return Scope(unit_ids=frozenset({unit.id}), home_unit_id=unit.id, read_only=True, actor=outer.actor,
                 user_id=outer.user_id)


def run(session: Session, today: date, book: LegalBook, commit: bool = True) -> RunReport:
    """Compute what is due in every ward that exists today and tell whoever has not been told yet."""
    report = RunReport()
    staff = Staff.load(session)
    wards = list(session.scalars(select(Unit).where(Unit.kind.in_(TENANT_KINDS), Unit.ended_on.is_(None))
                                 .order_by(Unit.id)))
    outer = current_scope(session)
    for start in range(0, len(wards), BATCH):
        rows = []
        try:
            for unit in wards[start:start + BATCH]:
                set_scope(session, _alone(unit, outer))
                rows += rows_for(unit, due_in_ward(session, unit, today, book), staff)
                report.units += 1
        finally:
            set_scope(session, outer)  # the batch's notifications are written in the scope run was given
        new = insert_new(session, rows)
        report.told += len(new)
        report.mailed += send_at_once(session, list(session.scalars(select(Notification).where(Notification.id.in_(new)))))
        if commit:
            session.commit()
    return report
