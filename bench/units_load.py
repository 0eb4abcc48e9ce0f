"""Loading the official list of the whole country (34 provinces, 3,321 communes) into an empty
installation, then again (which must change nothing): seconds per run, on the database at the URL.

    .venv/bin/python bench/units_load.py sqlite:////tmp/units.sqlite3
    .venv/bin/python bench/units_load.py postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.local_time import local_today  # noqa: E402
from app.tenancy import system_scope  # noqa: E402
from app.units.official import apply_load, plan_load  # noqa: E402


def measure(url: str) -> list[tuple[int, float, int]]:
    """[(run, seconds, changes)] for two loads of the whole country into an emptied database."""
    url = normalise_database_url(url)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        Path(engine.url.database or "").unlink(missing_ok=True)
    engine.dispose()
    results = []
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        for run in (1, 2):
            started = time.perf_counter()
            with system_scope(db.session(), actor="bench"):
                plan = plan_load(db.session())
                apply_load(db.session(), plan, local_today())
                db.session.commit()
            results.append((run, time.perf_counter() - started, plan.changes))
        db.session.remove()
    return results


if __name__ == "__main__":
    for run, seconds, changes in measure(sys.argv[1]):
        print(f"run {run}: {seconds:.2f} s, {changes:,} changes")
