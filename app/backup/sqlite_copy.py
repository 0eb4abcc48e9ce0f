"""SQLite: a consistent copy through the online backup API, and a restore through the same API
into the live file, so it is one transaction that WAL readers and writers queue behind."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from app.backup.archive import BackupError

BUSY_MS = 15_000  # waits this long for a writer to finish, as the app's own connections do


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro" if read_only else path.resolve().as_uri()
    connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    return connection


def copy_database(live: Path, target: Path) -> None:
    """Copy the database `live` into the new file `target` (a snapshot, while the app may write)
    as one self-contained file (no -wal beside it)."""
    with closing(_connect(live, read_only=True)) as source, closing(_connect(target)) as copy:
        source.backup(copy)  # all pages in one step: one read transaction, one snapshot
        copy.execute("PRAGMA journal_mode = DELETE")


def revision_of(path: Path) -> str | None:
    """The alembic revision a SQLite file is at; None when it is not an app database (or not SQLite)."""
    try:
        with closing(_connect(path, read_only=True)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:  # not a database, or no alembic_version table
        return None
    return str(row[0]) if row else None


def check_copy(path: Path) -> None:
    """Refuse a SQLite file that fails SQLite's own integrity check."""
    try:
        with closing(_connect(path, read_only=True)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"Cơ sở dữ liệu trong bản sao lưu bị hỏng ({error}).") from error
    if not result or result[0] != "ok":
        raise BackupError(f"Cơ sở dữ liệu trong bản sao lưu bị hỏng (kiểm tra của SQLite: {result}).")


def replace_database(live: Path, copy: Path) -> None:
    """Make `live` hold exactly what `copy` holds. The backup API writes it in one transaction on
    `live`: other connections wait for it and never see half; its -wal stays consistent (renaming
    a file over a WAL database would pair the old -wal with the new file)."""
    with closing(_connect(copy, read_only=True)) as source, closing(_connect(live)) as destination:
        destination.execute("PRAGMA journal_mode = WAL")
        source.backup(destination)
        destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
