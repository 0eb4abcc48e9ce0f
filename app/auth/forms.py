"""Sign-in form."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.forms_base import Form


class LoginForm(Form):
    username = StringField(
        _l("Tên đăng nhập hoặc email"),
        validators=[DataRequired(_l("Vui lòng nhập tên đăng nhập.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")), Length(max=200)]
    )
