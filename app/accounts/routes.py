"""/account: the person's own details, password, two-factor sign-in and open sessions."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import bp, browser_session, sessions, two_factor
from app.accounts import services as accounts
from app.accounts.forms import ChangePasswordForm, CodeForm, PasswordCheckForm, ProfileForm
from app.extensions import db
from app.security import TWO_FACTOR_SETUP_KEY, signed_in
from app.service_errors import ServiceError
from app.web.commit import commit

SETUP_SECRET_KEY = "two_factor_setup_secret"  # the authenticator secret until a code confirms it


def _required() -> bool:
    return accounts.two_factor_required(current_user, current_app.config["TWO_FACTOR_REQUIRED_ROLES"], db.session())


def _page(status: int = 200, **forms: object) -> ResponseReturnValue:
    user = current_user._get_current_object()
    profile = forms.pop("profile", None) or ProfileForm(obj=user, email=user.email or "")
    return render_template(
        "account/index.html",
        profile=profile,
        password=forms.pop("password", None) or ChangePasswordForm(),
        off=forms.pop("off", None) or PasswordCheckForm(),
        open_sessions=sessions.open_sessions(db.session(), user),
        current_secret=browser_session.current_secret(),
        codes_left=two_factor.recovery_codes_left(db.session(), user) if user.two_factor_on else 0,
        required=_required(),
        describe_device=sessions.describe_device,
        is_current=sessions.is_current,
    ), status


@bp.get("")
@signed_in
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/profile")
@signed_in
def profile() -> ResponseReturnValue:
    form = ProfileForm()
    if form.validate_on_submit():
        profile = accounts.Profile(
            form.full_name.data or "", form.position.data or "", form.email.data or "", form.phone.data or "")
        try:
            changed = commit(lambda: accounts.update_profile(db.session(), current_user, profile))
        except ServiceError as error:
            form.email.errors = [*form.email.errors, error.message]
        else:
            flash(_l("Đã lưu thông tin của bạn.") if changed else _l("Không có gì thay đổi."), "success")
            return redirect(url_for("account.index"))
    return _page(400, profile=form)


@bp.post("/password")
@signed_in
def password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(db.session(), user, form.current.data or "", form.password.data or "",
                                     form.confirm.data or "")
        except ServiceError as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, error.message]
        else:
            browser_session.begin(user)  # every session ended, this browser gets a fresh one
            flash(_l("Đã đổi mật khẩu. Mọi phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("account.index"))
    return _page(400, password=form)


@bp.post("/sessions/end-others")
@signed_in
def end_other_sessions() -> ResponseReturnValue:
    ended = commit(lambda: accounts.end_other_sessions(db.session(), current_user, keep=browser_session.current_secret()))
    flash(_l("Đã đăng xuất khỏi %(count)d thiết bị khác.", count=ended), "success")
    return redirect(url_for("account.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor_setup() -> ResponseReturnValue:
    """Set up an authenticator app: scan the QR code, type one code; then the recovery codes, once."""
    user = current_user._get_current_object()
    if user.two_factor_on:
        return redirect(url_for("account.index"))
    secret = session.get(SETUP_SECRET_KEY) or two_factor.new_secret()
    session[SETUP_SECRET_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = commit(lambda: accounts.turn_on_two_factor(db.session(), user, secret, form.code.data or ""))
        except ServiceError as error:
            form.code.errors = [*form.code.errors, error.message]
        else:
            session.pop(SETUP_SECRET_KEY, None)
            session.pop(TWO_FACTOR_SETUP_KEY, None)
            return render_template("account/recovery_codes.html", codes=codes, fresh=True)
    uri = two_factor.setup_uri(user, secret)
    return render_template("account/two_factor.html", form=form, secret=secret, qr=two_factor.qr_svg(uri),
                           forced=bool(session.get(TWO_FACTOR_SETUP_KEY))), (400 if form.errors else 200)


@bp.post("/two-factor/off")
@signed_in
def two_factor_off() -> ResponseReturnValue:
    form = PasswordCheckForm()
    if form.validate_on_submit():
        try:
            commit(lambda: accounts.turn_off_two_factor(db.session(), current_user, form.password.data or "", _required()))
        except ServiceError as error:
            form.password.errors = [*form.password.errors, error.message]
        else:
            flash(_l("Đã tắt đăng nhập hai bước."), "success")
            return redirect(url_for("account.index"))
    return _page(400, off=form)


@bp.post("/two-factor/recovery-codes")
@signed_in
def new_recovery_codes() -> ResponseReturnValue:
    user = current_user._get_current_object()
    if not user.two_factor_on:
        return redirect(url_for("account.index"))
    codes = commit(lambda: two_factor.new_recovery_codes(db.session(), user))
    return render_template("account/recovery_codes.html", codes=codes, fresh=False)
