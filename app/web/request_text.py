"""Form text that is not UTF-8 is refused with a 400 and a message, never stored as mojibake.

Werkzeug reads a form's bytes leniently: an invalid UTF-8 sequence becomes "%C3%28" in a
url-encoded form and U+FFFD in a multipart one, and would be stored as such.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from app.errors import render_error

NOT_UTF8 = _l("Nội dung gửi lên có ký tự không đọc được (không phải bảng mã Unicode UTF-8) nên chưa được lưu. "
              "Hãy gõ lại hoặc dán lại nội dung từ Word rồi gửi lại.")
WRITES = frozenset({"POST", "PUT", "PATCH"})


def _urlencoded_is_utf8(body: bytes) -> bool:
    try:
        for pair in body.split(b"&"):
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_broken_text() -> ResponseReturnValue | None:
    """before_request: a 400 page for a form whose text fields are not UTF-8."""
    if request.method not in WRITES:
        return None
    if request.mimetype == "application/x-www-form-urlencoded":
        ok = _urlencoded_is_utf8(request.get_data(cache=True))  # the form is then parsed from this copy
    elif request.mimetype == "multipart/form-data":
        ok = not any("\ufffd" in value for value in request.form.values())  # file contents are not text
    else:
        return None
    return None if ok else render_error(400, str(NOT_UTF8))
