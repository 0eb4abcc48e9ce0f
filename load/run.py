"""`make load` / `make load-short`: the app under a mixed load of every role, with faults, then a check of
the data. Exits non-zero on any error answer, any lost, duplicated or half-written write.

For each database (SQLite in a temporary folder, on a tmpfs where `mount` is allowed; PostgreSQL in a
scratch database `load` with Redis for the sign-in limits):
  1. a fresh database: `flask db upgrade`, `flask demo --before-reform`;
  2. gunicorn with the project's gunicorn.conf.py, 4 workers, on a free port from 5100;
  3. the wards' plans checked issued (the demo issues them in January; progress needs an issued plan);
  4. locust, headless, LOAD_USERS users for LOAD_SECONDS seconds (load/locustfile.py), with CSV output;
     on PostgreSQL, the server is restarted in the middle of the load, then Redis is stopped for a while
     and started again (sign-in must keep working; the app says in its log that the limits fell back);
  5. on SQLite, the disk is filled and evidence is uploaded: each upload must be refused with the
     Vietnamese message and leave nothing behind, and go through once there is room again;
  6. the data: every write a user saw acknowledged is in the database exactly once, with its audit entry
     (and for a progress update its one evidence file, with the very bytes sent); no evidence row without
     its bytes, no update without its file, no duplicate.

PostgreSQL and Redis are instances of their own, so restarting them disturbs nothing else on the machine:
a PostgreSQL cluster `load` on port LOAD_PG_PORT (5433; created with pg_createcluster if missing, stopped
at the end if this run started it) and a redis-server on LOAD_REDIS_PORT (6380), always shut down at the
end. Never the databases `test` or `bench`.

Options: --users, --seconds, --only sqlite|postgresql, --write-readme (bench/README.md's section
"Load and faults (make load)"). Environment: LOAD_PG_VERSION (default: the one under /etc/postgresql),
LOAD_MAX_OUTAGE (seconds of 503s allowed around the restart, default 10).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
README = ROOT / "bench" / "README.md"
SECTION = "## Load and faults (`make load`)"
BENCH_RUNS_MARK = "## Runs of `make bench`"
YEAR = 2025
WARDS = ("phu-son", "quang-trung")
PASSWORD = "DanVan@2025"
UNAVAILABLE_TEXT = "không kết nối được cơ sở dữ liệu"
FULL_TEXT = "Bộ nhớ lưu trữ của hệ thống đã đầy"
EXPECTED_503 = "503 database unavailable"
PG_PORT = int(os.environ.get("LOAD_PG_PORT", "5433"))
REDIS_PORT = int(os.environ.get("LOAD_REDIS_PORT", "6380"))
MAX_OUTAGE = float(os.environ.get("LOAD_MAX_OUTAGE", "10"))
LOAD_DB = "load"


def say(text: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {text}", flush=True)


def run(command: list[str], env: dict[str, str] | None = None, check: bool = True, quiet: bool = True,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=quiet, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def free_port(start: int = 5100) -> int:
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port from 5100")


# --- services of our own ----------------------------------------------------------------------


def pg_version() -> str:
    return os.environ.get("LOAD_PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]


class Postgres:
    """The cluster `load` on PG_PORT: made if missing, started if down, stopped at the end if we started it."""

    def __init__(self) -> None:
        self.version = pg_version()
        self.started_here = False
        # As deployed (README: Database roles): the app as its own login role, migrations as the owner;
        # the data check reads as the superuser (row-level security does not hide rows from it).
        self.url = f"postgresql://dan_van_app@127.0.0.1:{PG_PORT}/{LOAD_DB}"
        self.owner_url = f"postgresql://dan_van_owner@127.0.0.1:{PG_PORT}/{LOAD_DB}"
        self.superuser_url = f"postgresql://postgres@127.0.0.1:{PG_PORT}/{LOAD_DB}"
        self.admin_url = f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres"

    def ctl(self, action: str) -> subprocess.CompletedProcess[str]:
        return run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "load", action], check=False)

    def ready(self) -> bool:
        return run(["pg_isready", "-h", "127.0.0.1", "-p", str(PG_PORT), "-q"], check=False).returncode == 0

    def wait(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not self.ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL on port {PG_PORT} did not come up")
            time.sleep(0.2)

    def up(self) -> None:
        if not Path(f"/etc/postgresql/{self.version}/load").exists():
            say(f"creating the PostgreSQL cluster {self.version}/load on port {PG_PORT} (once)")
            run(["pg_createcluster", self.version, "load", "-p", str(PG_PORT), "--", "--auth=trust"])
        if not self.ready():
            self.ctl("start")
            self.started_here = True
        self.wait()

    def fresh_database(self) -> None:
        roles = """DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dan_van_owner') THEN
                CREATE ROLE dan_van_owner LOGIN CREATEROLE; END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dan_van_app') THEN
                CREATE ROLE dan_van_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT; END IF;
            ALTER ROLE dan_van_app LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
        END $$"""
        for sql in (f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)', roles,
                    f'CREATE DATABASE "{LOAD_DB}" OWNER dan_van_owner'):
            run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.admin_url, "-c", sql])
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.superuser_url, "-c",
             "ALTER SCHEMA public OWNER TO dan_van_owner"])

    def restart(self) -> float:
        started = time.monotonic()
        done = self.ctl("restart")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctlcluster restart failed: {done.stderr}")
        self.wait()
        return time.monotonic() - started

    def down(self) -> None:
        if self.started_here:
            self.ctl("stop")


class Redis:
    """A redis-server of our own on REDIS_PORT (the machine's usual command line), shut down at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"redis://127.0.0.1:{REDIS_PORT}/5"

    def start(self) -> None:
        run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")])
        deadline = time.monotonic() + 10
        while not self.ping():
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {REDIS_PORT} did not come up")
            time.sleep(0.1)

    def ping(self) -> bool:
        done = run(["redis-cli", "-p", str(REDIS_PORT), "ping"], check=False)
        return done.stdout.strip() == "PONG"

    def stop(self) -> None:
        run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False)
        deadline = time.monotonic() + 10
        while self.ping() and time.monotonic() < deadline:
            time.sleep(0.1)


# --- the app ----------------------------------------------------------------------------------


def app_env(database_url: str, migration_url: str, folder: Path, redis_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("REDIS_URL", "DATABASE_URL", "MIGRATION_DATABASE_URL", "DB_APP_ROLE")}
    # development: the session cookie is not marked Secure, so locust keeps it over plain HTTP
    env.update(APP_ENV="development", SECRET_KEY="load-test-secret-not-for-production", FLASK_APP="wsgi.py",
               DATABASE_URL=database_url, MIGRATION_DATABASE_URL=migration_url, MAIL_DIR=str(folder / "mail"),
               DEMO_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Server:
    """gunicorn with the project's settings: 4 workers, on a free port, its log in the run's folder."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "gunicorn.log"
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "4"}
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"], cwd=ROOT, env=env,
            stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: see {self.log}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class Browser:
    """A signed-in person over plain HTTP (for the set-up and the disk-full phase)."""

    def __init__(self, base: str, account: str, password: str = PASSWORD, expect: int = 302) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())
        page = self.get("/login")[1]
        answer = self.post("/login", {"username": account, "password": password, "csrf_token": csrf(page)})
        if answer[0] != expect:
            raise RuntimeError(f"signing in as {account} answered {answer[0]}, not {expect}")

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, str]:
        return self.request(path)

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
             ) -> tuple[int, str]:
        boundary = "----load" + os.urandom(8).hex()
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def check_plans_issued(base: str) -> None:
    """The demo issued each ward's plan in January (progress is recorded only on an issued plan): its page says
    so, and the chairman is offered to reopen it."""
    for ward in WARDS:
        status, page = Browser(base, f"chairman@{ward}").get(f"/u/{ward}/plans/{YEAR}")
        if status != 200 or "Mở lại kế hoạch" not in page:
            raise RuntimeError(f"the demo's plan of {ward} is not issued (its page answers {status})")


# --- one run ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    users: int
    seconds: int
    stats: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outage: float | None = None  # seconds from the first to the last 503 around the restart
    unavailable: int = 0  # answers 503 with the Vietnamese page
    probe_window: float | None = None  # seconds of 503s seen by the restart's probe
    probe_gap: float | None = None  # the longest time the probe went without a 200 around the restart
    restart_seconds: float | None = None
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load at the start and the end
    acknowledged: Counter[str] = field(default_factory=Counter)
    unacknowledged_stored: int = 0
    signins_redis_down: int = 0


def locust(base: str, users: int, seconds: int, folder: Path, events_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOAD_EVENTS": str(events_path), "DEMO_PASSWORD": PASSWORD, "LOAD_YEAR": str(YEAR)}
    spawn = max(4, users // 4)
    return subprocess.Popen(
        [str(BIN / "locust"), "-f", str(ROOT / "load" / "locustfile.py"), "--headless", "--host", base,
         "-u", str(users), "-r", str(spawn), "-t", f"{seconds}s", "--csv", str(folder / "locust"),
         "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=(folder / "locust.log").open("w"), stderr=subprocess.STDOUT,
    )


def read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run_database(name: str, users: int, seconds: int, work: Path, pg: Postgres | None,
                 redis: Redis | None) -> Outcome:
    outcome = Outcome(name, users, seconds)
    folder = work / name
    folder.mkdir(parents=True)
    mounted = False
    if name == "sqlite":
        data_dir = folder / "data"
        data_dir.mkdir()
        mounted = run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", str(data_dir)], check=False).returncode == 0
        database_url = migration_url = check_url = f"sqlite:///{data_dir / 'load.sqlite3'}"
    else:
        assert pg is not None and redis is not None
        pg.fresh_database()
        database_url, migration_url, check_url = pg.url, pg.owner_url, pg.superuser_url
    env = app_env(database_url, migration_url, folder, redis.url if (redis and name == "postgresql") else None)
    say(f"{name}: migrating and loading the demo")
    run([str(BIN / "flask"), "db", "upgrade"], env=env)
    run([str(BIN / "flask"), "demo", "--before-reform"], env=env)
    server = Server(env, folder)
    try:
        check_plans_issued(server.base)
        events_path = folder / "events.jsonl"
        say(f"{name}: {users} users for {seconds} s against {server.base} (4 gunicorn workers)")
        started = time.time()
        load_before = os.getloadavg()[0]
        swarm = locust(server.base, users, seconds, folder, events_path)
        redis_window: tuple[float, float] | None = None
        restart_at: float | None = None
        if name == "postgresql":
            assert pg is not None and redis is not None
            time.sleep(seconds * 0.35)
            probe = Probe(server.base)
            time.sleep(1.0)
            say("postgresql: restarting the server in the middle of the load")
            restart_at = time.time()
            outcome.restart_seconds = pg.restart()
            say(f"postgresql: back after {outcome.restart_seconds:.1f} s")
            time.sleep(max(5.0, seconds * 0.2))
            probe.stop(outcome, restart_at)
            say("redis: stopped")
            redis.stop()
            down = time.time()
            signin_while_redis_down(server.base, outcome)
            time.sleep(max(0.0, max(3.0, seconds * 0.2) - (time.time() - down)))
            redis.start()
            redis_window = (down, time.time())
            say("redis: started again")
        code = swarm.wait(timeout=seconds + 120)
        if code != 0:
            outcome.errors.append(f"locust exited with {code}: see {folder / 'locust.log'}")
        say(f"{name}: load done in {time.time() - started:.0f} s")
        outcome.load_average = (load_before, os.getloadavg()[0])
        if name == "sqlite":
            if mounted:
                disk_full_phase(server.base, data_dir, outcome, events_path)
            else:
                outcome.notes.append("full disk: not tried (mount refused: not root?)")
        events = read_events(events_path)
        judge_answers(outcome, folder, events, restart_at)
        if redis_window is not None:
            outcome.signins_redis_down += sum(1 for e in events if e["kind"] == "signin"
                                              and redis_window[0] <= e["t"] <= redis_window[1])
            log = server.log_text()
            if "falling back to in-memory storage" not in log:
                outcome.errors.append("redis stopped: no log line saying the limits fell back to memory")
            if outcome.signins_redis_down == 0:
                outcome.errors.append("redis stopped: no sign-in was tried while it was down")
            outcome.notes.append(f"Redis stopped for {redis_window[1] - redis_window[0]:.0f} s: "
                                 f"{outcome.signins_redis_down} sign-ins went through meanwhile"
                                 + ("; the log says the limits fell back to memory"
                                    if "falling back to in-memory storage" in log else ""))
        log = server.log_text()
        if restart_at is not None:
            retried = log.count("trying the read once more")
            outcome.notes.append(f"PostgreSQL restart: {retried} reads met a dropped connection and were tried "
                                 "once more by the app before answering")
        tracebacks = log.count("Traceback (most recent call last)")
        if tracebacks:
            outcome.errors.append(f"{tracebacks} tracebacks in the server's log ({server.log})")
        check_data(outcome, check_url, events)
    finally:
        server.stop()
        if mounted:
            run(["umount", "-l", str(data_dir)], check=False)
    return outcome


def plain_error(error: str) -> str:
    """locust's "CatchResponseError('HTTP 500')" as "HTTP 500"."""
    if error.startswith("CatchResponseError(") and error.endswith(")"):
        return error[len("CatchResponseError("):-1].strip("'\"")
    return error


def judge_answers(outcome: Outcome, folder: Path, events: list[dict[str, Any]], restart_at: float | None) -> None:
    outcome.stats = read_csv(folder / "locust_stats.csv")
    outcome.failures = read_csv(folder / "locust_failures.csv")
    if not outcome.stats:
        outcome.errors.append("locust wrote no statistics")
        return
    unavailable = [e["t"] for e in events if e["kind"] == "503"]
    for failure in outcome.failures:
        failure["Error"] = error = plain_error(failure["Error"])
        count = int(failure["Occurrences"])
        if error == EXPECTED_503 and restart_at is not None:
            continue
        outcome.errors.append(f"{count} × {failure['Method']} {failure['Name']}: {error}")
    for event in events:
        if event["kind"] == "error":
            outcome.errors.append(f"locust: {event['what']}")
    outcome.unavailable = len(unavailable)
    if unavailable:
        if restart_at is None:
            outcome.errors.append(f"{len(unavailable)} answers 503 without any fault")
        else:
            outcome.outage = max(unavailable) - min(unavailable)
            late = [t for t in unavailable if t > restart_at + MAX_OUTAGE + 30]
            if outcome.outage > MAX_OUTAGE or late:
                outcome.errors.append(f"503s for {outcome.outage:.1f} s around the restart (at most {MAX_OUTAGE:.0f})")
    elif restart_at is not None:
        outcome.outage = 0.0


class Probe:
    """A signed-in reader asking for a register every 0.1 s in a thread of its own, around the restart:
    how long the 503s last, and that nothing else is ever answered."""

    def __init__(self, base: str) -> None:
        import threading

        self.browser = Browser(base, "front@phu-son")
        self.answers: list[tuple[float, int, bool]] = []  # (time, status, the Vietnamese 503 page)
        self.running = True
        self.thread = threading.Thread(target=self._ask, daemon=True)
        self.thread.start()

    def _ask(self) -> None:
        while self.running:
            try:
                status, page = self.browser.get("/u/phu-son/receptions")
            except OSError:
                status, page = 0, ""
            self.answers.append((time.time(), status, UNAVAILABLE_TEXT in page and "Traceback" not in page))
            time.sleep(0.1)

    def stop(self, outcome: Outcome, restart_at: float) -> None:
        self.running = False
        self.thread.join(timeout=70)
        unavailable = [t for t, status, _ in self.answers if status == 503]
        wrong = Counter(status for _, status, vietnamese in self.answers
                        if status != 200 and not (status == 503 and vietnamese))
        for status, count in sorted(wrong.items()):
            outcome.errors.append(f"restart probe: {count} answers {status or 'none (no connection)'}")
        window = (max(unavailable) - min(unavailable) + 0.1) if unavailable else 0.0
        since = max([restart_at, *unavailable])
        back = next((t for t, status, _ in self.answers if status == 200 and t > since), None)
        if back is None:
            outcome.errors.append("restart probe: the app never answered 200 again")
        outcome.probe_window = window
        good = [t for t, status, _ in self.answers if status == 200]
        gap = max((later - earlier for earlier, later in zip(good, good[1:]) if later > restart_at), default=0.0)
        outcome.probe_gap = gap
        outcome.notes.append(
            f"PostgreSQL restart, a reader asking every 0.1 s: {len(self.answers)} requests, {len(unavailable)} "
            f"answered 503 with the Vietnamese page over {window:.1f} s, the rest 200; the longest wait between "
            f"two of its 200s was {gap:.1f} s"
            + (f"; its first 200 after the restart began came {back - restart_at:.1f} s after it" if back else ""))
        if window > MAX_OUTAGE:
            outcome.errors.append(f"restart probe: 503s for {window:.1f} s (at most {MAX_OUTAGE:.0f})")


def signin_while_redis_down(base: str, outcome: Outcome) -> None:
    """With the limits' storage gone: a wrong password is refused as usual (400), the right one signs in."""
    for ward in WARDS:
        try:
            guesser = Browser(base, f"culture@{ward}", password="not the password", expect=400)
            del guesser
            Browser(base, f"culture@{ward}")
            outcome.signins_redis_down += 1
        except RuntimeError as error:
            outcome.errors.append(f"redis stopped: {error}")


# --- the full disk (SQLite on a tmpfs) --------------------------------------------------------


def disk_full_phase(base: str, data_dir: Path, outcome: Outcome, events_path: Path) -> None:
    """Fill the database's filesystem, upload evidence: a 507 with the message, nothing kept; then room again."""
    sys.path.insert(0, str(ROOT / "load"))
    from locustfile import png  # the same real PNGs as the load

    office = Browser(base, "office@phu-son")
    status, plan_page = office.get(f"/u/phu-son/plans/{YEAR}")
    task_ids = sorted({int(t) for t in re.findall(r"/tasks/(\d+)/progress", plan_page)})
    if status != 200 or not task_ids:
        outcome.errors.append("full disk: the plan page gave no task")
        return
    # The log's space is reused by later writes: truncate it first, so that what comes next needs new space.
    import sqlite3

    with sqlite3.connect(data_dir / "load.sqlite3", timeout=30) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = data_dir / "filler"
    try:
        with filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * (1 << 20))
    except OSError:
        pass
    refused, stored_anyway = 0, list[dict[str, Any]]()
    refused_markers: list[str] = []
    for attempt in range(5):
        path = f"/u/phu-son/plans/{YEAR}/tasks/{task_ids[attempt % len(task_ids)]}/progress"
        status, page = office.get(path)
        if status != 200:
            outcome.errors.append(f"full disk: the task page answered {status} (reads must go on)")
            continue
        text = "LT-full-" + os.urandom(6).hex()
        content = png(600)
        status, answer = office.post(path, {"csrf_token": csrf(page), "percent": "50", "status": "in_progress",
                                            "note": f"Kết quả {text}"},
                                     {"evidence": (f"{text}.png", content)})
        if status == 507 and FULL_TEXT in answer and "Traceback" not in answer:
            refused += 1
            refused_markers.append(text)
        elif status == 302:  # it still fitted (SQLite reuses its log's space): then it must be there whole
            stored_anyway.append({"kind": "ack", "what": "progress", "marker": text, "unit": "phu-son",
                                  "evidence_sha256": hashlib.sha256(content).hexdigest(),
                                  "evidence_size": len(content), "t": time.time()})
        else:
            outcome.errors.append(f"full disk: an evidence upload answered {status} without the message")
    filler.unlink(missing_ok=True)
    with events_path.open("a", encoding="utf-8") as handle:
        for text in refused_markers:
            handle.write(json.dumps({"kind": "refused", "marker": text, "t": time.time()}) + "\n")
        for ack in stored_anyway:
            handle.write(json.dumps(ack) + "\n")
    path = f"/u/phu-son/plans/{YEAR}/tasks/{task_ids[0]}/progress"
    status, page = office.get(path)
    text = "LT-" + os.urandom(8).hex()
    content = png(60)
    status, _ = office.post(path, {"csrf_token": csrf(page), "percent": "60", "status": "in_progress",
                                   "note": f"Kết quả {text}"}, {"evidence": (f"{text}.png", content)})
    if status == 302:
        with events_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"kind": "ack", "what": "progress", "marker": text, "unit": "phu-son",
                                     "evidence_sha256": hashlib.sha256(content).hexdigest(),
                                     "evidence_size": len(content), "t": time.time()}) + "\n")
    else:
        outcome.errors.append(f"full disk: with room again, the upload answered {status}")
    if refused == 0:
        outcome.errors.append("full disk: no upload was refused (the disk never filled?)")
    outcome.notes.append(f"full disk: {refused} of 5 evidence uploads refused with 507 and the Vietnamese message"
                         + (f", {len(stored_anyway)} fitted" if stored_anyway else "")
                         + ("; the next upload with room again went through" if status == 302 else ""))


# --- the data ---------------------------------------------------------------------------------


def check_data(outcome: Outcome, database_url: str, events: list[dict[str, Any]]) -> None:
    """Every acknowledged write exactly once, whole; nothing refused kept; no half-written row anywhere."""
    import sqlalchemy as sa

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    acks = [e for e in events if e["kind"] == "ack"]
    refused = {e["marker"] for e in events if e["kind"] == "refused"}
    errors = outcome.errors
    marker = re.compile(r"LT-[0-9a-z-]+")
    with engine.connect() as connection:
        def rows(sql: str) -> list[Any]:
            return list(connection.execute(sa.text(sql)))

        audited = {(r.object_type, r.object_id) for r in rows(
            "SELECT object_type, object_id FROM audit_entries WHERE action = 'create' "
            "AND object_type IN ('TaskUpdate', 'Reception', 'Petition', 'Evidence')")}
        stored: dict[str, dict[str, list[Any]]] = {"progress": defaultdict(list), "reception": defaultdict(list),
                                                   "petition": defaultdict(list)}
        for r in rows("SELECT id, note FROM task_updates WHERE note LIKE '%LT-%'"):
            for found in marker.findall(r.note):
                stored["progress"][found].append(r)
        for r in rows("SELECT id, note FROM receptions WHERE note LIKE '%LT-%'"):
            for found in marker.findall(r.note):
                stored["reception"][found].append(r)
        for r in rows("SELECT id, summary FROM petitions WHERE summary LIKE '%LT-%'"):
            for found in marker.findall(r.summary):
                stored["petition"][found].append(r)
        evidence: dict[int, list[Any]] = defaultdict(list)
        for r in rows("SELECT e.id, e.update_id, e.size, e.data FROM evidence_files e "
                      "JOIN task_updates u ON u.id = e.update_id WHERE u.note LIKE '%LT-%'"):
            evidence[r.update_id].append(r)
        object_types = {"progress": "TaskUpdate", "reception": "Reception", "petition": "Petition"}
        seen: set[str] = set()
        for ack in acks:
            what, text = ack["what"], ack["marker"]
            outcome.acknowledged[what] += 1
            seen.add(text)
            found = stored[what].get(text, [])
            if len(found) != 1:
                errors.append(f"data: acknowledged {what} {text} is in the database {len(found)} times")
                continue
            row = found[0]
            if ack.get("id") is not None and ack["id"] != row.id:
                errors.append(f"data: {what} {text} acknowledged as #{ack['id']} but stored as #{row.id}")
            if (object_types[what], row.id) not in audited:
                errors.append(f"data: {what} #{row.id} ({text}) has no audit entry")
            if what == "progress":
                files = evidence.get(row.id, [])
                if len(files) != 1:
                    errors.append(f"data: progress #{row.id} ({text}) has {len(files)} evidence files, sent 1")
                    continue
                data = bytes(files[0].data or b"")
                if len(data) != ack["evidence_size"] or hashlib.sha256(data).hexdigest() != ack["evidence_sha256"]:
                    errors.append(f"data: the evidence of progress #{row.id} ({text}) is not the file sent")
                if ("Evidence", files[0].id) not in audited:
                    errors.append(f"data: evidence #{files[0].id} has no audit entry")
        for what, by_marker in stored.items():
            for text, found in by_marker.items():
                if len(found) > 1:
                    errors.append(f"data: {what} {text} stored {len(found)} times")
                if text in refused:
                    errors.append(f"data: {what} {text} was refused (full disk) but is stored")
                elif text not in seen:
                    outcome.unacknowledged_stored += 1  # written, its answer lost (e.g. in the restart)
                if what == "progress":
                    for row in found:
                        if len(evidence.get(row.id, [])) != 1:
                            errors.append(f"data: progress #{row.id} ({text}) stored without its one evidence file")
        half = rows("SELECT id FROM evidence_files WHERE data IS NULL OR length(data) <> size")
        if half:
            errors.append(f"data: {len(half)} evidence rows without their bytes: {[r.id for r in half][:10]}")
        orphans = rows("SELECT e.id FROM evidence_files e LEFT JOIN task_updates u ON u.id = e.update_id "
                       "WHERE u.id IS NULL")
        if orphans:
            errors.append(f"data: {len(orphans)} evidence rows without their update")
        if engine.dialect.name == "sqlite":
            integrity = connection.execute(sa.text("PRAGMA integrity_check")).scalar()
            if integrity != "ok":
                errors.append(f"data: SQLite integrity_check says {integrity}")
    engine.dispose()


# --- report -----------------------------------------------------------------------------------


def table(outcome: Outcome) -> str:
    lines = ["| page group | requests | failures | p50 ms | p95 ms | p99 ms | req/s |", "|---|---|---|---|---|---|---|"]
    for row in outcome.stats:
        name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | "
                     f"{row['50%']} | {row['95%']} | {row['99%']} | {float(row['Requests/s']):.1f} |")
    return "\n".join(lines)


def summary(outcome: Outcome) -> str:
    total = next((r for r in outcome.stats if r["Name"] == "Aggregated"), None)
    acknowledged = ", ".join(f"{count:,} {what}" for what, count in sorted(outcome.acknowledged.items()))
    parts = [f"**{ 'SQLite' if outcome.database == 'sqlite' else 'PostgreSQL with Redis'}**: "
             f"{outcome.users} users for {outcome.seconds} s"]
    if total:
        parts.append(f"{int(total['Request Count']):,} requests, {int(total['Failure Count']):,} failures, "
                     f"{float(total['Requests/s']):.1f} req/s, p95 {total['95%']} ms")
    if outcome.restart_seconds is not None:
        parts.append(f"PostgreSQL restarted in {outcome.restart_seconds:.1f} s: the users got {outcome.unavailable} "
                     f"answers 503 (the Vietnamese page) over {outcome.outage or 0:.1f} s, a reader asking every "
                     f"0.1 s got 503s for {outcome.probe_window or 0:.1f} s and went at most "
                     f"{outcome.probe_gap or 0:.1f} s without a page, then none")
    parts.append(f"acknowledged writes: {acknowledged or 'none'}; "
                 + ("data check: all there exactly once, whole" if not any(e.startswith("data:") for e in outcome.errors)
                    else "data check: FAILED")
                 + (f" ({outcome.unacknowledged_stored} stored whose answer was lost)" if outcome.unacknowledged_stored
                    else ""))
    return "; ".join(parts) + "."


def wrap(line: str) -> str:
    """A paragraph wrapped as the rest of bench/README.md is (tables and list items kept whole)."""
    import textwrap

    if line.startswith(("|", "- ")) or len(line) <= 110:
        return line
    return textwrap.fill(line, width=110, break_long_words=False, break_on_hyphens=False)


def write_readme(outcomes: list[Outcome], cores: str) -> None:
    lines = [SECTION, "",
             f"Written by `make load` (load/run.py) on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{cores} cores, Python {platform.python_version()}: locust (load/locustfile.py) signs in every role "
             "of `flask demo --before-reform` through the form and reads plans, dashboards, registers, rollups and "
             "the overdue list, records task progress with a PNG as evidence, adds receptions and petitions, and "
             "downloads Word and Excel files, against gunicorn (the project's gunicorn.conf.py, 4 workers of 2 "
             "threads). On PostgreSQL the server is restarted (`pg_ctlcluster … restart`) at about a third of the "
             "run, and Redis, which keeps the sign-in limits, is stopped for a while then started again. On SQLite "
             "the database sits on a tmpfs that is filled after the load, then evidence is uploaded. Afterwards "
             "every write a user saw acknowledged is looked for in the database. A request is counted as failed "
             "for any status other than the one expected; the 503s of the restart are counted apart.", ""]
    for outcome in outcomes:
        lines += [summary(outcome) + f" The machine's load average (1 min) was {outcome.load_average[0]:.1f} "
                  f"before and {outcome.load_average[1]:.1f} after the load.", ""]
        lines += [table(outcome), ""]
        for text in outcome.notes:
            lines.append(f"- {text}")
        if outcome.failures:
            lines.append("- failures: " + "; ".join(f"{f['Occurrences']} × {f['Name']}: {f['Error']}"
                                                   for f in outcome.failures))
        if outcome.errors:
            lines.append("- **errors**: " + "; ".join(outcome.errors[:20]))
        lines.append("")
    section = "\n".join(wrap(line) for line in lines).rstrip() + "\n"
    text = README.read_text(encoding="utf-8")
    if SECTION in text:
        head, rest = text.split(SECTION, 1)
        following = rest.find("\n## ")
        text = head + section + ("\n" + rest[following + 1:] if following >= 0 else "")
    elif BENCH_RUNS_MARK in text:
        head, rest = text.split(BENCH_RUNS_MARK, 1)
        text = head + section + "\n" + BENCH_RUNS_MARK + rest
    else:
        text = text.rstrip() + "\n\n" + section
    README.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="load-"))
    say(f"working folder {work}")
    databases = [args.only] if args.only else ["sqlite", "postgresql"]
    outcomes: list[Outcome] = []
    pg: Postgres | None = None
    redis: Redis | None = None
    try:
        if "postgresql" in databases:
            pg = Postgres()
            pg.up()
            redis = Redis(work)
            redis.start()
        for name in databases:
            try:
                outcomes.append(run_database(name, args.users, args.seconds, work, pg, redis))
            except Exception as error:  # set-up failed (a command, the server): said, and the run fails
                failed_run = Outcome(name, args.users, args.seconds)
                failed_run.errors.append(f"the run could not be made: {error}"[:4000])
                outcomes.append(failed_run)
    finally:
        if redis is not None:
            redis.stop()
        if pg is not None:
            if not pg.ready():  # a failed restart must not leave it down
                pg.ctl("start")
            pg.down()
    failed = False
    for outcome in outcomes:
        print()
        print(summary(outcome))
        print(table(outcome))
        for text in outcome.notes:
            print(f"- {text}")
        for problem in outcome.errors:
            print(f"ERROR ({outcome.database}): {problem}")
        failed = failed or bool(outcome.errors)
    if args.write_readme:
        cores = run(["nproc"], check=False).stdout.strip() or "?"
        write_readme(outcomes, cores)
        say(f"figures written into {README.relative_to(ROOT)}")
    print()
    print("load: FAILED" if failed else "load: passed (0 errors, 0 lost or duplicated writes)")
    if not failed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
