"""The base of every form: WTForms' own built-in messages, spoken in the user's language."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import DateField, FileField, IntegerField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import HiddenInput, TextInput

# WTForms ships no Vietnamese catalogue; these are the built-in messages our fields can raise.
BUILT_IN_MESSAGES = {
    "Not a valid date value.": _l("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2025."),
    "Not a valid integer value.": _l("Giá trị phải là một số nguyên."),
    "Not a valid float value.": _l("Giá trị phải là một số (dùng dấu chấm cho phần thập phân)."),
    "Not a valid decimal value.": _l("Giá trị phải là một số (dùng dấu chấm cho phần thập phân)."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "This field is required.": _l("Vui lòng nhập trường này."),
    "Field cannot be longer than %(max)d character.": _l("Tối đa %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": _l("Tối đa %(max)d ký tự."),
    "Field must be at least %(min)d character long.": _l("Cần ít nhất %(min)d ký tự."),
    "Field must be at least %(min)d characters long.": _l("Cần ít nhất %(min)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Cần từ %(min)d đến %(max)d ký tự."),
}


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f]")


T = TypeVar("T")


def filled(data: T | None) -> T:
    """The data of a field that a validated form requires (its InputRequired or DataRequired let no
    empty value through): typed without the None an unvalidated field may hold."""
    assert data is not None, "the form was not validated"
    return data


def drop_nul(value: object) -> object:
    """Control characters nobody types on purpose: NUL (PostgreSQL refuses it), and the others a paste
    from Word brings (its manual line break \x0b becomes a newline)."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub("", value.replace("\x0b", "\n"))


class BuiltInMessages:
    """A gettext-like object WTForms asks for its messages."""

    def gettext(self, message: str) -> str:
        return str(BUILT_IN_MESSAGES.get(message, message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: FlaskForm) -> BuiltInMessages:
            return BuiltInMessages()

        def wrap_formdata(self, form: FlaskForm, formdata: Any) -> Any:
            """Uploaded files reach file fields only: a file sent under a text or date field's name
            (which no browser does) is ignored rather than read as text (a 500 before)."""
            data = super().wrap_formdata(form, formdata)  # type: ignore[misc]  # Flask-WTF's, in WTForms' combined Meta
            if isinstance(data, CombinedMultiDict) and request.files:
                file_fields = {field.name for field in form if isinstance(field, FileField)}
                files = MultiDict([(name, upload) for name, upload in request.files.items(multi=True)
                                   if name in file_fields])
                return CombinedMultiDict((files, request.form))
            return data

        def bind_field(self, form: FlaskForm, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = unbound_field.kwargs.get("filters", ())
            unbound_field.kwargs["filters"] = (drop_nul, *filters)
            return unbound_field.bind(form=form, **options)


# The dates any record of a People's Committee can carry (the Democratic Republic was founded in
# 1945); 01/01/0001 or 31/12/9999 are typing slips, refused with this message.
FIRST_DATE, LAST_DATE = date(1945, 1, 1), date(2100, 12, 31)
def day_arg(text: str) -> date | None:
    """A dd/mm/yyyy day from a query argument within FIRST_DATE..LAST_DATE, else None (ignored)."""
    try:
        day = datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
    return day if FIRST_DATE <= day <= LAST_DATE else None


DATE_OUT_OF_RANGE = _l("Ngày phải từ 01/01/1945 đến 31/12/2100; hãy kiểm tra lại năm.")


class VnDateField(DateField):
    """A date typed as dd/mm/yyyy (ISO is accepted too), shown back the same way; only from
    FIRST_DATE to LAST_DATE."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, format=["%d/%m/%Y", "%Y-%m-%d"], render_kw=render_kw, **kwargs)

    def pre_validate(self, form: Any) -> None:
        # Here rather than in process_formdata: a "required" validator would replace the message.
        if self.data is not None and not FIRST_DATE <= self.data <= LAST_DATE:
            raise ValidationError(str(DATE_OUT_OF_RANGE))

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""


class VersionedForm(Form):
    """Carries the version of the row the user opened, to catch concurrent edits."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
