"""Test set-up: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a baseline of units, accounts and plans, and a rolled-back transaction around every test."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.accounts import sessions
from app.config import normalise_database_url
from app.extensions import db
from app.local_time import utc_now
from app.models import Plan, Role, Task, Unit, UnitKind, User
from app.models.account import UserSession
from app.models.secrets import hash_secret, new_secret
from app.plans.services import create_plans_for_wards
from app.tenancy import Scope, set_scope, system_scope
from app.tenant_registry import sync_templates, sync_units
from app.web.page_cache import fragments, pages
from tests.factories import UnitFactory, member, offer_unchanged, town_template, ward_records

ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
YEAR = 2025
RECORDED_WARDS = ("phu-son", "quang-trung", "truong-son")  # wards given one row of every register

# Accounts of the baseline: username → (unit slug, role).
ACCOUNTS = {
    "chairman@phu-son": ("phu-son", Role.CHAIRMAN),
    "office@phu-son": ("phu-son", Role.OFFICE),
    "culture@phu-son": ("phu-son", Role.CULTURE),
    "front@phu-son": ("phu-son", Role.FRONT),
    "chairman@quang-trung": ("quang-trung", Role.CHAIRMAN),
    "admin@bim-son": ("bim-son", Role.TOWN_ADMIN),
    "front@bim-son": ("bim-son", Role.FRONT),
    "admin@sam-son": ("sam-son", Role.TOWN_ADMIN),
    "chairman@truong-son": ("truong-son", Role.CHAIRMAN),
}

# Who the baseline's people are (pages name them by name and position, never by account).
PEOPLE = {
    "chairman@phu-son": ("Nguyễn Xuân Lâm", "Chủ tịch UBND phường Phú Sơn"),
    "office@phu-son": ("Lê Thị Hương", "Công chức Văn phòng - Thống kê"),
    "chairman@quang-trung": ("Hoàng Văn Dũng", "Chủ tịch UBND phường Quang Trung"),
    "admin@bim-son": ("Lê Văn Thành", "Chuyên viên Văn phòng UBND thị xã"),
}


def label_of(account: str) -> str:
    """How pages name the baseline account `account`: "Họ tên, chức vụ" (else the factory's name)."""
    name, position = PEOPLE[account]
    return f"{name}, {position}"


postgres_only = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL-only (set TEST_DATABASE_URL)")


class RequestClient(FlaskClient):
    """Runs each request outside the test's app context, so every request gets its own app
    context, `g`, signed-in user and database session, exactly as in production."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(super().open, *args, **kwargs)


APP_ROLE = "dan_van_app"


def app_role_url(owner_url: str) -> str:
    """The same database as `owner_url`, as the app's own login role (trust authentication here)."""
    return sa.make_url(owner_url).set(username=APP_ROLE, password=None).render_as_string(hide_password=False)


def _database_urls(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(the app's URL, the owner's URL for migrations): on PostgreSQL, as deployed (README:
    Database roles), the app connects as its own login role and migrations as TEST_DATABASE_URL's."""
    if not TEST_DATABASE_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return url, url
    url = normalise_database_url(TEST_DATABASE_URL)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:  # fails loudly if PostgreSQL is unreachable
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
            connection.exec_driver_sql(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN"
                f" CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;"
                f" END IF; END $$")
            connection.exec_driver_sql(f"ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT")
            connection.exec_driver_sql("GRANT USAGE, CREATE ON SCHEMA public TO CURRENT_USER")
    finally:
        engine.dispose()
    return app_role_url(url), url


def _baseline() -> None:
    """Units from tenants/, a second town for "another unit", accounts, and the 2025 plans."""
    with system_scope(db.session, actor="tests"):
        sync_units(db.session, ROOT / "tenants" / "units")
        sync_templates(db.session, ROOT / "tenants" / "plan_templates")
        province = db.session.scalar(sa.select(Unit).where(Unit.slug == "thanh-hoa"))
        sam_son = UnitFactory(slug="sam-son", code="382", name="Sầm Sơn", kind=UnitKind.TOWN, parent_id=province.id)
        UnitFactory(slug="truong-son", code="14880", name="Trường Sơn", kind=UnitKind.WARD, parent_id=sam_son.id)
        units = {u.slug: u for u in db.session.scalars(sa.select(Unit))}
        for username, (slug, role) in ACCOUNTS.items():
            person = member(username, units[slug], role)
            person.full_name, person.position = PEOPLE.get(username, (person.full_name, ""))
        create_plans_for_wards(db.session, units["bim-son"], YEAR)
        registry_template = db.session.scalar(sa.select(Plan).where(Plan.is_template.is_(True)))
        town_template(db.session, units["sam-son"], registry_template)  # the other town publishes its own
        create_plans_for_wards(db.session, units["sam-son"], YEAR)
        # The wards' 2025 plans were issued in January and reopened to be amended: tests both edit them and
        # record progress on them (a plan never issued takes no progress: tests/test_progress.py).
        for plan in db.session.scalars(sa.select(Plan).where(Plan.is_template.is_(False))):
            plan.first_issued_on = date(YEAR, 1, 6)
        for slug in RECORDED_WARDS:
            ward_records(db.session, units[slug], first_task(db.session, units[slug]))
            offer_unchanged(db.session, plan_of(db.session, units[slug]))
        db.session.commit()


def first_task(session, unit: Unit) -> Task:  # type: ignore[no-untyped-def]
    """The first task of the unit's 2025 plan (II.1.1, owned by the culture official)."""
    return session.scalar(
        sa.select(Task)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.unit_id == unit.id, Plan.year == YEAR, Plan.is_template.is_(False))
        .order_by(Task.id)
        .limit(1)
    )


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url, owner_url = _database_urls(tmp_path_factory)
    application = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "MIGRATION_DATABASE_URL": owner_url,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "LOGIN_RATE_LIMIT_PER_ACCOUNT": "1000 per minute",
            "SERVER_NAME": "localhost",
            "MAIL_SERVER": "",
            "MAIL_DIR": str(tmp_path_factory.mktemp("mail")),  # never the instance folder
        },
    )
    application.test_client_class = RequestClient
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        _baseline()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def db_tx(app: Flask) -> Iterator[None]:
    """Everything the test and its requests write is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=original.registry.scopefunc,
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()
            # Rolled back, the units' data versions are reused by the next test: kept pages go too.
            fragments.clear()
            pages.clear()


@pytest.fixture
def session(db_tx: None):  # type: ignore[no-untyped-def]
    return db.session


@pytest.fixture
def client(app: Flask, db_tx: None) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def units(session) -> dict[str, Unit]:  # type: ignore[no-untyped-def]
    return {u.slug: u for u in session.scalars(sa.select(Unit))}


@pytest.fixture
def users(session) -> dict[str, User]:  # type: ignore[no-untyped-def]
    return {u.username: u for u in session.scalars(sa.select(User))}


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Sign `user` in on `client` with a server-side session of their own (the sign-in form itself
    is tested in test_auth)."""
    secret, now = new_secret(), utc_now()
    # Straight on the connection: no flush of what the test has pending in its own scope.
    db.session.connection().execute(sa.insert(UserSession.__table__).values(
        user_id=user.id, secret_hash=hash_secret(secret), created_at=now, last_seen_at=now,
        user_agent="pytest", address="127.0.0.1"))
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(user.id)
        flask_session["_fresh"] = True
        flask_session[sessions.SESSION_KEY] = secret
    return client


@pytest.fixture
def as_user(client: FlaskClient, users: dict[str, User]):  # type: ignore[no-untyped-def]
    """`as_user("office@phu-son")` → a client signed in as that baseline account."""
    return lambda username: login(client, users[username])


@contextmanager
def everything(session) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Read or write across units in a test (the named escape hatch)."""
    with system_scope(session, actor="tests"):
        yield


@contextmanager
def scoped_to(session, unit: Unit, *, read_only: bool = False, templates_from: tuple[Unit, ...] = ()) -> Iterator[Scope]:  # type: ignore[no-untyped-def]
    """Put one unit's scope in force, as the guard does for a request on that unit."""
    scope = Scope(
        unit_ids=frozenset({unit.id}),
        home_unit_id=unit.id,
        template_unit_ids=frozenset(u.id for u in templates_from),
        read_only=read_only,
        actor="tests",
    )
    set_scope(session, scope)
    try:
        yield scope
    finally:
        set_scope(session, None)


def plan_of(session, unit: Unit, year: int = YEAR) -> Plan:  # type: ignore[no-untyped-def]
    with everything(session):
        return session.scalar(
            sa.select(Plan).where(Plan.unit_id == unit.id, Plan.year == year, Plan.is_template.is_(False))
        )
