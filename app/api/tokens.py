"""The signed-in user's own API tokens: create one (its secret shown once), list, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput

from app.api import services
from app.api import tokens_bp as bp
from app.database import INT_MAX
from app.extensions import db
from app.forms_base import Form
from app.security import signed_in


class TokenForm(Form):
    name = StringField(
        _l("Tên mã (để nhận ra nơi dùng, ví dụ: Báo cáo của thị xã)"),
        validators=[DataRequired(_l("Vui lòng đặt tên cho mã truy cập.")),
                    Length(max=120, message=_l("Tên mã quá dài."))],
    )


class RevokeForm(Form):
    token_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("api/tokens.html", form=form, revoke_form=RevokeForm(),
                           tokens=services.tokens_of(db.session(), current_user), secret=secret), status


@bp.get("/account/tokens")
@signed_in
def index() -> ResponseReturnValue:
    return _page(TokenForm())


@bp.post("/account/tokens")
@signed_in
def create() -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate():
        return _page(form, status=400)
    _token, secret = services.issue_token(db.session(), current_user, form.name.data or "")
    db.session.commit()
    flash(_l("Đã tạo mã truy cập API. Hãy sao chép ngay: mã chỉ hiện một lần."), "success")
    return _page(TokenForm(formdata=None), secret=secret)


@bp.post("/account/tokens/revoke")
@signed_in
def revoke() -> ResponseReturnValue:
    form = RevokeForm()
    token_id = form.token_id.data if form.validate() else None
    token = services.revoke_token(db.session(), current_user, token_id) if token_id and token_id <= INT_MAX else None
    if token is None:
        flash(_l("Không tìm thấy mã truy cập này."), "error")
    else:
        db.session.commit()
        flash(_l("Đã thu hồi mã truy cập “%(name)s”.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
