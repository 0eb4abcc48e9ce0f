"""`flask mail send`: the outbox worker (one pass, or a pass every few seconds with --watch)."""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.mail.outbox import DeliveryReport, deliver_due

logger = logging.getLogger("app.mail")

mail_group = click.Group("mail", help="The outbox of outgoing mail.")


def one_pass(*, quiet_when_idle: bool = False) -> DeliveryReport:
    """Deliver what is due now and print the counts (a watching worker stays quiet when idle)."""
    report = deliver_due(db.session(), current_app.config)
    if report.sent or report.failed or not quiet_when_idle:
        click.echo(f"sent {report.sent}, failed {report.failed}")
    return report


@mail_group.command("send")
@click.option("--watch", "watch", type=click.FloatRange(min=0.1), default=None, metavar="SECONDS",
              help="Keep running, one pass every SECONDS.")
@with_appcontext
def send_command(watch: float | None) -> None:
    """Send the mail that is due (failures are retried later with backoff)."""
    if watch is None:
        one_pass()
        return
    while True:
        try:
            one_pass(quiet_when_idle=True)
        except SQLAlchemyError:
            # The database may be briefly away; the worker outlives that and tries again.
            logger.exception("Outbox pass failed")
            db.session.rollback()
        time.sleep(watch)
