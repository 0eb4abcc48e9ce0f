"""`flask backup create` / `flask backup restore`: back up, write more, restore, and every row of every
table is what the backup held; a damaged or foreign file is refused and the database is left as it was.

Each test builds its own app on its own database (a temp SQLite file, or a scratch PostgreSQL database),
never the suite's shared one: a restore replaces the whole database."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.backup.archive import BackupError
from app.backup.postgres_dump import check_dump_version
from app.backup.services import create_backup, restore_backup
from app.config import normalise_database_url
from app.extensions import db
from app.models import Evidence, PetitionKind, Reception, Unit
from app.petitions.services import create_petition
from app.tenancy import system_scope
from tests.conftest import ROOT, TEST_DATABASE_URL, _baseline, postgres_only

Snapshot = dict[str, list[tuple[Any, ...]]]


def _own_app(url: str, tmp_path: Path) -> Flask:
    """An app on `url` with the suite's baseline data (units, accounts, plans, every register, evidence)."""
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": url,
        "MIGRATION_DATABASE_URL": url,
        "SERVER_NAME": "localhost",
        "MAIL_SERVER": "",
        "MAIL_DIR": str(tmp_path / "mail"),
        "BACKUP_DIR": str(tmp_path / "safety-copies"),  # never the instance folder
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        _baseline()
        db.session.remove()
    return app


def snapshot(url: str) -> Snapshot:
    """Every row of every table (the schema's revision included), as the owner sees them (no row policy)."""
    engine = sa.create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            metadata = sa.MetaData()
            metadata.reflect(connection, only=tables)
            return {name: sorted((tuple(row) for row in connection.execute(sa.select(metadata.tables[name]))), key=repr)
                    for name in tables}
    finally:
        engine.dispose()


def write_more(app: Flask) -> None:
    """What happens after the backup: a new petition (through its service), a renamed unit, a register
    row deleted; each also adds audit entries."""
    with app.app_context(), system_scope(db.session(), actor="tests"):
        ward = db.session.scalar(sa.select(Unit).where(Unit.slug == "phu-son"))
        assert ward is not None
        create_petition(db.session(), ward, received_on=date(2025, 9, 1), kind=PetitionKind.COMPLAINT,
                        source="Trực tiếp", summary="Đơn viết sau bản sao lưu", petitioner_name="Trần Văn B")
        ward.name = "Tên đã đổi sau bản sao lưu"
        db.session.delete(db.session.scalars(sa.select(Reception).where(Reception.unit_id == ward.id)).first())
        db.session.commit()
        db.session.remove()


def _holds_evidence(rows: Snapshot) -> bool:
    return any(b"%PDF-1.4" in row for row in rows[Evidence.__tablename__])


@contextmanager
def no_change(url: str) -> Iterator[None]:
    before = snapshot(url)
    yield
    assert snapshot(url) == before


def back_up_write_restore(app: Flask, url: str, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", "create", "--to", f"{tmp_path / 'backups'}/"])
    assert made.exit_code == 0, made.output
    [backup] = (tmp_path / "backups").glob("dan-van-*.zip")
    assert str(backup) in made.output
    backed_up = snapshot(url)
    assert _holds_evidence(backed_up)  # evidence files are rows: they are in the backup

    write_more(app)
    written = snapshot(url)
    assert written != backed_up
    assert any(row for row in written["petitions"] if "Đơn viết sau bản sao lưu" in row)

    restored = runner.invoke(args=["backup", "restore", "--yes", str(backup)])
    assert restored.exit_code == 0, restored.output
    assert "Đã khôi phục" in restored.output
    assert snapshot(url) == backed_up  # every row of every table, evidence bytes included
    # What was there before the restore is kept too, so a wrong restore can be undone.
    [safety_copy] = (tmp_path / "safety-copies").glob("dan-van-*-before-restore.zip")
    assert str(safety_copy) in restored.output
    with app.app_context():
        restore_backup(safety_copy, safety_copy=False)
    assert snapshot(url) == written


def test_sqlite_backup_then_restore_gives_back_exactly_the_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
    app = _own_app(url, tmp_path)
    back_up_write_restore(app, url, tmp_path)


def test_sqlite_restore_under_an_open_connection(tmp_path: Path) -> None:
    """A connection that stays open across the restore (as a running app's would) sees the restored
    data, and the file passes SQLite's integrity check: no stale -wal is paired with the new file."""
    database = tmp_path / "own.sqlite3"
    url = f"sqlite:///{database}"
    app = _own_app(url, tmp_path)
    with app.app_context():
        backup, _manifest = create_backup(tmp_path / "b.zip")
    write_more(app)
    reader = sqlite3.connect(database)
    try:
        reader.execute("PRAGMA journal_mode = WAL")
        assert reader.execute("SELECT count(*) FROM units WHERE name LIKE 'Tên đã đổi%'").fetchone() == (1,)
        with app.app_context():
            restore_backup(backup, safety_copy=False)
        assert reader.execute("SELECT count(*) FROM units WHERE name LIKE 'Tên đã đổi%'").fetchone() == (0,)
    finally:
        reader.close()
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _rezip(source: Path, target: Path, *, manifest: dict[str, Any] | None = None,
           payload: bytes | None = None) -> Path:
    """A copy of the backup `source` with its manifest or its database replaced."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "manifest.json" and manifest is not None:
                data = json.dumps({**json.loads(data), **manifest}).encode()
            elif item.filename != "manifest.json" and payload is not None:
                data = payload
            copy.writestr(item, data)
    return target


def test_damaged_or_foreign_files_are_refused_and_change_nothing(tmp_path: Path) -> None:
    database = tmp_path / "own.sqlite3"
    url = f"sqlite:///{database}"
    app = _own_app(url, tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        backup, _manifest = create_backup(tmp_path / "good.zip")
    payload = zipfile.ZipFile(backup).read("database.sqlite3")
    flipped = bytearray(payload)
    flipped[len(flipped) // 2] ^= 0xFF
    other_app = tmp_path / "other.sqlite3"
    with sqlite3.connect(other_app) as other:
        other.execute("CREATE TABLE notes (body TEXT)")
    plain_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain_zip, "w") as photos:
        photos.writestr("photo.jpg", b"\xff\xd8\xff")
    cut_short = tmp_path / "cut.zip"
    cut_short.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])

    refusals = {
        # a copy damaged after it was made: its SHA-256 no longer matches
        _rezip(backup, tmp_path / "flipped.zip", payload=bytes(flipped)): "bị hỏng",
        cut_short: "bị hỏng",
        # not a backup of this app at all
        other_app: "không phải là bản sao lưu",
        plain_zip: "không phải là bản sao lưu",
        # a backup of another schema revision, or of the other kind of database
        _rezip(backup, tmp_path / "old.zip", manifest={"alembic_revision": "0005"}): "phiên bản khác",
        _rezip(backup, tmp_path / "pg.zip", manifest={"database": "postgresql"}): "PostgreSQL",
        tmp_path / "missing.zip": "Không tìm thấy",
    }
    write_more(app)  # so that a restore, had it happened, would show
    with no_change(url):
        for path, reason in refusals.items():
            result = runner.invoke(args=["backup", "restore", "--yes", str(path)])
            assert result.exit_code != 0, path
            assert reason in result.output, (path, result.output)
            assert "Dữ liệu hiện có không bị thay đổi" in result.output
    # A SQLite file whose manifest is right but whose contents are not the app's: refused as well.
    data = other_app.read_bytes()
    forged = _rezip(backup, tmp_path / "forged.zip", payload=data,
                    manifest={"sha256": hashlib.sha256(data).hexdigest(), "payload_bytes": len(data)})
    with no_change(url), app.app_context(), pytest.raises(BackupError, match="không khớp"):
        restore_backup(forged)
    assert not any((tmp_path / "safety-copies").glob("*"))  # refused before the current data was even copied


def test_a_pg_dump_older_than_the_server_is_refused_in_plain_words() -> None:
    with pytest.raises(BackupError, match="pg_dump trên máy này là phiên bản 15.20, cũ hơn máy chủ PostgreSQL 16.4.*"
                                         "postgresql-client-16"):
        check_dump_version("15.20", "16.4")
    check_dump_version("16.1", "15.20")  # a newer pg_dump reads older servers
    check_dump_version("15.20", "15.8")


# --- PostgreSQL: its own scratch database, never the suite's ------------------------------------------

SCRATCH = "test_backup"


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    server = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL or ""))
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {SCRATCH}")
    try:
        yield server.set(database=SCRATCH).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        admin.dispose()


@postgres_only
def test_postgres_backup_then_restore_gives_back_exactly_the_backup(scratch_postgres: str, tmp_path: Path) -> None:
    app = _own_app(scratch_postgres, tmp_path)
    try:
        back_up_write_restore(app, scratch_postgres, tmp_path)
        # Row policies and the audit log's append-only trigger came back with the tables.
        engine = sa.create_engine(scratch_postgres)
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT count(*) FROM pg_policies WHERE tablename = 'plans'")) == 4
            assert connection.scalar(sa.text(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_entries_append_only'")) == 1
        engine.dispose()
        # A damaged copy is refused before anything is dropped.
        [backup] = (tmp_path / "backups").glob("dan-van-*.zip")
        payload = bytearray(zipfile.ZipFile(backup).read("database.pgdump"))
        payload[len(payload) // 2] ^= 0xFF
        damaged = _rezip(backup, tmp_path / "damaged.zip", payload=bytes(payload))
        with no_change(scratch_postgres), app.app_context(), pytest.raises(BackupError, match="bị hỏng"):
            restore_backup(damaged)
    finally:
        with app.app_context():
            db.engine.dispose()
