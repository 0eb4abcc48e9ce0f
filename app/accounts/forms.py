"""Forms of a person's own account: details, passwords, two-factor codes, forgotten password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms_base import Form


class ProfileForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=120)])
    position = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=30)])


class NewPasswordForm(Form):
    password = PasswordField(
        _l("Mật khẩu mới"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu mới.")), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"), validators=[DataRequired(_l("Vui lòng nhập lại mật khẩu mới.")), Length(max=200)]
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu hiện tại.")), Length(max=200)]
    )


class CodeForm(Form):
    code = StringField(
        _l("Mã xác thực"),
        validators=[DataRequired(_l("Vui lòng nhập mã 6 chữ số hoặc một mã khôi phục.")), Length(max=40)],
    )


class PasswordCheckForm(Form):
    password = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu hiện tại.")), Length(max=200)]
    )


class ForgotForm(Form):
    name = StringField(
        _l("Email hoặc tên đăng nhập"),
        validators=[DataRequired(_l("Vui lòng nhập email hoặc tên đăng nhập.")), Length(max=254)],
    )
