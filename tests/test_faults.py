"""Faults a user may meet, on real parts: a PostgreSQL server that cannot be reached (a closed port,
a server that drops every connection), a Redis that cannot be reached (a closed port) under the
sign-in limits, and a full disk (a SQLite database on a tiny tmpfs) under an evidence upload.
`make load` (load/run.py) checks the same under load, with PostgreSQL restarted and Redis stopped."""

from __future__ import annotations

import errno
import io
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event

from app import create_app
from app.accounts.sessions import SESSION_KEY
from app.cli import demo_command
from app.extensions import db, limiter

ROOT = Path(__file__).resolve().parents[1]
UNAVAILABLE_TEXT = "không kết nối được cơ sở dữ liệu"
FULL_TEXT = "Bộ nhớ lưu trữ của hệ thống đã đầy"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def png(size: int) -> bytes:
    """A real PNG of about `size` bytes (noise does not compress)."""
    side = max(8, int((size / 3) ** 0.5))
    raw = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")


def make_app(url: str, **overrides: object) -> Flask:
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                  "MAIL_SERVER": "", **overrides})


@pytest.fixture
def limiter_restored() -> Iterator[None]:
    """The limiter is one object for every app of the run: afterwards, back to memory storage."""
    yield
    limiter._storage_dead = False
    make_app("sqlite://", RATELIMIT_STORAGE_URI="memory://")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the demo's wards, accounts and plans (copied by each test that changes it)."""
    path = tmp_path_factory.mktemp("faults") / "demo.sqlite3"
    application = make_app(f"sqlite:///{path}", MAIL_DIR=str(path.parent / "mail"))
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        result = application.test_cli_runner().invoke(demo_command, ["--before-reform"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    with sqlite3.connect(path) as connection:  # everything in the main file, so a copy of it is whole
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def sign_in(client: object, username: str, password: str = "DanVan@2025") -> int:
    response = client.post("/login", data={"username": username, "password": password})  # type: ignore[attr-defined]
    return int(response.status_code)


# --- PostgreSQL out of reach ------------------------------------------------------------------


def test_unreachable_database_answers_503_with_a_vietnamese_page() -> None:
    application = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere")
    client = application.test_client()

    page = client.get("/u/phu-son/")
    text = page.get_data(as_text=True)
    assert page.status_code == 503
    assert UNAVAILABLE_TEXT in text and "Thử lại" in text
    assert page.headers["Retry-After"] == "5"
    assert "Traceback" not in text and "psycopg" not in text and "OperationalError" not in text

    signing_in = client.post("/login", data={"username": "office@phu-son", "password": "DanVan@2025"})
    assert signing_in.status_code == 503
    assert UNAVAILABLE_TEXT in signing_in.get_data(as_text=True)

    # Signed in (a session cookie): the page must not try to load the user to show the menu.
    with client.session_transaction() as browser:
        browser["_user_id"] = "1"
        browser[SESSION_KEY] = "a-session-secret"
    signed_in = client.get("/u/phu-son/plans/2025")
    assert signed_in.status_code == 503
    assert UNAVAILABLE_TEXT in signed_in.get_data(as_text=True)

    fragment = client.get("/u/phu-son/receptions", headers={"HX-Request": "true"})
    assert fragment.status_code == 503
    assert fragment.headers["HX-Retarget"] == "#messages"
    assert UNAVAILABLE_TEXT in fragment.get_data(as_text=True)


class DroppingServer:
    """A TCP server that accepts every connection and closes it at once (a database going away)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


def test_a_read_that_met_a_dropped_connection_is_tried_once_more_and_a_write_never() -> None:
    server = DroppingServer()
    try:
        application = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/dropped")
        client = application.test_client()

        page = client.get("/u/phu-son/receptions")
        assert page.status_code == 503
        assert server.accepted == 2  # the first try and one more, then the clean 503

        server.accepted = 0
        write = client.post("/login", data={"username": "office@phu-son", "password": "x"})
        assert write.status_code == 503
        assert server.accepted == 1  # a write is never repeated by the server
    finally:
        server.close()


# --- Redis out of reach -----------------------------------------------------------------------


def test_sign_in_works_when_the_limits_storage_is_unreachable(
    demo_file: Path, tmp_path: Path, limiter_restored: None, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "redis-down.sqlite3"
    shutil.copy(demo_file, path)
    application = make_app(f"sqlite:///{path}", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/5",
                           LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per minute")
    client = application.test_client()

    assert sign_in(client, "office@phu-son", "wrong password") == 400
    assert sign_in(client, "office@phu-son") == 302
    assert client.get("/u/phu-son/").status_code == 200
    assert any(record.name == "flask-limiter" and "falling back to in-memory storage" in record.getMessage()
               for record in caplog.records)  # the operator is told

    # The limits still count, in memory: a guesser is stopped all the same.
    other = application.test_client()
    statuses = [sign_in(other, "culture@phu-son", "wrong password") for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    with application.app_context():
        db.engine.dispose()


# --- a full disk ------------------------------------------------------------------------------


def _mount_tmpfs(folder: Path, size: int) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


def _fill(folder: Path) -> None:
    """Take every free byte of the filesystem."""
    try:
        with open(folder / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
    except OSError as error:
        assert error.errno == errno.ENOSPC


@pytest.fixture
def full_disk_app(demo_file: Path, tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    """The demo database on a tmpfs a little larger than itself (a page-count limit where this
    machine refuses `mount`): the sign-in fits, the evidence will not."""
    folder = tmp_path / "tiny"
    mounted = _mount_tmpfs(folder, demo_file.stat().st_size + 512 * 1024)
    path = folder / "full.sqlite3"
    shutil.copy(demo_file, path)
    application = make_app(f"sqlite:///{path}")
    if not mounted:
        pages = demo_file.stat().st_size // 4096 + 64

        with application.app_context():
            @event.listens_for(db.engine, "connect")
            def _limit(dbapi_connection: object, record: object) -> None:
                dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]
    try:
        yield application, folder if mounted else Path()
    finally:
        with application.app_context():
            db.engine.dispose()
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_refuses_the_evidence_clearly_and_keeps_nothing(full_disk_app: tuple[Flask, Path]) -> None:
    application, folder = full_disk_app
    client = application.test_client()
    assert sign_in(client, "office@phu-son") == 302
    with application.app_context():
        task_id, year = db.session.execute(sa.text(
            "SELECT t.id, p.year FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id "
            "WHERE u.slug = 'phu-son' AND t.schedule IN ('ongoing', 'once') ORDER BY t.id LIMIT 1")).one()
        before = db.session.execute(sa.text("SELECT (SELECT count(*) FROM task_updates), "
                                            "(SELECT count(*) FROM evidence_files)")).one()
        db.session.remove()
    if folder != Path():
        _fill(folder)

    note = "Đã tổ chức hội nghị, ảnh kèm theo (kiểm tra đĩa đầy)"
    answer = client.post(
        f"/u/phu-son/plans/{year}/tasks/{task_id}/progress",
        data={"percent": "40", "status": "in_progress", "note": note,
              "evidence": [(io.BytesIO(png(1_500_000)), "anh-hoi-nghi.png")]},
        content_type="multipart/form-data",
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 507
    assert FULL_TEXT in text and "chưa được lưu" in text
    assert note in text  # the form comes back with what was typed, to send again later
    assert "Traceback" not in text

    if folder != Path():
        (folder / "filler").unlink(missing_ok=True)
    with application.app_context():
        after = db.session.execute(sa.text("SELECT (SELECT count(*) FROM task_updates), "
                                           "(SELECT count(*) FROM evidence_files)")).one()
        assert tuple(after) == tuple(before)  # neither the update nor a file of it
        assert db.session.execute(sa.text("SELECT count(*) FROM task_updates WHERE note = :note"),
                                  {"note": note}).scalar() == 0
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        db.session.remove()

    # With room again, the same update goes through whole.
    again = client.post(
        f"/u/phu-son/plans/{year}/tasks/{task_id}/progress",
        data={"percent": "40", "status": "in_progress", "note": note,
              "evidence": [(io.BytesIO(png(20_000)), "anh-hoi-nghi.png")]},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302


# --- a connection dropped after the answer is made (PostgreSQL only) --------------------------


@pytest.mark.postgres
def test_a_connection_dropped_before_the_request_ends_does_not_spoil_its_answer(app: Flask) -> None:
    """PostgreSQL restarting ends every connection: one ended after the view answered, while the request
    closes its session (the ROLLBACK fails), still gives the answer, not a 500."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    dropped = make_app(url)
    killer = sa.create_engine(url)

    @dropped.after_request
    def end_this_connection(response):  # type: ignore[no-untyped-def]
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with killer.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return response

    try:
        answer = dropped.test_client().get("/u/phu-son/")  # reads the unit, then sends to sign in
        assert answer.status_code == 302
    finally:
        killer.dispose()
        with dropped.app_context():
            db.engine.dispose()
