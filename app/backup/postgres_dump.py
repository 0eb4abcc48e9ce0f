"""PostgreSQL: `pg_dump --format=custom` and `pg_restore`, run as the role that owns the tables
(the app's own role owns nothing and may not read every row, nor drop and recreate tables)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from app.backup.archive import BackupError

# Row policies read these settings; '*' lets an owner bound by FORCE ROW LEVEL SECURITY see every
# unit's rows when pg_dump has to dump with row security on (an owner that is not a superuser).
ALL_ROWS = "-c dan_van.unit_ids=* -c dan_van.template_unit_ids=*"


class Connection:
    """How the tools reach the database: a libpq URL without the password, and the password apart
    (so it never shows in the process list)."""

    def __init__(self, sqlalchemy_url: str) -> None:
        url = make_url(sqlalchemy_url).set(drivername="postgresql")  # libpq knows no "+psycopg"
        self.password = url.password
        self.database = url.database or ""
        self.libpq_url = url.set(password=None).render_as_string(hide_password=False)

    def env(self, options: str = "") -> dict[str, str]:
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = str(self.password)
        if options:
            env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {options}".strip()
        return env

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.libpq_url, password=self.password, autocommit=True)
        except psycopg.OperationalError as error:
            raise BackupError(f"Không kết nối được tới cơ sở dữ liệu PostgreSQL {self.database!r}: {error}") from error


def _major(version: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    if not found:
        raise BackupError(f"Không đọc được phiên bản của công cụ PostgreSQL ({version!r}).")
    return int(found.group(1))


def tool_version(tool: str) -> str:
    """`pg_dump --version` → "15.20"; BackupError when the tool is not installed."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"Chưa cài {tool} trên máy này: cài gói postgresql-client cùng phiên bản với máy chủ "
                          f"PostgreSQL (ví dụ: sudo apt-get install postgresql-client).")
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\d+(?:\.\d+)*", output)
    return found.group(0) if found else output.strip()


def server_facts(connection: Connection) -> tuple[str, bool, str | None]:
    """(server version, whether the role skips row security, alembic revision or None)."""
    with connection.connect() as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        row = conn.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
        bypasses = bool(row and row[0])
        revision = None
        if conn.execute("SELECT to_regclass('public.alembic_version')").fetchone() != (None,):
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(found[0]) if found else None
    return version.split()[0], bypasses, revision


def check_dump_version(dump_version: str, server_version: str) -> None:
    if _major(dump_version) < _major(server_version):
        raise BackupError(
            f"pg_dump trên máy này là phiên bản {dump_version}, cũ hơn máy chủ PostgreSQL {server_version}: "
            f"nó không sao lưu được. Cài postgresql-client-{_major(server_version)} (cùng phiên bản với máy chủ).")


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} không thành công. Thông báo của PostgreSQL:\n{result.stderr.strip()}")


def dump(connection: Connection, target: Path) -> dict[str, str]:
    """Dump the whole database (tables, rows, row policies, grants) into `target`; the versions used."""
    dump_version = tool_version("pg_dump")
    server_version, bypasses, _revision = server_facts(connection)
    check_dump_version(dump_version, server_version)
    command = [shutil.which("pg_dump") or "pg_dump", "--format=custom", "--no-password",
               f"--file={target}", f"--dbname={connection.libpq_url}"]
    if not bypasses:
        command.insert(2, "--enable-row-security")
    _run(command, connection.env(ALL_ROWS), "Sao lưu (pg_dump)")
    return {"pg_dump": dump_version, "server": server_version}


def check_archive(path: Path, dumped_with: str) -> None:
    """Refuse a dump this pg_restore cannot read, or one that holds no table of this app."""
    restore_version = tool_version("pg_restore")
    if dumped_with and _major(restore_version) < _major(dumped_with):
        raise BackupError(
            f"Bản sao lưu được tạo bằng pg_dump {dumped_with}, pg_restore trên máy này ({restore_version}) cũ hơn: "
            f"cài postgresql-client-{_major(dumped_with)} rồi khôi phục lại.")
    result = subprocess.run([shutil.which("pg_restore") or "pg_restore", "--list", str(path)],
                            capture_output=True, text=True)
    if result.returncode != 0 or "TABLE public alembic_version" not in result.stdout:
        raise BackupError("Bản sao lưu không chứa cơ sở dữ liệu của ứng dụng (pg_restore không đọc được).")


def restore(connection: Connection, path: Path) -> None:
    """Replace every object the dump holds (dropped and recreated, rows and all) in one transaction:
    on any error nothing changes."""
    command = [shutil.which("pg_restore") or "pg_restore", "--clean", "--if-exists", "--no-owner",
               "--single-transaction", "--exit-on-error", "--no-password",
               f"--dbname={connection.libpq_url}", str(path)]
    _run(command, connection.env(), "Khôi phục (pg_restore)")
