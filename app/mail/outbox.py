"""The outbox: mail is queued in the caller's transaction and delivered later, retried with backoff.

Moments are stored and compared as naive UTC, which both SQLite and PostgreSQL's plain
TIMESTAMP columns give back unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from app.local_time import utc_now
from app.mail.transport import deliver
from app.models.outbox import OutboxMessage

logger = logging.getLogger("app.mail")

QUEUED_KEY = "mail.queued_ids"  # session.info key: ids queued in this session, to send after commit
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
ERROR_LENGTH = 500

AnySession = Session | scoped_session[Any]


@dataclass
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    failed: int = 0


def as_naive_utc(moment: datetime) -> datetime:
    """`moment` as naive UTC (a naive value is taken to be UTC already)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def queue_mail(session: AnySession, *, to: str, subject: str, text: str, html: str = "") -> OutboxMessage:
    """Add a message to the outbox and flush; the caller's commit makes it durable with the action."""
    check_headers(to, subject)
    now = utc_now()
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    session.info.setdefault(QUEUED_KEY, []).append(message.id)
    return message


def check_headers(to: str, subject: str) -> None:
    """Refuse at queue time what could never be sent (it would otherwise be retried for ever)."""
    if "@" not in to or len(to) > 254:
        raise ValueError(f"not a mail address: {to!r}")
    if len(subject) > 255:
        raise ValueError("subject longer than 255 characters")
    if any(c in value for value in (to, subject) for c in "\r\n"):
        raise ValueError("line breaks in a mail header")


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling with each further one, at most 6 hours."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far past the cap already
    return min(FIRST_RETRY * 2**doublings, LAST_RETRY)


def deliver_due(
    session: AnySession,
    config: Mapping[str, Any],
    *,
    now: datetime | None = None,
    limit: int = 50,
    ids: Collection[int] | None = None,
) -> DeliveryReport:
    """Send up to `limit` unsent messages due at `now` (only `ids`, if given), committing after each."""
    moment = as_naive_utc(now) if now is not None else utc_now()
    report = DeliveryReport()
    if ids is not None and not ids:
        return report
    for _ in range(limit):
        message = claim_next(session, moment, ids)
        if message is None:
            break
        if attempt(config, message, moment):
            report.sent += 1
        else:
            report.failed += 1
        session.commit()
    session.commit()  # end the claiming transaction: a worker must not sit idle inside one
    return report


def claim_next(session: AnySession, moment: datetime, ids: Collection[int] | None) -> OutboxMessage | None:
    """Lock the next due message; on PostgreSQL rows another worker holds are skipped, not waited for."""
    statement = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= moment
    )
    if ids is not None:
        statement = statement.where(OutboxMessage.id.in_(list(ids)))
    # One row per transaction: the lock is held until this message's outcome is committed.
    statement = (
        statement.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return session.scalar(statement)


def attempt(config: Mapping[str, Any], message: OutboxMessage, moment: datetime) -> bool:
    """Try to send `message`; record success, or the failure and the time of the next try."""
    try:
        deliver(config, message)
    except Exception as error:  # any failure of one message must leave the others going
        message.attempts += 1
        message.last_error = describe(error, config)
        message.next_attempt_at = moment + retry_delay(message.attempts)
        logger.warning(
            "Mail %s to %s not sent (attempt %d, next try %s UTC): %s",
            message.id, message.to_address, message.attempts, message.next_attempt_at, message.last_error,
        )
        return False
    message.sent_at = moment
    message.last_error = ""
    return True


def describe(error: Exception, config: Mapping[str, Any]) -> str:
    """A short, single-line error text with the SMTP password blanked out."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    password = config.get("MAIL_PASSWORD")
    if password:
        text = text.replace(str(password), "***")
    return text[:ERROR_LENGTH]


def send_queued_now(session: AnySession, config: Mapping[str, Any]) -> DeliveryReport:
    """After the caller's commit, try the messages this session queued; never raises (the worker retries)."""
    ids = session.info.pop(QUEUED_KEY, [])
    if not ids:
        return DeliveryReport()
    try:
        return deliver_due(session, config, ids=ids)
    except Exception:
        logger.exception("Sending mail %s right away failed; the outbox worker will retry", ids)
        try:
            session.rollback()
        except Exception:
            logger.exception("Rolling back after the failed mail send failed too")
        return DeliveryReport(failed=len(ids))
