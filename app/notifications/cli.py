"""`flask notify run`: compute what is due today in every ward and tell whoever has not been told."""

from __future__ import annotations

import logging
import time

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.local_time import local_today
from app.mail.cli import one_pass
from app.notifications.mail import send_digests
from app.notifications.store import run
from app.tenancy import system_scope
from app.web.legal import app_legal_book

logger = logging.getLogger("app.notifications")


@click.group("notify")
def notify_group() -> None:
    """Notifications: deadlines, late reports, weeks without a reception."""


def run_and_digest() -> None:
    """Tell what is due today, then queue the morning digests (neither twice the same day)."""
    started = time.perf_counter()
    today = local_today()
    with system_scope(db.session(), actor="notify run"):
        report = run(db.session(), today, app_legal_book())
        digests = send_digests(db.session(), today)
        db.session.commit()
    click.echo(f"{report.units} wards, {report.told} new notifications ({report.mailed} mailed at once), "
               f"{digests} digests queued, {time.perf_counter() - started:.1f} s")


@notify_group.command("run")
@with_appcontext
def run_command() -> None:
    """Tell what is due today and queue the digests (running it again the same day adds nothing)."""
    run_and_digest()


@notify_group.command("worker")
@click.option("--every", type=click.FloatRange(min=1), default=30.0, show_default=True, metavar="SECONDS",
              help="How often the outbox is sent.")
@with_appcontext
def worker_command(every: float) -> None:
    """For development (`make worker`): the scheduler once a day and the mail sender, in the foreground."""
    last_day = None
    while True:
        try:
            if local_today() != last_day:
                run_and_digest()
                last_day = local_today()
            one_pass(quiet_when_idle=True)
        except SQLAlchemyError:
            logger.exception("Worker pass failed")  # the database may be briefly away: try again
            db.session.rollback()
        time.sleep(every)
