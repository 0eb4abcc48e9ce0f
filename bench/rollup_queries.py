"""Counts the SQL statements of the parent unit's pages for 3 and for 300 wards.

Run: .venv/bin/python bench/rollup_queries.py [3 300]   (SQLite in a temporary file; a few minutes for 300)
The rollup must cost the same number of queries whatever the number of wards (DESIGN §5).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Membership, Plan, Role, Unit, UnitKind, User  # noqa: E402
from app.plans.services import create_plans_for_wards  # noqa: E402
from app.tenancy import system_scope  # noqa: E402
from app.tenant_registry import sync_templates, sync_units  # noqa: E402
from bench.pages import _signed_in  # noqa: E402

PAGES = ("/u/bim-son/rollup/2025", "/u/bim-son/rollup/2025?period=2025-Q2", "/u/bim-son/overdue?year=2025",
         "/u/bim-son/reports/status?year=2025", "/u/bim-son/rollup/2025.xlsx",
         "/u/bim-son/templates/1")  # the published template with every ward's difference


def measure(wards: int) -> dict[str, int]:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with system_scope(db.session, actor="bench"):
            sync_units(db.session, ROOT / "tenants" / "units")
            sync_templates(db.session, ROOT / "tenants" / "plan_templates")
            town = db.session.scalar(sa.select(Unit).where(Unit.slug == "bim-son"))
            existing = db.session.scalars(sa.select(Unit).where(Unit.parent_id == town.id)).all()
            for unit in existing[wards:]:  # keep only the first `wards` of the registry's wards...
                unit.parent_id = None
            for n in range(max(0, wards - len(existing))):  # ...or add more
                db.session.add(Unit(slug=f"xa-{n}", code=f"B{n:05d}", name=f"Xã số {n}", kind=UnitKind.COMMUNE,
                                    parent_id=town.id))
            db.session.flush()
            create_plans_for_wards(db.session, town, 2025)
            admin = User(username="admin@bim-son", full_name="")
            admin.set_password("x")
            db.session.add(admin)
            db.session.flush()
            db.session.add(Membership(user_id=admin.id, unit_id=town.id, role=Role.TOWN_ADMIN))
            db.session.commit()
    client, _ = _signed_in(app, "admin@bim-son")  # a server-side session, as the sign-in form makes
    counts: dict[str, int] = {}
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for page in PAGES:
        statements.clear()
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        counts[page] = len(statements)
    # Publishing a revision offers it to every ward plan: one proposal row each, in batched statements.
    assert client.post("/u/bim-son/templates/1/revise").status_code == 302
    with app.app_context(), system_scope(db.session, actor="bench"):
        draft = db.session.scalar(sa.select(sa.func.max(Plan.id)).where(Plan.is_template.is_(True)))
    statements.clear()
    started = time.perf_counter()
    assert client.post(f"/u/bim-son/templates/{draft}/publish").status_code == 302
    print(f"  publishing to {wards} wards took {1000 * (time.perf_counter() - started):.0f} ms")
    counts["POST /u/bim-son/templates/<revision 2>/publish"] = len(statements)
    if "-v" in sys.argv:
        from collections import Counter
        print(Counter(" ".join(st.split()[:3]) for st in statements).most_common(8))
    return counts


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [3, 300]
    for size in sizes:
        started = time.perf_counter()
        result = measure(size)
        print(f"{size} wards ({time.perf_counter() - started:.0f} s to build and measure):")
        for page, count in result.items():
            print(f"  {count:3d} statements  {page}")
