"""Times the parent's and the commune's pages on the bench data set (bench/dataset.py).

Run: .venv/bin/python bench/pages.py <database-url> [runs] [page-filter]
Each page is fetched once to warm up, then `runs` times, in-process through Flask's test client (no
network), signed in as the admin of each parent (or the commune's chairman); prints one Markdown table
row per page: median and p95 in ms, HTML bytes and SQL statements of one request.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.accounts import sessions  # noqa: E402
from app.api.services import issue_token  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.local_time import utc_now  # noqa: E402
from app.models import User, UserSession  # noqa: E402
from app.models.secrets import hash_secret, new_secret  # noqa: E402
from app.web.page_cache import pages as kept_pages  # noqa: E402

# (who signs in, page); {p} is the parent's slug.
PARENT_PAGES = (
    "/u/{p}/",
    "/u/{p}/rollup/2025",
    "/u/{p}/rollup/2025?period=2025-Q2",
    "/u/{p}/rollup/2025.xlsx",
    "/u/{p}/overdue?year=2025",
    "/u/{p}/reports/status?year=2025",
    "/api/v1/u/{p}/rollup/2025",
)
PARENTS = {"tinh-98": 98, "tinh-200": 200, "vung-1000": 1_000, "ca-nuoc": 3_321}
COMMUNE_PAGES = ("/u/xa-00001/", "/u/xa-00001/plans/2025", "/u/xa-00001/petitions")


@dataclass
class Timing:
    page: str
    units: int | None
    median_ms: float
    p95_ms: float
    size: int
    statements: int
    status: int


def _signed_in(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        secret, now = new_secret(), utc_now()
        db.session.add(UserSession(user_id=user.id, secret_hash=hash_secret(secret), created_at=now,
                                   last_seen_at=now, user_agent="bench", address="127.0.0.1"))
        _, token = issue_token(db.session(), user, "bench")
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(user_id)
        flask_session["_fresh"] = True
        flask_session[sessions.SESSION_KEY] = secret
    return client, {"Authorization": f"Bearer {token}"}


COLD = " (every figure recomputed)"  # the first view after a due date passed, or after every ward wrote
RENDERED = " (page rendered, figures kept)"  # the first view of a person after a ward wrote: the page is not kept
HOME_RENDERED = " (page rendered)"  # the parent's home as first seen after a ward wrote


def cases() -> Iterator[tuple[str, str, int | None]]:
    """(username, page, units below the parent or None for a commune's own page)."""
    for parent, units in PARENTS.items():
        for page in PARENT_PAGES:
            yield f"town_admin@{parent}", page.format(p=parent), units
        yield f"town_admin@{parent}", f"/u/{parent}/{HOME_RENDERED}", units
        yield f"town_admin@{parent}", f"/u/{parent}/rollup/2025{RENDERED}", units
        yield f"town_admin@{parent}", f"/u/{parent}/rollup/2025{COLD}", units
        yield f"town_admin@{parent}", f"/api/v1/u/{parent}/rollup/2025{COLD}", units
    for page in COMMUNE_PAGES:
        yield "chairman@xa-00001", page, None


def measure(url: str, runs: int, only: str = "", quiet: bool = False) -> list[Timing]:
    url = normalise_database_url(url)
    owner = sa.create_engine(url)  # not the app's role: to make every kept figure stale
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    gc.freeze()  # as wsgi.py does in each worker once the app is made
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    clients: dict[str, tuple] = {}  # type: ignore[type-arg]
    found = []
    for username, page, units in cases():
        if only not in page:
            continue
        if username not in clients:
            clients[username] = _signed_in(app, username)
        client, headers = clients[username]
        times = []
        for n in range(runs + 1):
            if page.endswith(COLD):
                with owner.begin() as connection:
                    connection.execute(sa.text("UPDATE units SET data_version = data_version + 1"))
            if page.endswith((RENDERED, HOME_RENDERED)):
                kept_pages.clear()
            statements.clear()
            started = time.perf_counter()
            address = page.removesuffix(COLD).removesuffix(RENDERED).removesuffix(HOME_RENDERED)
            response = client.get(address, headers=headers if page.startswith("/api/") else {})
            elapsed = 1000 * (time.perf_counter() - started)
            if n:
                times.append(elapsed)
        times.sort()
        timing = Timing(page, units, statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)],
                        len(response.data), len(statements), response.status_code)
        if not quiet:
            print(f"| `{page}` | {units or ''} | {timing.median_ms:,.0f} | {timing.p95_ms:,.0f} | "
                  f"{timing.size:,} | {timing.statements} | {timing.status} |", flush=True)
        found.append(timing)
    owner.dispose()
    return found


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("| page | units | median ms | p95 ms | bytes | statements | status |")
    print("|---|---|---|---|---|---|---|")
    measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5, sys.argv[3] if len(sys.argv) > 3 else "")
