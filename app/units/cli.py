"""`flask units load-official`: the official list of provinces and communes into the units."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.local_time import local_today
from app.models import Unit
from app.tenancy import system_scope
from app.units.archive import IDENTITY_CHOICES, ArchiveError, export_unit, import_unit
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


def _unit(slug: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise click.ClickException(f"no unit {slug!r}")
    return unit


def _passphrase(key_file: str | None) -> bytes | None:
    return Path(key_file).read_bytes().strip() if key_file else None


@units_group.command("export")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--identities", type=click.Choice(IDENTITY_CHOICES), default="encrypted", show_default=True,
              help="Petitioners' identities: encrypted with --key-file, left out, or as they are.")
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False), help="A file holding the passphrase.")
@with_appcontext
def export_command(slug: str, file: str, identities: str, key_file: str | None) -> None:
    """Write everything the unit SLUG owns into one archive FILE (zip: archive.json and its files)."""
    with system_scope(db.session(), actor="units export"):
        try:
            data = export_unit(db.session(), _unit(slug), identities, _passphrase(key_file))
        except ArchiveError as error:
            raise click.ClickException(str(error)) from error
        db.session.rollback()
    Path(file).write_bytes(data)
    click.echo(f"{slug}: {len(data):,} bytes written to {file} (identities {identities})")


@units_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--into", "into", help="An existing unit with no data of its own (default: a new unit as archived).")
@click.option("--parent", help="The parent of the new unit (with no --into).")
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False), help="The passphrase of encrypted identities.")
@with_appcontext
def import_command(file: str, into: str | None, parent: str | None, key_file: str | None) -> None:
    """Restore an archive FILE written by `flask units export` (all or nothing)."""
    with system_scope(db.session(), actor="units import"):
        try:
            result = import_unit(db.session(), Path(file).read_bytes(), _unit(into) if into else None,
                                 parent=_unit(parent) if parent else None, passphrase=_passphrase(key_file))
            db.session.commit()
        except ArchiveError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
    click.echo(f"{result.unit.slug}: " + ", ".join(f"{n} {t}" for t, n in result.rows.items() if n))
    for link, count in result.unresolved.items():
        click.echo(f"  {count} links of {link} point outside the unit and were not found here: left empty")
