"""`make bench`: builds the data sets, times the pages on PostgreSQL (row-level security on) and on
SQLite, measures the ward's pages under gunicorn against a bare Flask app in the same run, and writes
one section per run into bench/README.md (the newest first, under "## Runs of make bench").

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bench: a scratch database,
emptied), BENCH_RUNS (timed runs per page, default 5), BENCH_WRK_SECONDS (default 10), BENCH_SKIP
(comma-separated: postgresql, sqlite, units, wrk).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import dataset  # noqa: E402
import notify_run  # noqa: E402
import pages  # noqa: E402
import units_load  # noqa: E402
import wrk_ratio  # noqa: E402

README = ROOT / "bench" / "README.md"
MARK = "## Runs of `make bench`"
KEEP_RUNS = 3  # older runs are dropped from the README (git keeps them)


def _pages_table(url: str, runs: int) -> tuple[str, float]:
    started = time.perf_counter()
    built = dataset.build(url)
    build_seconds = time.perf_counter() - started
    lines = ["| page | wards | median ms | p95 ms | bytes | statements | status |", "|---|---|---|---|---|---|---|"]
    for timing in pages.measure(url, runs, quiet=True):
        units = f"{timing.units:,}" if timing.units else "1 (its own)"
        lines.append(f"| `{timing.page}` | {units} | {timing.median_ms:,.0f} | {timing.p95_ms:,.0f} | "
                     f"{timing.size:,} | {timing.statements} | {timing.status} |")
    rows = sum(v for k, v in built.items() if k not in ("seconds", "communes"))
    note = (f"Data set: {built['communes']:,} communes, {rows:,} ward rows copied in {built['seconds']} s "
            f"(whole build with migrations and the demo: {build_seconds:.0f} s).")
    return note + "\n\n" + "\n".join(lines), build_seconds


def _wrk_table(seconds: int) -> str:
    lines = ["| page | path | req/s | ratio to hello | errors |", "|---|---|---|---|---|"]
    for name, path, rate, ratio, errors in wrk_ratio.run(seconds, 32):
        lines.append(f"| {name} | `{path}` | {rate:,.0f} | {ratio:.3f} | {errors} |")
    rate, total, errors = wrk_ratio.petitions_under(64, seconds)
    lines.append("")
    lines.append(f"64 clients on the petitions register (a GET that writes an audit entry per identity shown): "
                 f"{total:,} requests, {rate:,.0f} req/s, {errors} errors.")
    return "\n".join(lines)


def _write(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    if MARK not in text:
        text = text.rstrip() + f"\n\n{MARK}\n\nWritten by `make bench` (bench/run.py), the newest first.\n"
    head, runs = text.split(MARK, 1)
    intro, _, rest = runs.partition("\n### ")
    previous = ("### " + rest).split("\n### ") if rest else []
    kept = [r if r.startswith("### ") else "### " + r for r in previous if r.strip()][: KEEP_RUNS - 1]
    README.write_text(head + MARK + intro.rstrip() + "\n\n" + section.rstrip() + "\n\n"
                      + "\n\n".join(k.rstrip() for k in kept) + ("\n" if kept else ""), encoding="utf-8")


def main() -> None:
    skip = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or "?"
    parts = [f"### {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {cpu} cores · Python {platform.python_version()}"]
    if "postgresql" not in skip:
        print("PostgreSQL: building the data set and timing the pages …", flush=True)
        table, _ = _pages_table(url, runs)
        parts += ["", f"**PostgreSQL, row-level security on** ({runs} timed runs per page after one to warm up; "
                      "in-process, no network):", "", table]
        print("PostgreSQL: flask notify run over the data set, twice …", flush=True)
        (_, first, wards, told), (_, second, _, again) = notify_run.measure(url, build=False)
        parts += ["", f"**`flask notify run`** over the same data ({wards:,} wards, {notify_run.DAY:%d/%m/%Y}): "
                      f"{first:.1f} s ({told:,} new notifications), again the same day {second:.1f} s "
                      f"({again} new). Target: under 60 s."]
    if "sqlite" not in skip:
        print("SQLite: building the data set and timing the pages …", flush=True)
        path = Path(tempfile.mkdtemp(prefix="bench-sqlite-")) / "bench.sqlite3"
        table, _ = _pages_table(f"sqlite:///{path}", runs)
        parts += ["", "**SQLite** (the same pages and data):", "", table]
    if "units" not in skip:
        print("Loading the official list of the whole country, twice …", flush=True)
        lines = ["| database | first load | second load (changes nothing) |", "|---|---|---|"]
        for name, target in (("PostgreSQL", url), ("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='bench-units-')}/u.db")):
            (_, first, added), (_, second, changed) = units_load.measure(target)
            lines.append(f"| {name} | {first:.2f} s ({added:,} units) | {second:.2f} s ({changed} changes) |")
        parts += ["", "**The official list** (34 provinces and 3,321 communes into an empty installation; "
                      "`units_load.py`):", "", "\n".join(lines)]
    if "wrk" not in skip:
        print("gunicorn and wrk: the ward's pages against a bare Flask app …", flush=True)
        seconds = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
        with wrk_ratio.served():
            table = _wrk_table(seconds)
        parts += ["", f"**Under gunicorn** (2 sync workers each, SQLite demo data, `wrk -t2 -c32 -d{seconds}s`, "
                      "one page after the other, a bare Flask app served the same way in the same run):", "",
                  table]
        with wrk_ratio.served(wrk_ratio.PROJECT_CONFIG):
            table = _wrk_table(seconds)
        parts += ["", "**The same with the project's `gunicorn.conf.py`** (2 workers of 2 threads, access log on, "
                      "as deployed; the bare app served the same way):", "", table]
    section = "\n".join(parts)
    _write(section)
    print(section)


if __name__ == "__main__":
    main()
