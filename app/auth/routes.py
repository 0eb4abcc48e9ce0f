"""Sign in and out, the language switch, and the front door."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.auth.forms import LoginForm
from app.auth.services import authenticate, home_units, safe_next
from app.extensions import db, limiter
from app.security import public, signed_in

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    return "login-account:" + (request.form.get("username") or "").strip().lower()


def _failed(response: Response) -> bool:
    return response.status_code == 400


def _fresh_session() -> None:
    """Drop everything from the session (no fixation) except the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data or "", form.password.data or "")
        if user is not None:
            _fresh_session()
            login_user(user)
            return redirect(next_url or url_for("auth.home"))
        flash(_l("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@public
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    _fresh_session()
    flash(_l("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
@public
def set_language(code: str):  # type: ignore[no-untyped-def]
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))


@bp.route("/")
@signed_in
def home():  # type: ignore[no-untyped-def]
    units = home_units(db.session, current_user)
    if len(units) == 1:
        return redirect(url_for("units.home", unit_slug=units[0].slug))
    return render_template("auth/choose_unit.html", units=units)
