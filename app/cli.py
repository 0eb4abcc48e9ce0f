"""`flask tenants sync` and `flask demo`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.demo_records import add_demo_records, add_demo_reports
from app.extensions import db
from app.law.book import LegalBook
from app.local_time import local_today
from app.models import IndicatorDefinition, Membership, Plan, Role, Unit, User
from app.models.unit import tenant_units_below
from app.notifications.store import run as run_notifications
from app.plans.instantiate import copy_indicators
from app.plans.services import create_plans_for_wards, find_plan, stamp_issue
from app.tenancy import system_scope
from app.tenant_registry import RegistryError, SyncReport, sync_templates, sync_units
from app.units.demo_reform import PROVINCE, REFORM_DAY, apply_demo_reform
from app.web.legal import app_legal_book

DEMO_YEAR = 2025
DEMO_WARDS = ("phu-son", "quang-trung")
DEMO_TOWN = "bim-son"
# The demo's people: account → (full name, position). Everyone's email is <account name>.example.vn.
DEMO_PEOPLE = {
    "chairman@phu-son": ("Nguyễn Xuân Lâm", "Chủ tịch UBND phường Phú Sơn"),
    "office@phu-son": ("Lê Thị Hương", "Công chức Văn phòng - Thống kê"),
    "culture@phu-son": ("Trần Văn Minh", "Công chức Văn hóa - Xã hội"),
    "front@phu-son": ("Phạm Thị Lan", "Chủ tịch Ủy ban MTTQ Việt Nam phường Phú Sơn"),
    "chairman@quang-trung": ("Hoàng Văn Dũng", "Chủ tịch UBND phường Quang Trung"),
    "office@quang-trung": ("Nguyễn Thị Mai", "Công chức Văn phòng - Thống kê"),
    "culture@quang-trung": ("Đỗ Văn Hải", "Công chức Văn hóa - Xã hội"),
    "front@quang-trung": ("Vũ Thị Thu", "Chủ tịch Ủy ban MTTQ Việt Nam phường Quang Trung"),
    "admin@bim-son": ("Lê Văn Thành", "Chuyên viên Văn phòng HĐND và UBND thị xã"),
    "admin@thanh-hoa": ("Đặng Minh Tuấn", "Chuyên viên Văn phòng UBND tỉnh"),
    "front@bim-son": ("Trịnh Thị Hoa", "Phó Chủ tịch Ủy ban MTTQ Việt Nam thị xã Bỉm Sơn"),
}
DEMO_NAMES = {username: name for username, (name, _position) in DEMO_PEOPLE.items()}


@click.group("tenants")
def tenants_group() -> None:
    """The registry of units and the plan template library under tenants/."""


def _print_report(label: str, report: SyncReport) -> None:
    click.echo(
        f"{label}: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )


def sync_tenants() -> tuple[SyncReport, SyncReport]:
    """Load tenants/ into the database and commit."""
    root = Path(current_app.config["TENANTS_DIR"])
    with system_scope(db.session(), actor="tenants sync"):
        try:
            units = sync_units(db.session(), root / "units")
            templates = sync_templates(db.session(), root / "plan_templates")
        except (RegistryError, IntegrityError) as error:
            db.session.rollback()
            raise click.ClickException(str(error.orig if isinstance(error, IntegrityError) else error)) from error
        db.session.commit()
    return units, templates


@tenants_group.command("sync")
@with_appcontext
def sync_command() -> None:
    """Load tenants/units and tenants/plan_templates (running it twice changes nothing)."""
    units, templates = sync_tenants()
    _print_report("units", units)
    _print_report("plan templates", templates)


def _demo_account(username: str, unit: Unit, role: Role, password: str) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username)
        db.session.add(user)
    user.full_name, user.position = DEMO_PEOPLE.get(username, ("", ""))
    user.email = username.replace("@", ".") + "@example.vn"
    user.set_password(password)
    if not any(m.unit_id == unit.id and m.role == role for m in user.memberships):
        user.memberships.append(Membership(unit=unit, role=role))


def _backfill_indicators(town: Unit, year: int) -> None:
    """Plans made before templates carried indicators get those of their template's latest revision."""
    plans = list(
        db.session.scalars(
            select(Plan).where(
                Plan.unit_id.in_([u.id for u in tenant_units_below(db.session(), town)]),
                Plan.year == year,
                Plan.is_template.is_(False),
                Plan.template_id.is_not(None),
                ~select(IndicatorDefinition.id).where(IndicatorDefinition.plan_id == Plan.id).exists(),
            )
        )
    )
    for plan in plans:
        used = db.session.get(Plan, plan.template_id)
        latest = used and db.session.scalar(
            select(Plan)
            .where(Plan.is_template.is_(True), Plan.code == used.code)
            .order_by(Plan.revision.desc())
            .limit(1)
        )
        if latest is not None:
            copy_indicators(db.session(), latest, plan)


# Who the demo's records and history name as having written them (shown in pages, never a code).
DEMO_ACTOR = "Dữ liệu mẫu"


def _issue_demo_plan(plan: Plan | None, number: int, signer: str, book: LegalBook) -> None:
    """The ward's plan as its chairman issued it early in January: the year's progress is recorded on it.
    A plan issued before (or reopened since) is left as it is."""
    if plan is None or plan.first_issued_on is not None:
        return
    stamp_issue(plan, number=f"{number:02d}/KH-UBND", issued_on=book.calendar.next_working_day(date(plan.year, 1, 6)),
                signer_name=signer)
    db.session.flush()


@click.command("demo")
@click.option("--before-reform", is_flag=True,
              help="Stop before the 1 July 2025 reorganisation: Bỉm Sơn and its wards as they were, a whole year.")
@with_appcontext
def demo_command(before_reform: bool) -> None:
    """Demo accounts for Phú Sơn, Quang Trung, Bỉm Sơn and Thanh Hóa, the 2025 plans of every ward (issued in
    January for the wards with accounts, drafts elsewhere), the records of the wards with accounts, then the reorganisation of 1 July 2025: Bỉm Sơn's units merged
    into the new wards of the official list (their records, up to 30 June, kept read only), the town
    dissolved."""
    sync_tenants()
    password = current_app.config["DEMO_PASSWORD"]
    units = {u.slug: u for u in db.session.scalars(select(Unit))}
    accounts: list[tuple[str, Role]] = []
    for slug in DEMO_WARDS:
        for role in (Role.CHAIRMAN, Role.OFFICE, Role.CULTURE, Role.FRONT):
            accounts.append((f"{role.value}@{slug}", role))
    accounts += [(f"admin@{DEMO_TOWN}", Role.TOWN_ADMIN), (f"front@{DEMO_TOWN}", Role.FRONT),
                 (f"admin@{PROVINCE}", Role.TOWN_ADMIN)]
    records_until = local_today() if before_reform else min(local_today(), REFORM_DAY - timedelta(days=1))
    with system_scope(db.session(), actor=DEMO_ACTOR):
        for username, role in accounts:
            _demo_account(username, units[username.split("@")[1]], role, password)
        result = create_plans_for_wards(db.session(), units[DEMO_TOWN], DEMO_YEAR)
        _backfill_indicators(units[DEMO_TOWN], DEMO_YEAR)
        book = app_legal_book()
        for number, slug in enumerate(DEMO_WARDS, start=5):
            _issue_demo_plan(find_plan(db.session(), units[slug], DEMO_YEAR), number, DEMO_NAMES[f"chairman@{slug}"], book)
        added = {
            slug: add_demo_records(
                db.session(),
                units[slug],
                find_plan(db.session(), units[slug], DEMO_YEAR),
                book,
                records_until,
                chairman=DEMO_NAMES.get(f"chairman@{slug}", ""),
            )
            for slug in DEMO_WARDS
        }
        add_demo_reports(db.session(), {slug: units[slug] for slug in DEMO_WARDS}, DEMO_YEAR, book, records_until)
        reform = None if before_reform else apply_demo_reform(db.session(), grants_from=DEMO_WARDS[0], actor=DEMO_ACTOR)
        told = run_notifications(db.session(), local_today(), book, commit=False).told
        db.session.commit()
    click.echo(f"plans {DEMO_YEAR}: {len(result.created)} created, {len(result.skipped)} already there")
    click.echo(
        f"records {DEMO_YEAR}: "
        + ", ".join(f"{slug} {count} added" if count else f"{slug} already there" for slug, count in added.items())
    )
    if reform is not None and reform.applied:
        click.echo(f"reorganisation of {REFORM_DAY:%d/%m/%Y}: " + "; ".join(
            f"{', '.join(old)} -> {new}" for new, old in reform.merged.items()) + f"; {DEMO_TOWN} dissolved")
        for slug, neighbour in reform.unmapped.items():
            click.echo(f"  {slug} is not in the converter's mapping: merged where {neighbour} went")
    elif reform is not None:
        click.echo(f"reorganisation of {REFORM_DAY:%d/%m/%Y}: already applied")
    click.echo(f"notifications: {told} new (`flask notify run` tells what is due each day)")
    click.echo("Demo accounts (password: %s):" % password)
    for username, role in accounts:
        click.echo(f"  {username:24} {role.value}")
