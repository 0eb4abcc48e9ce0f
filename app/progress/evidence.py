"""What an evidence file may be: an allow-list by extension, confirmed by the file's first bytes.

The browser's declared content type is ignored: the stored type comes from the extension once
the content matches it, so a renamed program or text file is never served as a PDF or image.
"""

from __future__ import annotations

import io
import logging
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader

from app.safe_zip import ZipRefused, checked_zip, inflation_cap

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged upload is refused, not logged line by line

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10  # per update
MAX_NAME = 255

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls (Compound File Binary)
ZIP_HEADER = b"PK\x03\x04"  # .docx and .xlsx (Office Open XML)


class EvidenceRefused(ValueError):
    """A file that may not be kept; `message` names it, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # lazy: rendered in the user's language when shown
        self.message = message


@dataclass(frozen=True)
class Upload:
    """A file as received: its name and (up to the limit plus one byte of) its contents."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


CONTENT_TYPES_LIMIT = 64 * 1024  # [Content_Types].xml is a few hundred bytes in real files
OFFICE_INFLATED_LIMIT = 512 * 1024 * 1024  # a 10 MB workbook of numbers inflates to about 100 MB


def _office_zip(member: str, main_type: str) -> Callable[[bytes], bool]:
    """An Office Open XML package that inflates within reason (checked_zip: no zip bomb), with
    the main part and its declared type in [Content_Types].xml."""

    def check(data: bytes) -> bool:
        if not data.startswith(ZIP_HEADER):
            return False
        try:
            with checked_zip(data, inflation_cap(len(data), OFFICE_INFLATED_LIMIT)) as archive:
                if member not in archive.namelist() or "[Content_Types].xml" not in archive.namelist():
                    return False
                with archive.open("[Content_Types].xml") as types:
                    return main_type.encode() in types.read(CONTENT_TYPES_LIMIT)
        except ZipRefused as error:
            if error.too_big:
                raise  # said as such by check_file
            return False

    return check


def _ole_with_stream(*streams: str) -> Callable[[bytes], bool]:
    """A Compound File holding one of `streams` (Word: WordDocument; Excel: Workbook or Book),
    so a PowerPoint or installer file renamed .doc is refused."""
    names = [stream.encode("utf-16-le") for stream in streams]
    return lambda data: data.startswith(OLE_HEADER) and any(name in data for name in names)


def _starts_with(*headers: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(headers)


def _pdf(data: bytes) -> bool:
    """A PDF that a PDF reader opens, with at least one page (a web page or a program renamed
    .pdf, even one starting with "%PDF", does not parse)."""
    if not data.startswith(b"%PDF"):
        return False
    try:
        reader = PdfReader(io.BytesIO(data))
        return reader.is_encrypted or len(reader.pages) > 0  # encrypted: its structure was read
    except Exception:  # pypdf raises many kinds on what is not a PDF
        return False


def _webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# extension → (stored content type, what its contents must look like)
ALLOWED: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".pdf": ("application/pdf", _pdf),
    ".doc": ("application/msword", _ole_with_stream("WordDocument")),
    ".docx": (DOCX, _office_zip("word/document.xml", "wordprocessingml.document.main+xml")),
    ".xls": ("application/vnd.ms-excel", _ole_with_stream("Workbook", "Book")),
    ".xlsx": (XLSX, _office_zip("xl/workbook.xml", "spreadsheetml.sheet.main+xml")),
    ".png": ("image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", _starts_with(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", _starts_with(b"\xff\xd8\xff")),
    ".gif": ("image/gif", _starts_with(b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", _webp),
}

ALLOWED_TEXT = _l("PDF, Word (.doc, .docx), Excel (.xls, .xlsx) và ảnh (PNG, JPEG, GIF, WEBP)")
NOTHING_SAVED = _l("Cập nhật chưa được lưu; hãy bỏ tệp đó, chọn lại các tệp hợp lệ rồi gửi lại.")


def clean_filename(name: str) -> str:
    """The file's own name (no folders, no control characters, NFC), at most 255 characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    if len(name) > MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME - len(ext)] + ext
    return name


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} B"


def check_file(upload: Upload, max_bytes: int) -> CheckedFile:
    """The file ready to store, or EvidenceRefused saying why, with the file's name."""
    name = clean_filename(upload.filename) or "?"
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED:
        raise EvidenceRefused(
            _l("Tệp “%(name)s” không được nhận: chỉ nhận %(allowed)s. %(nothing_saved)s",
               name=name, allowed=ALLOWED_TEXT, nothing_saved=NOTHING_SAVED)
        )
    if len(upload.data) > max_bytes:
        raise EvidenceRefused(
            _l("Tệp “%(name)s” lớn hơn giới hạn %(limit)s cho mỗi tệp. %(nothing_saved)s",
               name=name, limit=human_size(max_bytes), nothing_saved=NOTHING_SAVED)
        )
    if not upload.data:
        raise EvidenceRefused(_l("Tệp “%(name)s” rỗng. %(nothing_saved)s", name=name, nothing_saved=NOTHING_SAVED))
    content_type, looks_right = ALLOWED[extension]
    try:
        genuine = looks_right(upload.data)
    except ZipRefused as error:  # a zip bomb
        raise EvidenceRefused(
            _l("Tệp “%(name)s” khi giải nén lớn bất thường (có thể là tệp nén độc hại) nên không được nhận. "
               "%(nothing_saved)s", name=name, nothing_saved=NOTHING_SAVED)
        ) from error
    if not genuine:
        raise EvidenceRefused(
            _l("Nội dung tệp “%(name)s” không phải là tệp %(extension)s thật (có thể đã bị đổi đuôi). %(nothing_saved)s",
               name=name, extension=extension, nothing_saved=NOTHING_SAVED)
        )
    return CheckedFile(filename=name, content_type=content_type, data=upload.data)


def check_files(uploads: list[Upload], max_bytes: int) -> list[CheckedFile]:
    """Every file checked before any is kept: one refused file refuses them all."""
    if len(uploads) > MAX_FILES:
        raise EvidenceRefused(_l("Mỗi lần cập nhật gửi tối đa %(count)d tệp minh chứng.", count=MAX_FILES))
    return [check_file(upload, max_bytes) for upload in uploads]
