"""Notifications: what a person is told about a unit's records (a deadline near or past, a week without
a citizen reception, a plan submitted or returned, …). Unit-owned rows, under the same isolation as the
records they speak of; one per person, kind, subject and day, so telling twice is impossible."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import enum_column
from app.models.secrets import hash_secret, new_secret
from app.tenancy import UnitOwned


class NotificationKind(enum.StrEnum):
    PETITION_DUE = "petition_due"  # within 3 working days
    PETITION_OVERDUE = "petition_overdue"
    TASK_DUE = "task_due"  # this week
    TASK_OVERDUE = "task_overdue"
    REPORT_DUE = "report_due"  # within 7 days
    REPORT_LATE = "report_late"
    WARD_REPORT_LATE = "ward_report_late"  # to the parent's admin
    NO_RECEPTION = "no_reception"  # a week with working days and no citizen reception
    NO_DIALOGUE = "no_dialogue"  # none held by 1 October
    PLAN_SUBMITTED = "plan_submitted"
    PLAN_RETURNED = "plan_returned"
    PLAN_ISSUED = "plan_issued"
    PROPOSAL_RECEIVED = "proposal_received"
    ROLE_GIVEN = "role_given"  # to the person: a role given or changed  # a new revision of the template offered to the ward
    REPORT_RETURNED = "report_returned"
    REPORT_ACKNOWLEDGED = "report_acknowledged"
    REPORT_SENT = "report_sent"  # to the Front members who follow the ward (supervision)


class Notification(UnitOwned, Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # Told once: the same person, kind, subject (a petition, a task, a week…) and day.
        UniqueConstraint("unit_id", "user_id", "kind", "subject", "day", name="uq_notifications_once"),
        Index("ix_notifications_unit_user_read", "unit_id", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(60))  # "petition:12", "task:5", "week:2025-11-24", …
    day: Mapped[date]  # the day it is about: a deadline, a week's Monday, an event's day
    due_on: Mapped[date | None]
    link: Mapped[str] = mapped_column(String(300), default="")  # the record, as a path of this app
    words: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the message names
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]  # sent by mail (in a digest, or at once)


class Delivery(enum.StrEnum):
    """How a person wants one topic of notifications: in the app only, in the morning digest, or at once."""

    APP = "app"
    DIGEST = "digest"
    IMMEDIATE = "immediate"


class NotificationSetting(Model):
    """A person's choice of delivery for one topic (petitions, tasks, reports, receptions, plans);
    none chosen: the digest."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(20))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery), default=Delivery.DIGEST)


class NotificationDigest(Model):
    """The morning digest sent to a person on a day: never two the same day."""

    __tablename__ = "notification_digests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    notifications: Mapped[int] = mapped_column(default=0)


class CalendarFeed(Model):
    """A person's private calendar address (/calendar/<secret>.ics): only the secret's SHA-256 is kept;
    the address is shown once and can be revoked."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    revoked_at: Mapped[datetime | None]

    @classmethod
    def issue(cls, user_id: int) -> tuple[CalendarFeed, str]:
        """A new feed and its secret (to show once)."""
        secret = new_secret("cal_")
        return cls(user_id=user_id, token_hash=hash_secret(secret)), secret
