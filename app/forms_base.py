"""The base of every form: WTForms' own built-in messages, spoken in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

# WTForms ships no Vietnamese catalogue; these are the built-in messages our fields can raise.
BUILT_IN_MESSAGES = {
    "Not a valid date value.": _l("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2025."),
    "Not a valid integer value.": _l("Giá trị phải là một số nguyên."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "This field is required.": _l("Vui lòng nhập trường này."),
}


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
