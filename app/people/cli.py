"""`flask users …`: what an operator does on a fresh installation before anyone can sign in."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.accounts import mails, sessions
from app.accounts.services import Profile, find_account
from app.extensions import db
from app.mail.outbox import send_queued_now
from app.models.unit import Unit, descendant_ids
from app.models.user import Role, User
from app.people import services as people
from app.people.rules import Manager
from app.service_errors import ServiceError
from app.tenancy import system_scope

users_group = click.Group("users", help="People and accounts (the first admin of a new installation).")
LOCAL_URL = "http://127.0.0.1:5000"


def _unit(slug: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise click.ClickException(f"no unit with slug {slug!r}")
    return unit


def _invite(unit: Unit, email: str, role: Role, name: str, position: str) -> None:
    """Add the person with `role` on `unit` as the operator (who manages every role), mail and print the link."""
    operator = Manager(user_id=0, roles_here=frozenset({Role.TOWN_ADMIN}),
                       scope_unit_ids=frozenset(descendant_ids(db.session(), unit)))
    stand_in = User(username="operator", full_name="Quản trị hệ thống")  # never added to the database
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or LOCAL_URL), \
            system_scope(db.session(), actor="flask users"):
        try:
            added = people.add_person(db.session(), unit, operator, None,
                                      people.Details(Profile(name or email, position, email, ""), role))
        except ServiceError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from error
        url = mails.welcome(db.session(), added.user, unit=unit, role=role, inviter=stand_in, secret=added.link_secret)
        db.session.commit()
        send_queued_now(db.session(), current_app.config)
    click.echo(f"{added.user.username}: {role.value} on {unit.slug}")
    click.echo(f"link (valid 72 hours, single use): {url}" if added.link_secret else "already has a password")


@users_group.command("create-admin")
@click.argument("unit_slug")
@click.argument("email")
@click.option("--name", default="", help="Full name (defaults to the email).")
@click.option("--position", default="", help="Position, e.g. \"Chuyên viên Văn phòng UBND tỉnh\".")
@with_appcontext
def create_admin(unit_slug: str, email: str, name: str, position: str) -> None:
    """The first admin of a top unit: invited by mail, the link printed here too."""
    unit = _unit(unit_slug)
    if unit.is_tenant:
        raise click.ClickException(f"{unit_slug} is a ward or commune: the admin role is held on a parent unit")
    _invite(unit, email, Role.TOWN_ADMIN, name, position)


@users_group.command("invite")
@click.argument("unit_slug")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--position", default="")
@with_appcontext
def invite(unit_slug: str, email: str, role: str, name: str, position: str) -> None:
    """Give a role on a unit to a person (invited by mail, the link printed here too)."""
    _invite(_unit(unit_slug), email, Role(role), name, position)


@users_group.command("deactivate")
@click.argument("account")
@with_appcontext
def deactivate(account: str) -> None:
    """Stop an account (by email or sign-in name) signing in anywhere; its sessions end now."""
    user = find_account(db.session(), account)
    if user is None:
        raise click.ClickException(f"no account {account!r}")
    with system_scope(db.session(), actor="flask users"):
        user.active = False
        for membership in user.memberships:
            membership.active = False
        ended = sessions.end_all(db.session(), user)
        db.session.commit()
    click.echo(f"{user.username}: deactivated, {ended} session(s) ended")
