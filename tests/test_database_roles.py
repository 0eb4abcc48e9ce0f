"""The app runs as its own PostgreSQL login role and cannot leave it (issue 15, defect 4).

Before: the app connected as DATABASE_URL's role (the README's example was the superuser) and ran
SET ROLE, so RESET ROLE from its own session brought the superuser back; and "*" written by the app's
role into dan_van.unit_ids showed every unit. These tests connect exactly as the app does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.config import normalise_database_url
from app.database import AppRoleError
from app.extensions import db
from tests.conftest import APP_ROLE, TEST_DATABASE_URL, app_role_url, postgres_only

pytestmark = postgres_only
WARD_TABLES = ("petitions", "receptions", "dialogues", "task_updates", "plans", "tasks", "audit_entries")


@pytest.fixture
def app_connection(app) -> Iterator[sa.Connection]:  # type: ignore[no-untyped-def]
    """A connection of the app's own pool, in a transaction rolled back afterwards."""
    with app.app_context(), db.engine.connect() as connection:
        with connection.begin() as transaction:
            yield connection
            transaction.rollback()


def _owner_engine() -> sa.Engine:
    return sa.create_engine(normalise_database_url(TEST_DATABASE_URL or ""))


def test_the_app_connects_as_its_own_role_and_reset_role_leaves_it_there(app_connection) -> None:
    sql = app_connection.exec_driver_sql
    assert sql("SELECT session_user, current_user").one() == (APP_ROLE, APP_ROLE)
    sql("RESET ROLE")
    assert sql("SELECT current_user").scalar() == APP_ROLE
    assert sql("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").scalar() is False


@pytest.mark.parametrize("escape", ["SET ROLE postgres", "SET SESSION AUTHORIZATION postgres"])
def test_the_app_role_cannot_become_another_role(app, escape: str) -> None:
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="permission denied"):
            connection.exec_driver_sql(escape)


def test_every_unit_written_by_the_app_role_itself_opens_nothing(app_connection) -> None:
    sql = app_connection.exec_driver_sql
    sql("SELECT set_config('dan_van.unit_ids', '*', true), set_config('dan_van.template_unit_ids', '*', true),"
        " set_config('dan_van.read_only', 'off', true)")
    assert sql("SELECT dan_van_scope_all('dan_van.unit_ids')").scalar() is False
    for table in WARD_TABLES:
        assert sql(f"SELECT count(*) FROM {table}").scalar() == 0, table
    with _owner_engine().connect() as owner:  # the same rows are there, for the owner
        assert all(owner.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() for table in WARD_TABLES)
        owner.exec_driver_sql("SELECT set_config('dan_van.unit_ids', '*', true)")
        assert owner.exec_driver_sql("SELECT dan_van_scope_all('dan_van.unit_ids')").scalar() is True


def test_the_app_role_owns_nothing_and_belongs_to_no_role(app_connection) -> None:
    sql = app_connection.exec_driver_sql
    assert sql("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = "
               "current_user)").scalar() == 0
    assert sql("SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = "
               "current_user)").scalar() == 0


def _app(url: str, env: str = "production", **config: object):  # type: ignore[no-untyped-def]
    return create_app(env, {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "", **config})


def test_in_production_the_app_refuses_to_run_as_the_tables_owner(app) -> None:  # type: ignore[no-untyped-def]
    owner = _app(normalise_database_url(TEST_DATABASE_URL or ""))
    with owner.app_context():
        with pytest.raises(AppRoleError, match="must connect as its own role 'dan_van_app'"):
            db.engine.connect()
        db.engine.dispose()
    own = _app(app_role_url(normalise_database_url(TEST_DATABASE_URL or "")))
    with own.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT current_user").scalar() == APP_ROLE
        db.engine.dispose()


def test_an_app_role_that_could_become_another_role_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    with _owner_engine().connect() as owner:
        owner.exec_driver_sql("DROP ROLE IF EXISTS dan_van_too_wide")
        owner.exec_driver_sql("CREATE ROLE dan_van_too_wide LOGIN NOSUPERUSER NOBYPASSRLS")
        owner.exec_driver_sql("GRANT pg_read_all_data TO dan_van_too_wide")
        owner.commit()
        try:
            url = sa.make_url(normalise_database_url(TEST_DATABASE_URL or "")).set(username="dan_van_too_wide")
            wide = _app(url.render_as_string(hide_password=False), DB_APP_ROLE="dan_van_too_wide")
            with wide.app_context():
                with pytest.raises(AppRoleError, match="belong to no other role"):
                    db.engine.connect()
                db.engine.dispose()
        finally:
            owner.exec_driver_sql("DROP ROLE dan_van_too_wide")
            owner.commit()
