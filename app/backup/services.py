"""Back up the whole database into one file, and restore it; both refuse what they cannot do
safely and say so in plain words (BackupError)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.engine import make_url

from app.backup import postgres_dump, sqlite_copy
from app.backup.archive import (
    APP_NAME,
    BackupError,
    Manifest,
    extract_payload,
    file_sha256,
    read_manifest,
    write_archive,
)
from app.extensions import db
from app.local_time import WARD_ZONE


@dataclass(frozen=True)
class Target:
    """The database a backup is taken from or restored into."""

    kind: str  # "sqlite" or "postgresql"
    sqlite_path: Path | None = None
    postgres: postgres_dump.Connection | None = None

    def describe(self) -> str:
        return str(self.sqlite_path) if self.sqlite_path else f"PostgreSQL {self.postgres.database!r}"  # type: ignore[union-attr]


def current_target() -> Target:
    """The app's database; on PostgreSQL through the owner's URL (MIGRATION_DATABASE_URL), since
    the app's own role owns nothing."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        database = db.engine.url.database  # Flask-SQLAlchemy has made a relative path absolute
        if not database or database == ":memory:":
            raise BackupError("Cơ sở dữ liệu đang nằm trong bộ nhớ (không phải một tệp): không có gì để sao lưu.")
        return Target("sqlite", sqlite_path=Path(database))
    if url.get_backend_name() == "postgresql":
        owner_url = current_app.config.get("MIGRATION_DATABASE_URL") or current_app.config["SQLALCHEMY_DATABASE_URI"]
        return Target("postgresql", postgres=postgres_dump.Connection(owner_url))
    raise BackupError(f"Không hỗ trợ sao lưu loại cơ sở dữ liệu {url.get_backend_name()!r}.")


def backup_dir() -> Path:
    """Where backups go unless told otherwise: BACKUP_DIR, else instance/backups."""
    return Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def head_revision() -> str:
    """The schema revision this version of the app expects (the migrations' head)."""
    directory = current_app.extensions["migrate"].directory
    heads = ScriptDirectory(directory).get_heads()
    return heads[0] if len(heads) == 1 else ",".join(sorted(heads))


def app_version() -> str:
    try:
        return version(APP_NAME)
    except PackageNotFoundError:
        return "unknown"


def _name(folder: Path, now: datetime, suffix: str) -> Path:
    """dan-van-2025-01-31-013005.zip (the wards' local time), never an existing file's name."""
    stem = f"dan-van-{now.astimezone(WARD_ZONE):%Y-%m-%d-%H%M%S}{suffix}"
    path, n = folder / f"{stem}.zip", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.zip"
    return path


def _destination(to: str | None, now: datetime, suffix: str = "") -> Path:
    """`to` is a folder (existing, or written with a trailing slash) to put a dated file in, or the file."""
    if to is None or Path(to).is_dir() or to.endswith(("/", "\\")):
        folder = Path(to) if to else backup_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return _name(folder, now, suffix)
    if Path(to).exists():
        raise BackupError(f"Đã có tệp {to}: chọn tên khác, hoặc chỉ ra một thư mục để tự đặt tên theo ngày giờ.")
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    return Path(to)


def _revision(target: Target) -> str | None:
    if target.sqlite_path is not None:
        return sqlite_copy.revision_of(target.sqlite_path) if target.sqlite_path.exists() else None
    assert target.postgres is not None
    return postgres_dump.server_facts(target.postgres)[2]


def create_backup(to: str | Path | None = None, *, suffix: str = "") -> tuple[Path, Manifest]:
    """Back up the app's whole database (evidence files included: they are rows) into one new file."""
    target, now = current_target(), datetime.now(UTC)
    revision = _revision(target)
    if revision is None:
        raise BackupError(f"Cơ sở dữ liệu {target.describe()} chưa có dữ liệu của ứng dụng "
                          "(chưa chạy `flask db upgrade`): không có gì để sao lưu.")
    destination = _destination(None if to is None else str(to), now, suffix)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".backup-") as work:
        payload = Path(work) / "payload"
        tools: dict[str, str] = {}
        if target.sqlite_path is not None:
            sqlite_copy.copy_database(target.sqlite_path, payload)
        else:
            assert target.postgres is not None
            tools = postgres_dump.dump(target.postgres, payload)
        manifest = Manifest(app_version=app_version(), alembic_revision=revision, database=target.kind,
                            created_at=now.isoformat(timespec="seconds"), sha256=file_sha256(payload),
                            payload_bytes=payload.stat().st_size, tools=tools)
        write_archive(destination, manifest, payload)
    return destination, manifest


def check_backup(path: Path) -> Manifest:
    """The backup's manifest when it can be restored into this app's database, else BackupError."""
    manifest = read_manifest(path)
    target = current_target()
    if manifest.database != target.kind:
        kinds = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"Bản sao lưu {path.name} là của cơ sở dữ liệu {kinds[manifest.database]}, còn ứng dụng "
                          f"đang dùng {kinds[target.kind]}: không khôi phục được vào đây.")
    expected = head_revision()
    if manifest.alembic_revision != expected:
        raise BackupError(
            f"Bản sao lưu {path.name} được tạo bởi một phiên bản khác của ứng dụng (phiên bản {manifest.app_version}, "
            f"cấu trúc dữ liệu {manifest.alembic_revision}; phiên bản đang cài cần {expected}). "
            "Hãy khôi phục bằng đúng phiên bản ứng dụng đã tạo ra bản sao lưu, rồi nâng cấp (`flask db upgrade`).")
    return manifest


def restore_backup(path: Path, *, safety_copy: bool = True) -> tuple[Manifest, Path | None]:
    """Replace the whole database with the backup at `path`, after checking it end to end (and, first,
    backing up what is there now, unless told not to). On refusal the database is untouched."""
    manifest = check_backup(path)
    target = current_target()
    # SQLite: the checked copy sits beside the database (same disk, same space); PostgreSQL: a temp folder.
    folder = target.sqlite_path.parent if target.sqlite_path is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".restore-") as work:
        payload = Path(work) / manifest.payload
        extract_payload(path, manifest, payload)
        if target.sqlite_path is not None:
            sqlite_copy.check_copy(payload)
            if sqlite_copy.revision_of(payload) != manifest.alembic_revision:
                raise BackupError(f"Cơ sở dữ liệu trong {path.name} không khớp với mô tả của nó: không khôi phục.")
        else:
            postgres_dump.check_archive(payload, manifest.tools.get("pg_dump", ""))
        before = create_backup(suffix="-before-restore")[0] if safety_copy and _revision(target) else None
        db.session.remove()
        db.engine.dispose()  # this process holds no connection (nor lock) while the database is replaced
        if target.sqlite_path is not None:
            if target.sqlite_path.exists():
                sqlite_copy.replace_database(target.sqlite_path, payload)
            else:
                payload.replace(target.sqlite_path)  # nothing there yet: an atomic rename is enough
        else:
            assert target.postgres is not None
            postgres_dump.restore(target.postgres, payload)
    return manifest, before
