"""An uploaded plan file (.txt or .docx) read into repaired Unicode NFC text.

.txt: UTF-8 (with or without BOM), UTF-16 with BOM, else an 8-bit legacy file (TCVN3, VNI,
Windows-1258 or Windows-1252, see app.text_repair.decode_legacy_bytes).
.docx: the lines app.documents.docx_text reads (paragraphs and table cells in document order,
list numbers written out, legacy-font runs converted).
Every failure is an ImportFileError with a message for the user, in Vietnamese.
"""

from __future__ import annotations

import codecs
import zipfile
from io import BytesIO

from docx import Document
from flask_babel import lazy_gettext as _l

from app.documents.docx_text import document_lines
from app.text_repair import decode_legacy_bytes, repair_legacy_text, repair_text

__all__ = ["MAX_TEXT_CHARS", "ImportFileError", "read_upload"]

MAX_TEXT_CHARS = 2_000_000  # "2 MB of text"
MAX_DOCX_UNPACKED = 50 * 1024 * 1024  # all parts of a .docx, uncompressed
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class ImportFileError(Exception):
    """An uploaded file that cannot be read; `message` is shown to the user."""

    def __init__(self, message: object) -> None:
        super().__init__(message)  # kept lazy: translated when shown, inside a request
        self.message = message


def read_upload(filename: str, data: bytes) -> str:
    """The repaired NFC text of an uploaded .txt or .docx file."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "doc":
        raise ImportFileError(_l("Tệp .doc (Word 97-2003) chưa được hỗ trợ: hãy mở trong Word và lưu thành .docx."))
    if extension not in ("txt", "docx"):
        raise ImportFileError(_l("Tệp không phải .txt hoặc .docx."))
    if not data.strip():
        raise ImportFileError(_l("Tệp trống."))
    text = _read_txt(data) if extension == "txt" else _read_docx(data)
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFileError(_l("Tệp quá lớn: kế hoạch nhập vào tối đa 2 MB chữ."))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportFileError(_l("Tệp trống."))
    return text


# --- .txt --------------------------------------------------------------------------------------


def _read_txt(data: bytes) -> str:
    if len(data) > 4 * MAX_TEXT_CHARS:
        raise ImportFileError(_l("Tệp quá lớn: kế hoạch nhập vào tối đa 2 MB chữ."))
    if data.startswith(codecs.BOM_UTF8):
        return repair_text(_decode(data[3:], "utf-8"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return repair_text(_decode(data, "utf-16"))
    if b"\x00" in data:
        raise ImportFileError(_l("Tệp không phải văn bản thuần (.txt): hãy lưu lại với bảng mã Unicode (UTF-8)."))
    try:
        return repair_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return repair_legacy_text(decode_legacy_bytes(data))


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportFileError(_l("Không đọc được bảng mã của tệp: hãy lưu lại với bảng mã Unicode (UTF-8).")) from error


# --- .docx -------------------------------------------------------------------------------------


def _read_docx(data: bytes) -> str:
    _check_docx_zip(data)
    try:
        document = Document(BytesIO(data))
        lines = list(document_lines(document))
    except Exception as error:  # python-docx and lxml raise many kinds on a damaged file
        raise ImportFileError(_l("Không đọc được tệp Word này.")) from error
    return repair_text("\n".join(lines))


def _check_docx_zip(data: bytes) -> None:
    """A zip archive holding a Word document, not too big once unpacked."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError) as error:
        raise ImportFileError(_l("Không đọc được tệp Word này.")) from error
    if sum(member.file_size for member in members) > MAX_DOCX_UNPACKED:
        raise ImportFileError(_l("Tệp quá lớn: kế hoạch nhập vào tối đa 2 MB chữ."))
    if DOCX_CONTENT_TYPE.encode() not in content_types:
        raise ImportFileError(_l("Không đọc được tệp Word này."))
