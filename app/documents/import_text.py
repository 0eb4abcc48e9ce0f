"""An uploaded plan file (.txt or .docx) read into repaired Unicode NFC text.

.txt: UTF-8 (with or without BOM), UTF-16 with BOM, else an 8-bit legacy file (TCVN3, VNI,
Windows-1258 or Windows-1252, see app.text_repair.decode_legacy_bytes).
.docx: the lines app.documents.docx_text reads (paragraphs and table cells in document order,
list numbers written out, legacy-font runs converted).
Every failure is an ImportFileError with a message for the user, in Vietnamese.
"""

from __future__ import annotations

import codecs
from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from flask_babel import lazy_gettext as _l

from app.documents.docx_text import document_lines
from app.safe_zip import ZipRefused, checked_zip
from app.text_repair import decode_legacy_bytes, repair_legacy_text, repair_text

__all__ = ["MAX_LINES", "MAX_TEXT_CHARS", "ImportFileError", "check_size", "read_upload"]

# What no real plan has: the Phú Sơn plan is 230 lines and 8,000 characters. Larger input is
# refused with a message before it is parsed, so an accepted file is read in about a second.
MAX_TEXT_CHARS = 2_000_000  # "2 MB of text"
MAX_LINES = 5_000  # lines with text in them
MAX_DOCX_UNPACKED = 50 * 1024 * 1024  # all parts of a .docx, inflated
MAX_DOCX_PARAGRAPHS = 4 * MAX_LINES  # paragraphs, empty ones and those in tables included
TOO_BIG = _l("Tệp quá lớn: kế hoạch nhập vào tối đa 5.000 dòng và 2 MB chữ (kế hoạch của phường Phú Sơn "
             "có 230 dòng). Hãy kiểm tra đúng tệp kế hoạch, hoặc chia nhỏ văn bản.")
UNREADABLE = _l("Không đọc được tệp Word này.")
_PARAGRAPH_TAGS = (b"<w:p>", b"<w:p ", b"<w:p/>")  # how a paragraph opens (not <w:pPr>, its properties)
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
    text = check_size(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ImportFileError(_l("Tệp trống."))
    return text


def check_size(text: str) -> str:
    """`text` if a plan could be that long (a file, or the text corrected in the preview), else
    ImportFileError."""
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFileError(TOO_BIG)
    lines = 0
    for line in text.splitlines():
        lines += bool(line.strip())
        if lines > MAX_LINES:
            raise ImportFileError(TOO_BIG)
    return text


# --- .txt --------------------------------------------------------------------------------------


def _read_txt(data: bytes) -> str:
    if len(data) > 4 * MAX_TEXT_CHARS:  # UTF-16 or a legacy encoding may take up to 4 bytes a letter
        raise ImportFileError(TOO_BIG)
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
    try:
        with checked_zip(data, MAX_DOCX_UNPACKED) as archive:
            content_types = archive.read("[Content_Types].xml")
            body = archive.read("word/document.xml") if "word/document.xml" in archive.namelist() else b""
    except ZipRefused as error:
        raise ImportFileError(TOO_BIG if error.too_big else UNREADABLE) from error
    except KeyError as error:  # no [Content_Types].xml: not an Office file
        raise ImportFileError(UNREADABLE) from error
    if DOCX_CONTENT_TYPE.encode() not in content_types:
        raise ImportFileError(UNREADABLE)
    # Counted in the raw XML, before python-docx builds an object per paragraph.
    if sum(body.count(tag) for tag in _PARAGRAPH_TAGS) > MAX_DOCX_PARAGRAPHS:
        raise ImportFileError(TOO_BIG)
    try:
        document = Document(BytesIO(data))
    except Exception as error:  # python-docx and lxml raise many kinds on a damaged file
        raise ImportFileError(UNREADABLE) from error
    if sum(1 for _ in document.element.body.iter(qn("w:p"))) > MAX_DOCX_PARAGRAPHS:  # another prefix than w:
        raise ImportFileError(TOO_BIG)
    try:
        lines = list(document_lines(document))
    except Exception as error:
        raise ImportFileError(UNREADABLE) from error
    return repair_text("\n".join(lines))
