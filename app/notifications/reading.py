"""A person's notifications: how many unread, one page of them, marking them read; under a scope of
the units the person holds roles on (and those below), and only ever their own."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import CalendarFeed, Membership, Notification, Role, User
from app.models.unit import descendant_ids
from app.notifications.words import GROUPS
from app.tenancy import Scope
from app.web.paging import Page, page_bounds


def person_scope(session: Session, user: User) -> Scope:
    """The units `user` holds an active role on and those below; read only for the Front."""
    memberships = list(session.scalars(select(Membership).where(Membership.user_id == user.id,
                                                                Membership.active.is_(True))))
    units: set[int] = set()
    for membership in memberships:
        units |= descendant_ids(session, membership.unit)
    return Scope(unit_ids=frozenset(units), read_only=all(m.role == Role.FRONT for m in memberships),
                 user_id=user.id, actor=user.label)


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def notifications_page(session: Session, user_id: int, group: str | None, unread: bool, page: int,
                       size: int) -> Page[Notification]:
    """Newest first, of one group of kinds (None: all), only the unread if asked."""
    query = select(Notification).where(Notification.user_id == user_id)
    if group in GROUPS:
        query = query.where(Notification.kind.in_([k.value for k in GROUPS[group]]))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    total = session.scalar(query.with_only_columns(func.count(Notification.id))) or 0
    shown, pages = page_bounds(total, page, size)
    items = list(session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                                 .limit(size).offset((shown - 1) * size)))
    return Page(items, total, shown, pages)


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications read (or all of them): how many were unread. One by one
    through the session, so the scope's checks apply."""
    query = select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    found = list(session.scalars(query))
    now = datetime.now(UTC).replace(tzinfo=None)
    for notification in found:
        notification.read_at = now
    session.flush()
    return len(found)





def new_feed(session: Session, user_id: int) -> str:
    """A new private calendar address for the person: its secret (to show once)."""
    feed, secret = CalendarFeed.issue(user_id)
    session.add(feed)
    session.flush()
    return secret


def revoke_feed(session: Session, user_id: int, feed_id: int) -> bool:
    """Revoke one of the person's calendar addresses (False: no such live one of theirs)."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.id == feed_id, CalendarFeed.user_id == user_id,
                                                     CalendarFeed.revoked_at.is_(None)))
    if feed is None:
        return False
    feed.revoked_at = datetime.now(UTC).replace(tzinfo=None)
    session.flush()
    return True
