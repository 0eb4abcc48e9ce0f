"""Notifications by mail, as each person chose per topic: at once (each one as it is made), in the
morning digest (one mail a person a day, only when something is unread and not yet mailed), or not
at all. Mail goes through the outbox (SMTP, retries; app/mail)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.database import insert_unless_there
from app.mail.outbox import queue_mail
from app.models import Delivery, Notification, NotificationDigest, NotificationKind, NotificationSetting, User
from app.notifications.words import GROUPS, message

TOPIC_OF = {kind: topic for topic, kinds in GROUPS.items() for kind in kinds}


def deliveries(session: Session, user_ids: Iterable[int]) -> dict[tuple[int, str], Delivery]:
    """(person, topic) → their choice; a topic not chosen is the digest."""
    chosen = session.execute(select(NotificationSetting.user_id, NotificationSetting.topic, NotificationSetting.delivery)
                             .where(NotificationSetting.user_id.in_(list(user_ids)))).tuples().all()
    return {(user_id, topic): delivery for user_id, topic, delivery in chosen}


NOT_FOLLOWED = "none"  # the Front's supervision topic, not followed (no setting kept)


def choose_deliveries(session: Session, user_id: int, wanted: dict[str, str]) -> None:
    """Keep the person's choice for each topic (`wanted`: topic → a Delivery value, or NOT_FOLLOWED)."""
    have = {s.topic: s for s in session.scalars(select(NotificationSetting).where(NotificationSetting.user_id == user_id))}
    for topic, value in wanted.items():
        if value == NOT_FOLLOWED:
            if topic in have:
                session.delete(have[topic])
            continue
        setting = have.get(topic) or NotificationSetting(user_id=user_id, topic=topic)
        setting.delivery = Delivery(value)
        session.add(setting)
    session.flush()


def delivery_for(choices: dict[tuple[int, str], Delivery], n: Notification) -> Delivery:
    return choices.get((n.user_id, TOPIC_OF.get(NotificationKind(n.kind), "")), Delivery.DIGEST)


def _link(n: Notification) -> str:
    return (current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000") + n.link


def _queue(session: Session, person: User, items: list[Notification], subject: object) -> None:
    with force_locale(person.locale or "vi"):
        lines = [(n.words.get("unit", ""), message(n), _link(n)) for n in items]
        queue_mail(session, to=person.email or "", subject=str(subject),
                   text=render_template("mail/notifications.txt", person=person, lines=lines),
                   html=render_template("mail/notifications.html", person=person, lines=lines))


def send_at_once(session: Session, notifications: list[Notification]) -> int:
    """Mail each notification whose person wants its topic at once (with the caller's transaction)."""
    choices = deliveries(session, {n.user_id for n in notifications})
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_({n.user_id for n in notifications})))}
    sent = 0
    now = datetime.now(UTC).replace(tzinfo=None)
    for n in notifications:
        person = people.get(n.user_id)
        if person is None or not person.email or n.mailed_at or delivery_for(choices, n) != Delivery.IMMEDIATE:
            continue
        _queue(session, person, [n], _l("Thông báo: %(what)s", what=message(n)))
        n.mailed_at = now
        sent += 1
    session.flush()
    return sent


def _claim_digest(session: Session, user_id: int, today: date, count: int) -> bool:
    """Claim the person's digest of the day (False: already sent, by this or another runner: the insert
    waits for the other's commit, then does nothing)."""
    table = NotificationDigest.__table__
    assert isinstance(table, Table)
    row = {"user_id": user_id, "day": today, "notifications": count}
    return session.execute(insert_unless_there(session, table, row)).first() is not None


def send_digests(session: Session, today: date) -> int:
    """The morning digest: one mail a person, listing their unread notifications not yet mailed whose
    topic they take in the digest; none twice the same day (under a scope that sees every unit)."""
    waiting = list(session.scalars(select(Notification).where(Notification.read_at.is_(None),
                                                              Notification.mailed_at.is_(None))
                                   .order_by(Notification.user_id, Notification.due_on, Notification.id)))
    choices = deliveries(session, {n.user_id for n in waiting})
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for n in waiting:
        if delivery_for(choices, n) == Delivery.DIGEST:
            by_person[n.user_id].append(n)
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(by_person)), User.active.is_(True)))}
    now = datetime.now(UTC).replace(tzinfo=None)
    sent = 0
    for user_id, items in by_person.items():
        person = people.get(user_id)
        if person is None or not person.email or not _claim_digest(session, user_id, today, len(items)):
            continue
        _queue(session, person, items, _l("Việc cần chú ý hôm nay (%(n)s)", n=len(items)))
        for n in items:
            n.mailed_at = now
        sent += 1
    session.flush()
    return sent
