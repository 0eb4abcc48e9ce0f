"""The bench data set: the demo, then a country of 3,321 communes, each a copy of Phú Sơn's year.

Run: .venv/bin/python bench/dataset.py <database-url>   (drops what is there: a scratch database only)

The units (34 provinces in two regions under one root) are a few thousand rows written at once;
every ward-owned row of Phú Sơn (plan, tasks, progress, registers, petitions, reports, audit log:
about 570 rows) is then copied to every commune by one INSERT … SELECT per table, ids shifted by a
fixed stride, so the whole country is about 1.9 million rows. Parents measured:

  ca-nuoc     the root, 3,321 communes         vung-1000  a region, 1,000 communes
  tinh-200    a province of 200 communes       tinh-98    a province of 98 (the post-2025 size)
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
from app.cli import demo_command  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Membership, Role, Unit, UnitKind, User  # noqa: E402
from app.tenancy import _ward_tables, system_scope  # noqa: E402

SOURCE = "phu-son"
PASSWORD = "bench-password-2025"
# (slug, name, communes in each of its provinces): two regions of 34 provinces and 3,321 communes.
REGIONS = (
    ("vung-1000", "Vùng 1.000", [200, 98, 702]),
    ("vung-2321", "Vùng 2.321", [75] * 30 + [71]),
)
NAMED_PROVINCES = {200: "tinh-200", 98: "tinh-98"}
PARENTS = ("ca-nuoc", "vung-1000", "tinh-200", "tinh-98")
FIRST_ID = 1_000
STRIDE = 10_000  # ward-row ids of copy k are the source's + k * STRIDE (the demo stays below it)


def _units() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [dict(id=FIRST_ID, slug="ca-nuoc", code="VN", name="Cả nước",
                                          kind=UnitKind.PROVINCE.value, parent_id=None)]
    next_id, commune = FIRST_ID + 1, 0
    for region_slug, region_name, sizes in REGIONS:
        region_id = next_id
        rows.append(dict(id=region_id, slug=region_slug, code=region_slug.upper(), name=region_name,
                         kind=UnitKind.PROVINCE.value, parent_id=FIRST_ID))
        next_id += 1
        for size in sizes:
            province_id = next_id
            slug = NAMED_PROVINCES.get(size, f"tinh-{province_id}")
            rows.append(dict(id=province_id, slug=slug, code=f"T{province_id}", name=f"Tỉnh {province_id}",
                             kind=UnitKind.PROVINCE.value, parent_id=region_id))
            next_id += 1
            for _ in range(size):
                commune += 1
                rows.append(dict(id=next_id, slug=f"xa-{commune:05d}", code=f"X{commune:05d}",
                                 name=f"Xã {commune:05d}", kind=UnitKind.COMMUNE.value, parent_id=province_id))
                next_id += 1
    return rows


def _copy_statement(table: sa.Table, source_id: int, ward_tables: frozenset[str]) -> sa.TextClause:
    """INSERT … SELECT copying the source unit's rows of `table` to every commune of bench_copies."""
    names, values = [], []
    for column in table.columns:
        names.append(f'"{column.name}"')
        foreign = [fk.column.table.name for fk in column.foreign_keys if fk.column.table.name in ward_tables]
        if column.name == "id":
            values.append(f"t.id + c.k * {STRIDE}")
        elif column.name == "unit_id":
            values.append("c.unit_id")
        elif foreign:  # the source's own rows move with the copy; another unit's (a template) stay
            ref = foreign[0]
            values.append(f'CASE WHEN t."{column.name}" IN (SELECT id FROM {ref} WHERE unit_id = {source_id}) '
                          f'THEN t."{column.name}" + c.k * {STRIDE} ELSE t."{column.name}" END')
        else:
            values.append(f't."{column.name}"')
    return sa.text(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} "
                   f"FROM {table.name} t CROSS JOIN bench_copies c WHERE t.unit_id = {source_id}")


def build(url: str) -> dict[str, int]:
    """Build the data set at `url` (emptied first); {what: how many} of what was written."""
    url = normalise_database_url(url)
    app = create_app("development",
                     {"SQLALCHEMY_DATABASE_URI": url, "DEMO_PASSWORD": PASSWORD})
    counts: dict[str, int] = {}
    engine = sa.create_engine(url)  # the owner's connection: no app role, no SQLite BEGIN IMMEDIATE
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            connection.exec_driver_sql(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{app.config['DB_APP_ROLE']}')"
                f" THEN CREATE ROLE \"{app.config['DB_APP_ROLE']}\" NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$")
    else:
        Path(engine.url.database or "").unlink(missing_ok=True)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        app.test_cli_runner().invoke(demo_command, ["--before-reform"], catch_exceptions=False)  # the wards as measured before
        started = time.perf_counter()
        units = _units()
        communes = [u for u in units if u["kind"] == UnitKind.COMMUNE.value]
        source_id = db.session.scalar(sa.select(Unit.id).where(Unit.slug == SOURCE))
        db.session.remove()  # SQLite: the session's transaction holds the write lock
        ward_tables = _ward_tables()
        tables = [t for t in db.metadata.sorted_tables if t.name in ward_tables and t.name != "rollup_figures"]
        with engine.begin() as connection:
            connection.execute(sa.insert(Unit.__table__), units)
            connection.exec_driver_sql("CREATE TEMPORARY TABLE bench_copies (k integer, unit_id integer)")
            connection.execute(sa.text("INSERT INTO bench_copies VALUES (:k, :unit_id)"),
                               [{"k": k, "unit_id": u["id"]} for k, u in enumerate(communes, start=1)])
            for table in tables:
                result = connection.execute(_copy_statement(table, source_id, ward_tables))
                counts[table.name] = result.rowcount
            if engine.dialect.name == "postgresql":
                for table in (t for t in tables if "id" in t.columns):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        counts["seconds"] = round(time.perf_counter() - started)
        with system_scope(db.session(), actor="bench"):
            by_slug = {u.slug: u for u in db.session.scalars(
                sa.select(Unit).where(Unit.slug.in_([*PARENTS, "xa-00001"])))}
            for slug, role in [*((p, Role.TOWN_ADMIN) for p in PARENTS), ("xa-00001", Role.CHAIRMAN)]:
                user = User(username=f"{role.value}@{slug}", full_name=f"Bench {slug}")
                user.set_password(PASSWORD)
                db.session.add(user)
                db.session.flush()
                db.session.add(Membership(user_id=user.id, unit_id=by_slug[slug].id, role=role))
            db.session.commit()
        counts["communes"] = len(communes)
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for name, count in build(sys.argv[1]).items():
        print(f"{name:24} {count:>10,}")
