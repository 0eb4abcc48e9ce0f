"""Events told as they happen, in the request that makes them: a plan submitted, returned or issued, a
report acknowledged or returned. Once per person, kind, subject and day, like the scheduler's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Membership,
    Notification,
    NotificationKind,
    NotificationSetting,
    Plan,
    Report,
    Role,
    Unit,
)
from app.models.unit import ancestor_ids
from app.notifications.mail import send_at_once
from app.signals import plan_status_changed, proposal_made, report_reviewed, role_given

WARD_STAFF = (Role.CHAIRMAN, Role.OFFICE, Role.CULTURE)


def followers(session: Session, unit: Unit) -> set[int]:
    """The Front members (of the ward or above it) who chose to follow its issued plans and sent reports."""
    front = set(session.scalars(select(Membership.user_id).where(
        Membership.unit_id.in_(ancestor_ids(session, unit)), Membership.role == Role.FRONT,
        Membership.active.is_(True))))
    return set(session.scalars(select(NotificationSetting.user_id).where(
        NotificationSetting.user_id.in_(front), NotificationSetting.topic == SUPERVISION))) if front else set()


def tell_now(session: Session, unit: Unit, kind: NotificationKind, subject: str, roles: Iterable[Role],
             link: str, words: dict[str, Any], today: date, also: Iterable[int] = ()) -> int:
    """An event in a request (a plan submitted, a report returned, …): its unit's people in `roles` are
    told now, through the session (under the request's scope), unless told already today."""
    people = set(session.scalars(select(Membership.user_id).where(
        Membership.unit_id == unit.id, Membership.role.in_(list(roles)), Membership.active.is_(True)))) | set(also)
    told = set(session.scalars(select(Notification.user_id).where(
        Notification.unit_id == unit.id, Notification.kind == kind.value, Notification.subject == subject,
        Notification.day == today)))
    new = [Notification(unit_id=unit.id, user_id=user_id, kind=kind.value, subject=subject, day=today,
                        link=link, words={**words, "unit": unit.full_name}) for user_id in sorted(people - told)]
    session.add_all(new)
    session.flush()
    send_at_once(session, new)
    return len(new)


PLAN_KINDS = {"plan.submit": NotificationKind.PLAN_SUBMITTED, "plan.return": NotificationKind.PLAN_RETURNED,
              "plan.issue": NotificationKind.PLAN_ISSUED}
REPORT_KINDS = {"report.acknowledge": NotificationKind.REPORT_ACKNOWLEDGED,
                "report.return": NotificationKind.REPORT_RETURNED, "report.send": NotificationKind.REPORT_SENT}
SUPERVISION = "supervision"  # the topic a Front member follows a ward's issued plans and sent reports by


@plan_status_changed.connect
def plan_event(plan: Plan, *, session: Session, action: str, today: date) -> None:
    """Submitted: the chairman; returned: the office; issued: the ward's staff."""
    kind = PLAN_KINDS[action]
    roles = {NotificationKind.PLAN_SUBMITTED: (Role.CHAIRMAN,), NotificationKind.PLAN_RETURNED: (Role.OFFICE,),
             NotificationKind.PLAN_ISSUED: WARD_STAFF}[kind]
    unit = session.get_one(Unit, plan.unit_id)
    tell_now(session, unit, kind, f"plan:{plan.id}", roles, f"/u/{unit.slug}/plans/{plan.year}",
             {"year": plan.year}, today, also=followers(session, unit) if kind == NotificationKind.PLAN_ISSUED else ())


@role_given.connect
def role_event(membership: Membership, *, session: Session, today: date) -> None:
    """A role given or changed: the person, in the unit where they hold it."""
    unit = session.get_one(Unit, membership.unit_id)
    tell_now(session, unit, NotificationKind.ROLE_GIVEN, f"membership:{membership.id}:{membership.role.value}", (),
             f"/u/{unit.slug}/", {"role": membership.role.value}, today, also=(membership.user_id,))


@proposal_made.connect
def proposal_event(plan: Plan, *, session: Session, today: date) -> None:
    """A new revision of the template offered to the ward: its chairman and office."""
    unit = session.get_one(Unit, plan.unit_id)
    tell_now(session, unit, NotificationKind.PROPOSAL_RECEIVED, f"proposal:{plan.id}", (Role.CHAIRMAN, Role.OFFICE),
             f"/u/{unit.slug}/plans/{plan.year}", {"year": plan.year}, today)


@report_reviewed.connect
def report_event(report: Report, *, session: Session, action: str, today: date) -> None:
    """Acknowledged or returned by the parent: the ward's office and chairman."""
    kind = REPORT_KINDS[action]
    unit = session.get_one(Unit, report.unit_id)
    if kind == NotificationKind.REPORT_SENT:  # the parent's admin sees it in the report status; the Front follows
        tell_now(session, unit, kind, f"report:{report.id}", (), f"/u/{unit.slug}/reports/{report.id}",
                 {"report": report.kind.value, "title": report.title[:120]}, today, also=followers(session, unit))
        return
    tell_now(session, unit, kind, f"report:{report.id}", (Role.OFFICE, Role.CHAIRMAN),
             f"/u/{unit.slug}/reports/{report.id}", {"report": report.kind.value, "title": report.title[:120]}, today)
