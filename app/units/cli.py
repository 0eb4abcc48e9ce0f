"""`flask units load-official`: the official list of provinces and communes into the units."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.local_time import local_today
from app.tenancy import system_scope
from app.units.official import PACKAGE, LoadPlan, OfficialListError, apply_load, plan_load


@click.group("units")
def units_group() -> None:
    """Administrative units: the official list, reorganisations."""


def describe(plan: LoadPlan) -> list[str]:
    """The preview in lines: counts, then each change."""
    lines = [f"{len(plan.added)} added, {len(plan.renamed)} renamed, {len(plan.moved)} moved, "
             f"{len(plan.ended)} ended, {len(plan.adopted)} adopted, {len(plan.conflicts)} conflicts, "
             f"{plan.unchanged} unchanged"]
    lines += [f"  rename {unit.code} {unit.name} -> {item.name}" for unit, item in plan.renamed]
    lines += [f"  move {unit.code} {unit.name} under province {item.province_code}" for unit, item in plan.moved]
    lines += [f"  end {unit.code} {unit.name}" for unit in plan.ended]
    lines += [f"  conflict: code {item.code} ({item.name}) is held by {unit.slug} ({unit.name})"
              for unit, item in plan.conflicts]
    return lines


@units_group.command("load-official")
@click.option("--province", help="Only this province (its code, e.g. 38 for Thanh Hóa) and its communes.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@with_appcontext
def load_official_command(province: str | None, dry_run: bool) -> None:
    """Load provinces and communes from the official list (running it twice changes nothing)."""
    started = time.perf_counter()
    with system_scope(db.session(), actor="units load-official"):
        try:
            plan = plan_load(db.session(), province)
        except OfficialListError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"{PACKAGE}: {len(plan.wanted)} units in the list")
        for line in describe(plan):
            click.echo(line)
        if dry_run or not plan.changes:
            db.session.rollback()
            return
        apply_load(db.session(), plan, local_today())
        db.session.commit()
    click.echo(f"applied in {time.perf_counter() - started:.1f} s")
