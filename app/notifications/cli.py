"""`flask notify run`: compute what is due today in every ward and tell whoever has not been told."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.local_time import local_today
from app.notifications.store import run
from app.tenancy import system_scope
from app.web.legal import app_legal_book


@click.group("notify")
def notify_group() -> None:
    """Notifications: deadlines, late reports, weeks without a reception."""


@notify_group.command("run")
@with_appcontext
def run_command() -> None:
    """Tell what is due today (running it again the same day tells nothing twice)."""
    started = time.perf_counter()
    with system_scope(db.session(), actor="notify run"):
        report = run(db.session(), local_today(), app_legal_book())
    click.echo(f"{report.units} wards, {report.told} new notifications, {time.perf_counter() - started:.1f} s")
