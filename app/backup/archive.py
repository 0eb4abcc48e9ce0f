"""The backup file: a zip holding `manifest.json` and the database itself (a SQLite file or a
pg_dump archive), whose SHA-256 the manifest records so a damaged copy is refused."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "dan-van-backup"
FORMAT_VERSION = 1
APP_NAME = "dan-van-chinh-quyen"
MANIFEST = "manifest.json"
PAYLOADS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why in plain words for the operator."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: which app and schema revision made it, from which database, and when."""

    app_version: str
    alembic_revision: str
    database: str  # "sqlite" or "postgresql"
    created_at: str  # ISO 8601, UTC
    sha256: str  # of the payload
    payload_bytes: int
    tools: dict[str, str] = field(default_factory=dict)  # pg_dump and server versions on PostgreSQL
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    app: str = APP_NAME

    @property
    def payload(self) -> str:
        return PAYLOADS[self.database]


NOT_A_BACKUP = ("Tệp {name} không phải là bản sao lưu của ứng dụng Dân vận chính quyền "
                "(hãy kiểm tra lại tên tệp).")
DAMAGED = ("Tệp sao lưu {name} bị hỏng hoặc không đầy đủ (có thể do sao chép bị lỗi): "
           "không khôi phục từ tệp này. Hãy dùng một bản sao lưu khác.")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(destination: Path, manifest: Manifest, payload: Path) -> None:
    """Write the zip at `destination` (beside it as `.part` first, so a half-written file is never
    taken for a backup)."""
    partial = destination.with_name(destination.name + ".part")
    compression = zipfile.ZIP_DEFLATED if manifest.database == "sqlite" else zipfile.ZIP_STORED  # pg_dump compresses
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            archive.writestr(MANIFEST, json.dumps(asdict(manifest), indent=2, ensure_ascii=False))
            archive.write(payload, manifest.payload, compress_type=compression)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


def _manifest_from(data: dict[str, Any], name: str) -> Manifest:
    if data.get("format") != FORMAT or data.get("app") != APP_NAME:
        raise BackupError(NOT_A_BACKUP.format(name=name))
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Tệp {name} được tạo bởi một phiên bản khác của ứng dụng (định dạng sao lưu "
                          f"{data.get('format_version')}, ứng dụng này đọc định dạng {FORMAT_VERSION}).")
    try:
        manifest = Manifest(**data)
    except TypeError as error:
        raise BackupError(DAMAGED.format(name=name)) from error
    if manifest.database not in PAYLOADS:
        raise BackupError(DAMAGED.format(name=name))
    return manifest


def _starts_as_zip(path: Path) -> bool:
    with path.open("rb") as source:
        return source.read(4) == b"PK\x03\x04"


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at `path`, or BackupError saying why it is not a usable backup."""
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read(MANIFEST))
    except KeyError as error:  # a zip, but not ours
        raise BackupError(NOT_A_BACKUP.format(name=path.name)) from error
    except zipfile.BadZipFile as error:  # a zip cut short (copy interrupted) is damaged; anything else is not ours
        raise BackupError((DAMAGED if _starts_as_zip(path) else NOT_A_BACKUP).format(name=path.name)) from error
    except (ValueError, EOFError, zlib.error) as error:  # a damaged manifest (bad JSON, truncated)
        raise BackupError(DAMAGED.format(name=path.name)) from error
    if not isinstance(data, dict):
        raise BackupError(NOT_A_BACKUP.format(name=path.name))
    return _manifest_from(data, path.name)


def extract_payload(path: Path, manifest: Manifest, target: Path) -> None:
    """Copy the database out of the backup into `target`, checking its size and SHA-256."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(path) as archive, archive.open(manifest.payload) as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (KeyError, zipfile.BadZipFile, EOFError, zlib.error) as error:  # missing, truncated, damaged
        raise BackupError(DAMAGED.format(name=path.name)) from error
    if digest.hexdigest() != manifest.sha256 or target.stat().st_size != manifest.payload_bytes:
        raise BackupError(DAMAGED.format(name=path.name))

