"""Sign in (with the second factor where it is on) and out, joining by invitation, a forgotten
password, the language switch, and the front door."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.accounts import browser_session, links, mails
from app.accounts import services as accounts
from app.accounts.forms import CodeForm, ForgotForm, NewPasswordForm
from app.auth import bp
from app.auth.forms import LoginForm
from app.auth.services import home_units, safe_next
from app.extensions import db, limiter
from app.local_time import local_today
from app.mail.outbox import send_queued_now
from app.models.account import LinkPurpose
from app.security import public, signed_in
from app.service_errors import ServiceError
from app.web.commit import writes_on_get


def _failed(response: Response) -> bool:
    return response.status_code == 400


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _pair_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]


def _pair_key() -> str:
    """One account guessed from one address: a stranger elsewhere slows only their own pair."""
    return "login-pair:" + (request.form.get("username") or "").strip().lower() + "|" + get_remote_address()


def _pending_key() -> str:
    pending = session.get(browser_session.PENDING_KEY) or [None]
    return f"login-code:{pending[0]}|{get_remote_address()}"


def _mail_limit() -> str:
    return "5 per minute;20 per hour"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_pair_limit, key_func=_pair_key, methods=["POST"], deduct_when=_failed)
def login() -> ResponseReturnValue:
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(db.session(), form.username.data or "", form.password.data or "")
        if user is not None and user.two_factor_on:
            browser_session.await_second_factor(user)
            return redirect(url_for("auth.second_factor", next=next_url))
        if user is not None:
            browser_session.begin(user)
            return redirect(next_url or url_for("auth.home"))
        flash(_l("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_pair_limit, key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def second_factor() -> ResponseReturnValue:
    user = browser_session.pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        if accounts.second_factor_passes(db.session(), user, form.code.data or ""):
            browser_session.begin(user)  # commits the used code with the new session
            return redirect(next_url or url_for("auth.home"))
        db.session.rollback()
        flash(_l("Mã không đúng hoặc đã dùng rồi."), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/second_factor.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    browser_session.finish()
    flash(_l("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


SAME_ANSWER = _l(
    "Nếu địa chỉ này thuộc một tài khoản đang hoạt động, chúng tôi đã gửi tới email của tài khoản "
    "một liên kết đặt lại mật khẩu, dùng được trong 1 giờ. Hãy kiểm tra hộp thư (cả mục thư rác)."
)


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_mail_limit, methods=["POST"])
def forgot() -> ResponseReturnValue:
    form = ForgotForm()
    if form.validate_on_submit():
        found = accounts.request_reset(db.session(), form.name.data or "")
        if found is not None:
            user, secret = found
            mails.password_reset(db.session(), user, url=mails.external_url("auth.reset", token=secret))
        db.session.commit()
        send_queued_now(db.session(), current_app.config)
        flash(SAME_ANSWER, "info")
        return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


def _set_password_page(purpose: LinkPurpose, token: str) -> ResponseReturnValue:
    """The page behind an invitation or reset link: the person sets their own password."""
    link = links.find(db.session(), token, purpose) if len(token) <= 100 else None
    if link is None:
        return render_template("auth/link_expired.html", purpose=purpose), 410  # used, expired or unknown
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            redeemed = accounts.redeem_link(db.session(), link, form.password.data or "", form.confirm.data or "")
        except ServiceError as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, error.message]
        else:
            browser_session.begin(redeemed.user)  # commits
            flash(_l("Chào mừng bạn! Mật khẩu đã được đặt.") if purpose == LinkPurpose.INVITATION
                  else _l("Đã đặt mật khẩu mới; mọi phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("auth.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, purpose=purpose, person=link.user), status


@bp.route("/join/<token>", methods=["GET", "POST"])
@public
def join(token: str) -> ResponseReturnValue:
    return _set_password_page(LinkPurpose.INVITATION, token)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str) -> ResponseReturnValue:
    return _set_password_page(LinkPurpose.PASSWORD_RESET, token)


@bp.route("/lang/<code>")
@public
@writes_on_get  # keeps the person's language for their mails
def set_language(code: str) -> ResponseReturnValue:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code  # mails follow the language the person reads in
            db.session.commit()
    return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))


@bp.route("/")
@signed_in
def home() -> ResponseReturnValue:
    units = home_units(db.session(), current_user)
    live = [u for u in units if not u.ended_by(local_today())]
    if len(units) == 1 or len(live) == 1:  # a merged ward's history is linked from its successor
        return redirect(url_for("units.home", unit_slug=(live or units)[0].slug))
    return render_template("auth/choose_unit.html", units=units, today=local_today())
