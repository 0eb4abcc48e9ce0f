"""What the browser tests share: Debian's Chromium through Playwright, and the app on a fresh
SQLite file with the demo loaded, served on a free local port (mail saved under a temp folder)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.cli import demo_command
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "Trinh-duyet-2025"  # of every demo account

if not Path(CHROMIUM).exists():
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("Debian's chromium is not installed: run `make browser-deps`")
    collect_ignore_glob = ["test_*.py"]  # said once, in the summary of skipped modules below


def pytest_report_header() -> list[str]:
    return [] if Path(CHROMIUM).exists() else ["browser tests skipped: Debian's chromium is not installed (make browser-deps)"]


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the live server saves the mail it sends (no MAIL_SERVER)."""
    return tmp_path_factory.mktemp("mail")


@contextmanager
def _served(folder: Path, mail_dir: Path, demo_args: list[str]) -> Iterator[str]:
    """The app on a fresh SQLite file in `folder` with `flask demo <demo_args>`, on a free local port."""
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
        "DEMO_PASSWORD": PASSWORD,
        "MAIL_SERVER": "",
        "MAIL_DIR": str(mail_dir),
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": "1000 per minute",
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    result = app.test_cli_runner().invoke(demo_command, demo_args)
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, mail_dir: Path) -> Iterator[str]:
    """The demo before the 1 July 2025 reorganisation: the flows write in Phú Sơn, which the reform ends."""
    with _served(tmp_path_factory.mktemp("browser"), mail_dir, ["--before-reform"]) as url:
        yield url


@pytest.fixture(scope="module")
def reformed_server(tmp_path_factory: pytest.TempPathFactory, mail_dir: Path) -> Iterator[str]:
    """The demo as `make run` has it: after the reorganisation of 1 July 2025."""
    with _served(tmp_path_factory.mktemp("reformed"), mail_dir, []) as url:
        yield url


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in with the demo password and wait for the unit page it leads to."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/u/**")


def reopen_plan(browser, base: str, ward: str = "phu-son", year: int = 2025) -> None:  # type: ignore[no-untyped-def]
    """The chairman reopens the ward's plan, which the demo issued in January, so that it can be amended."""
    from playwright.sync_api import expect

    page = browser.new_page()
    sign_in(page, base, f"chairman@{ward}")
    page.goto(f"{base}/u/{ward}/plans/{year}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mở lại kế hoạch").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã mở lại kế hoạch")
    page.close()


def wider_than_a_phone(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The elements that run past a 390 px screen (empty when the page fits)."""
    if page.evaluate("document.documentElement.scrollWidth") <= 390:
        return []
    return page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
