"""How PostgreSQL reads the statements of a parent's pages on the bench data set, with the country's
whole scope (3,322 units) in force under row-level security.

Run: .venv/bin/python bench/explain.py [database-url] [page …]   (after bench/dataset.py)
Each page is fetched as the root's admin; every statement it ran is explained again (EXPLAIN ANALYZE,
as the app's role, with the request's scope settings) and summed up: its time, and how each table
was read (Index Scan, Bitmap Heap Scan, Seq Scan …).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from pages import _signed_in, create_app, db, normalise_database_url  # noqa: E402

PAGES = ("/u/ca-nuoc/rollup/2025", "/u/ca-nuoc/overdue?year=2025", "/u/ca-nuoc/reports/status?year=2025",
         "/u/ca-nuoc/", "/u/tinh-98/rollup/2025", "/u/tinh-98/overdue?year=2025", "/u/xa-00001/receptions?year=2025")
SCOPE_SETTINGS = "set_config('dan_van.unit_ids'"


def _scans(plan: dict[str, Any]) -> Iterator[str]:
    node = plan.get("Node Type", "")
    if "Scan" in node and "Relation Name" in plan:
        yield f"{node} on {plan['Relation Name']}"
    for child in plan.get("Plans", []):
        yield from _scans(child)


def explain(url: str, pages: tuple[str, ...]) -> list[tuple[str, str, float, list[str]]]:
    """(page, statement, ms, scans) of every statement the pages ran, but the scope settings."""
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)})
    captured: list[tuple[str, Any]] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda conn, cursor, statement, params, *a: captured.append((statement, params)))
        role = app.config["DB_APP_ROLE"]
    found = []
    raw = sa.create_engine(normalise_database_url(url)).raw_connection()
    for page in pages:
        slug = page.split("/")[2]
        client, _ = _signed_in(app, "chairman@xa-00001" if slug.startswith("xa-") else f"town_admin@{slug}")
        client.get(page)  # warms (and keeps the rollup's figures)
        captured.clear()
        client.get(page)
        settings = next((p for s, p in captured if SCOPE_SETTINGS in s), None)
        for statement, params in captured:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")) or SCOPE_SETTINGS in statement:
                continue
            with raw.cursor() as cursor:
                cursor.execute(f'SET ROLE "{role}"')
                if settings:
                    cursor.execute("SELECT set_config('dan_van.unit_ids', %(ids)s, false), "
                                   "set_config('dan_van.template_unit_ids', %(template_ids)s, false), "
                                   "set_config('dan_van.read_only', %(read_only)s, false)", settings)
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
                plan = cursor.fetchone()[0][0]
                cursor.execute("RESET ROLE")
            found.append((page, " ".join(statement.split())[:90], plan["Execution Time"], sorted(set(_scans(plan["Plan"])))))
        raw.rollback()
    raw.close()
    return found


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/bench"
    print("| page | statement | ms | how the tables are read |\n|---|---|---|---|")
    for page, statement, ms, scans in explain(url, tuple(sys.argv[2:]) or PAGES):
        print(f"| `{page}` | `{statement}…` | {ms:.1f} | {'; '.join(scans) or '—'} |")
