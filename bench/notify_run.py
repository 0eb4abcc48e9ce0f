"""`flask notify run` over the bench data set (bench/dataset.py: 3,321 communes, each a copy of Phú Sơn's
year): seconds for the first run and for a second run the same day (which tells nothing new).

    .venv/bin/python bench/notify_run.py [url] [--keep]   (--keep: the data set is already built there)
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dataset  # noqa: E402

from app import create_app  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.notifications.store import run  # noqa: E402
from app.tenancy import system_scope  # noqa: E402
from app.web.legal import app_legal_book  # noqa: E402

DAY = date(2025, 11, 12)  # a Wednesday of the data set's year


def measure(url: str, build: bool = True) -> list[tuple[int, float, int, int]]:
    """[(run, seconds, wards, notifications told)] for two runs on DAY."""
    url = normalise_database_url(url)
    if build:
        dataset.build(url)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    results = []
    with app.app_context():
        for attempt in (1, 2):
            started = time.perf_counter()
            with system_scope(db.session(), actor="bench"):
                report = run(db.session(), DAY, app_legal_book())
            results.append((attempt, time.perf_counter() - started, report.units, report.told))
        db.session.remove()
    return results


if __name__ == "__main__":
    target = next((a for a in sys.argv[1:] if not a.startswith("--")), "postgresql://postgres@127.0.0.1:5432/bench")
    for attempt, seconds, wards, told in measure(target, build="--keep" not in sys.argv):
        print(f"run {attempt}: {seconds:.1f} s, {wards:,} wards, {told:,} new notifications")
