"""Turning an outbox row into a MIME message and handing it to SMTP, or to a folder of .eml files."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from app.config import INSTANCE_DIR
from app.models.outbox import OutboxMessage

logger = logging.getLogger("app.mail")

DEFAULT_SENDER = "no-reply@localhost"
SMTP_TIMEOUT_SECONDS = 10
LINK = re.compile(r"https?://[^\s<>\"')\]]+")


def sender_of(config: Mapping[str, Any]) -> str:
    """The From header: MAIL_FROM, else a no-reply address."""
    return config.get("MAIL_FROM") or DEFAULT_SENDER


def compose(message: OutboxMessage, sender: str) -> EmailMessage:
    """A plain-text message, with an HTML alternative when the row has HTML; UTF-8 throughout."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = format_datetime(as_aware_utc(message.created_at))
    email["Message-ID"] = message_id(message, sender)
    # Quoted-printable keeps the message 7-bit clean for relays without 8BITMIME.
    email.set_content(message.body_text, cte="quoted-printable")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    return email


def message_id(message: OutboxMessage, sender: str) -> str:
    """The same Message-ID on every attempt, so a receiver can drop a duplicate of a retried send."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    stamp = as_aware_utc(message.created_at).strftime("%Y%m%d%H%M%S%f")
    return f"<outbox-{message.id}.{stamp}@{domain}>"


def as_aware_utc(moment: datetime) -> datetime:
    """Moments are stored as naive UTC; give them their zone back."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def deliver(config: Mapping[str, Any], message: OutboxMessage) -> None:
    """Hand `message` to MAIL_SERVER, or with no MAIL_SERVER save it under MAIL_DIR; raises on failure."""
    email = compose(message, sender_of(config))
    if config.get("MAIL_SERVER"):
        send_smtp(config, email)
    else:
        save_to_folder(mail_dir(config), email, message)


def send_smtp(config: Mapping[str, Any], email: EmailMessage) -> None:
    """One SMTP session: STARTTLS (MAIL_USE_TLS) or SMTPS (MAIL_USE_SSL), login if MAIL_USERNAME is set."""
    host = config["MAIL_SERVER"]
    use_ssl = bool(config.get("MAIL_USE_SSL"))
    port = int(config.get("MAIL_PORT") or (smtplib.SMTP_SSL_PORT if use_ssl else smtplib.SMTP_PORT))
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if use_ssl:
        smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if config.get("MAIL_USE_TLS") and not use_ssl:
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def mail_dir(config: Mapping[str, Any]) -> Path:
    """Where messages go with no MAIL_SERVER: MAIL_DIR, else instance/mail."""
    return Path(config.get("MAIL_DIR") or INSTANCE_DIR / "mail")


def save_to_folder(folder: Path, email: EmailMessage, message: OutboxMessage) -> Path:
    """Write `<UTC timestamp>-<id>.eml` under `folder` and log it with the links of the text body."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{message.id}.eml"
    path.write_bytes(email.as_bytes())
    links = " ".join(LINK.findall(message.body_text)) or "(none)"
    # WARNING, so the line shows in a `make run` terminal with no logging configured.
    logger.warning("Mail to %s saved as %s (no MAIL_SERVER set); links: %s", message.to_address, path, links)
    return path
