"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def _differences(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_the_migrated_test_database_matches_the_models(app):
    """The suite's database (SQLite or PostgreSQL) was built from empty by `flask db upgrade`."""
    with app.app_context():
        assert _differences(db.engine) == []


def test_upgrade_downgrade_upgrade_on_an_empty_sqlite_file(tmp_path):
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    with fresh.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        assert _differences(db.engine) == []
        downgrade(directory=str(ROOT / "migrations"), revision="base")
        upgrade(directory=str(ROOT / "migrations"))
        assert _differences(db.engine) == []
        db.engine.dispose()
