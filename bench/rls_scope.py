"""Times the ward tables' row-level security policies as 0001–0007 wrote them (the scope's ids parsed
for every row) against 0008's (the scope read once per statement), with a parent's whole scope in force.

Run: .venv/bin/python bench/rls_scope.py [postgresql://postgres@127.0.0.1:5432/postgres] [rows] [units]
It creates a scratch database `dan_van_rls_bench` (dropped at the end), a table of `rows` rows spread
over `units` units, the real policy functions of app/row_security.py, and a role bound by them; then
times `count(*)` and one unit's rows through an index, under each policy, and prints the plans.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import row_security  # noqa: E402

SCRATCH = "dan_van_rls_bench"
ROLE = "dan_van_rls_bench_app"


def _timed(connection: sa.Connection, sql: str, runs: int) -> float:
    """Median milliseconds of `sql` over `runs` runs."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        connection.execute(sa.text(sql)).all()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(server: str, rows: int, units: int) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
        connection.execute(sa.text(f"CREATE DATABASE {SCRATCH}"))
    engine = sa.create_engine(server.rsplit("/", 1)[0] + f"/{SCRATCH}")
    try:
        with engine.begin() as connection:
            for statement in row_security.FUNCTIONS:
                connection.execute(sa.text(statement))
            connection.execute(sa.text(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}')"
                                       f" THEN CREATE ROLE {ROLE} NOLOGIN; END IF; END $$"))
            connection.execute(sa.text("CREATE TABLE records (id serial PRIMARY KEY, unit_id integer NOT NULL, v integer)"))
            connection.execute(sa.text("INSERT INTO records (unit_id, v) SELECT (g % :units) + 1, g "
                                       "FROM generate_series(1, :rows) g"), {"units": units, "rows": rows})
            connection.execute(sa.text("CREATE INDEX ix_records_unit ON records (unit_id)"))
            connection.execute(sa.text("ANALYZE records"))
            connection.execute(sa.text(f"GRANT SELECT ON records TO {ROLE}"))
            connection.execute(sa.text("ALTER TABLE records ENABLE ROW LEVEL SECURITY"))
            connection.execute(sa.text("ALTER TABLE records FORCE ROW LEVEL SECURITY"))
        ids = ",".join(str(i) for i in range(1, units + 1))
        print(f"{rows:,} rows over {units:,} units, every unit in scope (a parent's view)\n")
        print("| policy | count(*) of the scope | one unit's rows (index) |")
        print("|---|---|---|")
        for name, checks in (("per row (0001–0007)", row_security.PER_ROW),
                             ("per statement (0008)", row_security.PER_STATEMENT)):
            with engine.begin() as connection:
                connection.execute(sa.text("DROP POLICY IF EXISTS records_read ON records"))
                read = row_security.policies("records", checks=checks)[0]
                connection.execute(sa.text(read))
            with engine.begin() as connection:
                connection.execute(sa.text(f"SET LOCAL ROLE {ROLE}"))
                connection.execute(sa.text("SELECT set_config('dan_van.unit_ids', :ids, true)"), {"ids": ids})
                whole = _timed(connection, "SELECT count(*) FROM records", 1 if checks is row_security.PER_ROW else 5)
                one = _timed(connection, "SELECT * FROM records WHERE unit_id = 17", 5)
                plan = [r[0] for r in connection.execute(sa.text("EXPLAIN SELECT * FROM records WHERE unit_id = 17"))]
                counted = connection.execute(sa.text("SELECT count(*) FROM records")).scalar()
            assert counted == rows, (name, counted)
            print(f"| {name} | {whole:,.1f} ms | {one:,.2f} ms |")
            print("\n    " + "\n    ".join(plan) + "\n", file=sys.stderr)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
        admin.dispose()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        arguments[0] if arguments else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        int(arguments[1]) if len(arguments) > 1 else 200_000,
        int(arguments[2]) if len(arguments) > 2 else 3_322,
    )
