"""`flask rollups keep`: compute the figures every parent's rollup reads, ahead of the first reader.

Kept figures go stale when a ward writes (only that ward's are recomputed, by the next reader) and,
for every ward at once, when a due date passes (a month's end): run this nightly (cron or a systemd
timer, README) so that the first view of the day does not wait for a country's recomputation.
"""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.local_time import local_today
from app.models import Plan, Unit
from app.models.unit import TENANT_KINDS
from app.periods import as_of, period_choices
from app.rollups import figures
from app.tenancy import system_scope
from app.web.legal import app_legal_book

rollups_group = click.Group("rollups", help="The parent units' rollups.")


@rollups_group.command("keep")
@click.option("--year", type=int, default=None, help="Only this plan year (default: every year with plans).")
@with_appcontext
def keep_command(year: int | None) -> None:
    """Compute and keep every ward's stale figures, for each year and period (a few minutes for a country)."""
    started = time.perf_counter()
    with system_scope(db.session(), actor="flask rollups keep"):
        wards = list(db.session.scalars(select(Unit).where(Unit.kind.in_(TENANT_KINDS)).order_by(Unit.id)))
        years = [year] if year else list(db.session.scalars(
            select(Plan.year).where(Plan.is_template.is_(False)).distinct().order_by(Plan.year)))
        book, today = app_legal_book(), local_today()
        for plan_year in years:
            for period in period_choices(plan_year):
                figures.kept(db.session(), wards, plan_year, period, today=as_of(plan_year, today), book=book)
                figures.keep_pending(db.session())
                db.session.commit()
            click.echo(f"{plan_year}: {len(wards)} wards and communes, {len(period_choices(plan_year))} periods")
    click.echo(f"kept in {time.perf_counter() - started:.0f} s")
