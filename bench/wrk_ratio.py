"""Requests per second of a ward's pages under gunicorn, as a ratio to a bare Flask app served the
same way in the same run (bench/hello.py), with wrk.

Run: .venv/bin/python bench/wrk_ratio.py [seconds] [connections]
Builds the demo on SQLite in a temporary folder, serves it and the bare app with gunicorn (2 sync
workers each, bench/gunicorn_bench.py), signs in as Phú Sơn's chairman, and runs
`wrk -t2 -c<connections> -d<seconds>s` on each page, one after the other. Prints a Markdown table.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = (
    ("plan (issued)", "/u/quang-trung/plans/2025", "chairman@quang-trung"),
    ("plan (draft: reopened)", "/u/phu-son/plans/2025", "chairman@phu-son"),
    ("ward home (dashboard)", "/u/phu-son/", "chairman@phu-son"),
    ("petitions register", "/u/phu-son/petitions", "chairman@phu-son"),
    ("rollup (8 wards)", "/u/bim-son/rollup/2025", "admin@bim-son"),
)
PASSWORD = "bench-password-2025"


BENCH_CONFIG = ROOT / "bench" / "gunicorn_bench.py"  # 2 sync workers, no access log
PROJECT_CONFIG = ROOT / "gunicorn.conf.py"  # as deployed: gthread, 2 threads a worker, access log (2 workers here)


def _serve(app: str, port: int, env: dict[str, str], config: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(config), "--bind", f"127.0.0.1:{port}", app],
        cwd=ROOT, env={**env, "GUNICORN_WORKERS": "2"}, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app} did not start on port {port}")


def _cookie(port: int, username: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    opener.open(f"http://127.0.0.1:{port}/login", urllib.parse.urlencode(data).encode())
    if not any(c.name for c in jar):
        raise RuntimeError(f"could not sign in as {username}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _reopen(port: int, ward: str) -> None:
    """The chairman reopens the ward's plan (the demo issues it), so that its draft, editor and all, is measured."""
    cookie = _cookie(port, f"chairman@{ward}")
    path = f"http://127.0.0.1:{port}/u/{ward}/plans/2025"
    page = urllib.request.urlopen(urllib.request.Request(path, headers={"Cookie": cookie})).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = urllib.parse.urlencode({"csrf_token": token.group(1) if token else ""}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{path}/reopen", data=data, headers={"Cookie": cookie}))


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> tuple[float, int, int]:
    """(requests per second, requests, non-2xx or socket errors) of one wrk run."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", url]  # slow is not an error
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return rate, total, (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)


HELLO, APP = 8301, 8302


@contextmanager
def served(config: Path = BENCH_CONFIG) -> Iterator[None]:
    """The demo on SQLite in a temporary folder and the bare app, each under gunicorn, while inside."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
           "DEMO_PASSWORD": PASSWORD, "FLASK_APP": "wsgi.py", "MAIL_DIR": str(folder / "mail")}
    for command in (["db", "upgrade"], ["demo", "--before-reform"]):  # Phú Sơn writable, as measured before
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    servers = [_serve("bench.hello:app", HELLO, env, config), _serve("wsgi:app", APP, env, config)]
    try:
        _reopen(APP, "phu-son")
        yield
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def run(seconds: int, connections: int) -> list[tuple[str, str, float, float, int]]:
    """(page, path, req/s, ratio to the bare app, errors) of each page, inside served()."""
    hello, _, _ = wrk(f"http://127.0.0.1:{HELLO}/", seconds, connections)
    rows = [("hello (bare Flask)", "/", hello, 1.0, 0)]
    for name, path, username in PAGES:
        rate, _, errors = wrk(f"http://127.0.0.1:{APP}{path}", seconds, connections, _cookie(APP, username))
        rows.append((name, path, rate, rate / hello, errors))
    return rows


def petitions_under(connections: int, seconds: int) -> tuple[float, int, int]:
    """(req/s, requests, errors) of `connections` clients on the petitions register, inside served()."""
    return wrk(f"http://127.0.0.1:{APP}/u/phu-son/petitions", seconds, connections, _cookie(APP, "chairman@phu-son"))


if __name__ == "__main__":
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    print("| page | path | req/s | ratio to hello | errors |\n|---|---|---|---|---|")
    with served():
        for name, path, rate, ratio, errors in run(seconds, connections):
            print(f"| {name} | `{path}` | {rate:,.0f} | {ratio:.3f} | {errors} |")
