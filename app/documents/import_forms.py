"""The form of an import: a file to read, or the corrected text to read again, and the year."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from app.documents.import_text import MAX_TEXT_CHARS as MAX_TEXT  # the same limit as for a file read
from app.forms_base import Form
from app.web.years import FIRST_YEAR, LAST_YEAR


class ImportForm(Form):
    file = FileField(_l("Tệp kế hoạch (.docx hoặc .txt)"))
    text = TextAreaField(
        _l("Nội dung đã đọc (sửa nếu cần rồi bấm Xem lại)"),
        validators=[Optional(), Length(max=MAX_TEXT, message=_l("Văn bản quá dài (tối đa %(max)d ký tự)."))],
    )
    year = IntegerField(
        _l("Năm của kế hoạch"),
        validators=[Optional(), NumberRange(min=FIRST_YEAR, max=LAST_YEAR, message=_l("Năm phải từ %(min)s đến %(max)s."))],
    )
