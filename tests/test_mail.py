"""The mail outbox: queued with the action, sent over a real SMTP server (aiosmtpd in this process),
retried with doubling backoff while the server is down, never lost, never sent twice; with no
MAIL_SERVER saved as .eml files whose links show in the log; `flask mail send`."""

from __future__ import annotations

import email
import logging
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from app.mail.cli import mail_group
from app.mail.outbox import (
    QUEUED_KEY,
    DeliveryReport,
    deliver_due,
    describe,
    queue_mail,
    retry_delay,
    send_queued_now,
)
from app.models.outbox import OutboxMessage
from tests.conftest import postgres_only

SENDER = "no-reply@dan-van.example.vn"
RECIPIENT = "chu.tich@phu-son.example.vn"
SUBJECT = "Lời mời tham gia: Dân vận chính quyền — UBND phường Phú Sơn"
LINK = "http://localhost/accounts/invitation/abc123"
TEXT = f"Kính gửi ông Nguyễn Xuân Lâm,\n\nMời ông đặt mật khẩu tại: {LINK}\n\nTrân trọng.\n"
HTML = f'<p>Kính gửi ông <b>Nguyễn Xuân Lâm</b>,</p><p><a href="{LINK}">Đặt mật khẩu</a></p>\n'
LATER = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)  # well after anything queued now is due


@dataclass
class Inbox:
    """What the test SMTP server received, and the port it listens on."""

    port: int
    envelopes: list[Envelope] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # mailboxes this server says do not exist

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default)  # type: ignore[arg-type,misc]
                for e in self.envelopes]


def free_port() -> int:
    """A local port nothing listens on (connecting to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_smtp() -> Iterator[Callable[..., Inbox]]:
    """`start_smtp()` → a running SMTP server on 127.0.0.1; stopped after the test."""
    controllers: list[Controller] = []

    def start(**options: Any) -> Inbox:
        inbox = Inbox(port=free_port())
        controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **options)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def use_smtp(app, monkeypatch):  # type: ignore[no-untyped-def]
    """`use_smtp(port, **more)` → the app sends through 127.0.0.1:port."""

    def configure(port: int, **more: Any) -> None:
        settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_FROM": SENDER,
                    "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": "", "MAIL_PASSWORD": ""}
        for key, value in {**settings, **more}.items():
            monkeypatch.setitem(app.config, key, value)

    return configure


@pytest.fixture
def inbox(start_smtp, use_smtp) -> Inbox:  # type: ignore[no-untyped-def]
    """A running SMTP server the app is configured to send through."""
    server = start_smtp()
    use_smtp(server.port)
    return server


def invitation(session) -> OutboxMessage:  # type: ignore[no-untyped-def]
    return queue_mail(session, to=RECIPIENT, subject=SUBJECT, text=TEXT, html=HTML)


def outbox(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def content(part: EmailMessage | None) -> str:
    """A decoded text part with the wire's CRLF line ends read as newlines."""
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def assert_is_the_invitation(message: EmailMessage) -> None:
    assert message["Subject"] == SUBJECT
    assert message["From"] == SENDER
    assert message["To"] == RECIPIENT
    assert message["Date"] and re.fullmatch(r"<outbox-\d+\.\d+@dan-van\.example\.vn>", message["Message-ID"])
    assert message.get_content_type() == "multipart/alternative"
    assert content(message.get_body(("plain",))) == TEXT
    assert content(message.get_body(("html",))) == HTML


# --- Sending ---------------------------------------------------------------------------------


def test_a_queued_message_is_delivered_over_smtp_and_marked_sent(app, session, inbox):  # type: ignore[no-untyped-def]
    message = invitation(session)
    session.commit()

    report = deliver_due(session, app.config)

    assert report == DeliveryReport(sent=1, failed=0)
    [envelope] = inbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == [RECIPIENT]
    assert_is_the_invitation(inbox.messages()[0])
    assert message.sent_at is not None and message.attempts == 0 and message.last_error == ""


def test_a_text_only_message_is_a_single_plain_part(app, session, inbox):  # type: ignore[no-untyped-def]
    queue_mail(session, to=RECIPIENT, subject="Nhắc việc", text="Có 2 việc quá hạn.\n")
    session.commit()

    deliver_due(session, app.config)

    [message] = inbox.messages()
    assert message.get_content_type() == "text/plain"
    assert content(message) == "Có 2 việc quá hạn.\n"


def test_the_smtp_account_logs_in_when_a_username_is_set(  # type: ignore[no-untyped-def]
    app, session, start_smtp, use_smtp
):
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session_, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right-Pass1", handled=False)

    server = start_smtp(authenticator=authenticator, auth_require_tls=False)
    use_smtp(server.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong-Pass9")
    message = invitation(session)
    session.commit()

    assert deliver_due(session, app.config) == DeliveryReport(sent=0, failed=1)
    assert "Authentication" in message.last_error and "wrong-Pass9" not in message.last_error

    use_smtp(server.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="right-Pass1")
    assert deliver_due(session, app.config, now=message.next_attempt_at) == DeliveryReport(sent=1, failed=0)
    assert set(logins) == {(b"mailer", b"wrong-Pass9"), (b"mailer", b"right-Pass1")}
    assert len(server.envelopes) == 1


def test_a_message_not_yet_due_is_not_sent(app, session, inbox):  # type: ignore[no-untyped-def]
    message = invitation(session)
    message.next_attempt_at = naive(datetime.now(UTC) + timedelta(hours=1))
    session.commit()

    assert deliver_due(session, app.config) == DeliveryReport(sent=0, failed=0)
    assert inbox.envelopes == [] and message.sent_at is None


def test_queued_mail_belongs_to_the_callers_transaction(app, session, inbox):  # type: ignore[no-untyped-def]
    invitation(session)
    session.rollback()  # the action failed: its mail goes with it

    assert outbox(session) == []
    assert send_queued_now(session, app.config) == DeliveryReport(sent=0, failed=0)
    assert inbox.envelopes == []


# --- SMTP down: nothing is lost ------------------------------------------------------------


def test_with_smtp_down_nothing_is_lost_and_it_is_delivered_once_when_back(  # type: ignore[no-untyped-def]
    app, session, start_smtp, use_smtp
):
    use_smtp(free_port())  # nothing listens there
    message = invitation(session)
    session.commit()

    now = LATER
    for attempts, delay in [(1, 1), (2, 2), (3, 4)]:
        assert deliver_due(session, app.config, now=now) == DeliveryReport(sent=0, failed=1)
        assert message.sent_at is None and message.attempts == attempts
        assert message.next_attempt_at == naive(now) + timedelta(minutes=delay)
        assert "ConnectionRefusedError" in message.last_error
        # Before the next try is due, the message is left alone.
        assert deliver_due(session, app.config, now=message.next_attempt_at - timedelta(seconds=1)) == DeliveryReport()
        now = message.next_attempt_at.replace(tzinfo=UTC)

    server = start_smtp()
    use_smtp(server.port)
    assert deliver_due(session, app.config, now=now) == DeliveryReport(sent=1, failed=0)
    assert deliver_due(session, app.config, now=now + timedelta(days=2)) == DeliveryReport(sent=0, failed=0)

    assert len(server.envelopes) == 1
    assert_is_the_invitation(server.messages()[0])
    assert [m.id for m in outbox(session)] == [message.id]
    assert message.sent_at == naive(now) and message.attempts == 3 and message.last_error == ""


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [(1, timedelta(minutes=1)), (2, timedelta(minutes=2)), (3, timedelta(minutes=4)),
     (9, timedelta(minutes=256)), (10, timedelta(hours=6)), (1000, timedelta(hours=6))],
)
def test_the_backoff_doubles_from_one_minute_up_to_six_hours(attempts, delay):  # type: ignore[no-untyped-def]
    assert retry_delay(attempts) == delay


def test_one_failing_message_does_not_hold_the_others(app, session, inbox):  # type: ignore[no-untyped-def]
    inbox.refused.add("gone@example.vn")
    broken = queue_mail(session, to="gone@example.vn", subject="Không gửi được", text="x")
    good = invitation(session)
    session.commit()

    assert deliver_due(session, app.config, now=LATER) == DeliveryReport(sent=1, failed=1)
    assert good.sent_at is not None and broken.sent_at is None and broken.attempts == 1
    assert "SMTPRecipientsRefused" in broken.last_error
    assert len(inbox.envelopes) == 1


def test_the_recorded_error_never_shows_the_smtp_password():
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 rejected: user mailer password S3cret!\r\nmore")

    text = describe(error, {"MAIL_PASSWORD": "S3cret!"})

    assert "S3cret!" not in text and "\n" not in text and text.startswith("SMTPAuthenticationError: ")
    assert len(describe(RuntimeError("x" * 2000), {})) == 500


@pytest.mark.parametrize(
    ("to", "subject"),
    [("not-an-address", "Chào"), (RECIPIENT, "Chào\r\nBcc: victim@example.vn"), (RECIPIENT, "x" * 256)],
)
def test_mail_that_could_never_be_sent_is_refused_when_queued(session, to, subject):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        queue_mail(session, to=to, subject=subject, text="x")
    assert outbox(session) == []


@postgres_only
def test_workers_claim_messages_with_skip_locked_on_postgresql(app, session, inbox):  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def record(connection, cursor, statement, *args: Any) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    invitation(session)
    session.commit()
    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        assert deliver_due(session, app.config) == DeliveryReport(sent=1, failed=0)
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    assert any("FROM outbox_messages" in s and "FOR UPDATE SKIP LOCKED" in s for s in statements)


# --- Right after the commit ----------------------------------------------------------------


def test_send_queued_now_sends_what_this_session_queued(app, session, inbox):  # type: ignore[no-untyped-def]
    message = invitation(session)
    session.commit()

    assert send_queued_now(session, app.config) == DeliveryReport(sent=1, failed=0)
    assert message.sent_at is not None and len(inbox.envelopes) == 1
    assert QUEUED_KEY not in session.info
    assert send_queued_now(session, app.config) == DeliveryReport()


def test_send_queued_now_never_raises_when_smtp_is_down(app, session, use_smtp):  # type: ignore[no-untyped-def]
    use_smtp(free_port())
    message = invitation(session)
    session.commit()

    assert send_queued_now(session, app.config) == DeliveryReport(sent=0, failed=1)
    assert message.sent_at is None and message.attempts == 1  # left for the worker


def test_send_queued_now_never_raises_when_the_database_fails(  # type: ignore[no-untyped-def]
    app, session, inbox, monkeypatch, caplog
):
    def database_gone(*args: Any, **kwargs: Any) -> DeliveryReport:
        raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr("app.mail.outbox.deliver_due", database_gone)
    invitation(session)
    session.commit()

    assert send_queued_now(session, app.config) == DeliveryReport(sent=0, failed=1)
    assert "the outbox worker will retry" in caplog.text
    assert QUEUED_KEY not in session.info


# --- No MAIL_SERVER: the mail folder -------------------------------------------------------


def test_without_a_mail_server_each_message_is_an_eml_file_and_its_links_are_logged(  # type: ignore[no-untyped-def]
    app, session, monkeypatch, tmp_path, caplog
):
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_FROM", SENDER)
    monkeypatch.setitem(app.config, "MAIL_DIR", str(folder))
    caplog.set_level(logging.WARNING, logger="app.mail")
    message = invitation(session)
    session.commit()

    assert deliver_due(session, app.config) == DeliveryReport(sent=1, failed=0)

    [saved] = folder.glob("*.eml")
    assert re.fullmatch(rf"\d{{8}}T\d{{12}}Z-{message.id}\.eml", saved.name)
    parsed = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert_is_the_invitation(parsed)  # type: ignore[arg-type]
    [record] = [r for r in caplog.records if r.name == "app.mail"]
    assert record.levelno == logging.WARNING
    assert RECIPIENT in record.getMessage() and str(saved) in record.getMessage() and LINK in record.getMessage()
    assert message.sent_at is not None


# --- flask mail send -----------------------------------------------------------------------


def test_flask_mail_send_sends_what_is_due(app, session, inbox):  # type: ignore[no-untyped-def]
    invitation(session)
    later = invitation(session)
    later.next_attempt_at = naive(datetime.now(UTC) + timedelta(hours=1))
    session.commit()

    result = app.test_cli_runner().invoke(mail_group, ["send"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 1, failed 0"
    assert len(inbox.envelopes) == 1 and later.sent_at is None


def test_flask_mail_send_watch_passes_and_sleeps_between_them(  # type: ignore[no-untyped-def]
    app, session, inbox, monkeypatch
):
    class StopWatching(Exception):
        pass

    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise StopWatching

    monkeypatch.setattr("app.mail.cli.time.sleep", sleep)
    invitation(session)
    session.commit()

    result = app.test_cli_runner().invoke(mail_group, ["send", "--watch", "5"])

    assert isinstance(result.exception, StopWatching)
    assert naps == [5.0, 5.0]
    assert result.output.strip() == "sent 1, failed 0"  # the idle second pass prints nothing
    assert len(inbox.envelopes) == 1
