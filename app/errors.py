"""Error pages in the user's language; nothing a user types ends in a bare 500.

A database that cannot be reached (PostgreSQL restarting, a dropped connection, SQLite locked past
its busy timeout) answers 503 with a page that needs no database; a full disk answers 507. A read
(GET or HEAD) that met an unreachable database is tried once more before the 503 is sent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from htmx_flask import request as hx_request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("Yêu cầu không hợp lệ."),
    403: _l("Bạn không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
    405: _l("Thao tác này không được hỗ trợ tại địa chỉ này."),
    409: _l("Dữ liệu đã thay đổi; vui lòng tải lại trang."),
    413: _l("Tệp tải lên quá lớn. Vui lòng chọn tệp nhỏ hơn."),
    429: _l("Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại."),
    500: _l("Hệ thống gặp lỗi. Vui lòng thử lại sau."),
}

DATABASE_UNAVAILABLE = _l(
    "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Thao tác của bạn chưa được thực hiện; "
    "vui lòng đợi vài giây rồi thử lại."
)
STORAGE_FULL = _l(
    "Bộ nhớ lưu trữ của hệ thống đã đầy nên dữ liệu chưa được lưu (không có gì được lưu dở dang). "
    "Vui lòng báo quản trị hệ thống giải phóng dung lượng rồi thử lại."
)

RETRY_AFTER_SECONDS = 5
RETRY_PAUSE_SECONDS = 0.2  # before a read is tried again, so a restarting server can come back
RETRY_FLAG = "dan_van.retry_read"  # set in the WSGI environ by the handler, read by the middleware
RETRIED_FLAG = "dan_van.retried"

# SQLite's messages for a database it cannot use just now (its OperationalError also covers
# mistakes in SQL, such as "no such table", which stay 500s).
SQLITE_UNAVAILABLE = ("database is locked", "disk i/o error", "unable to open database file", "readonly database")
SQLITE_FULL = "database or disk is full"
POSTGRES_DISK_FULL = "53100"  # SQLSTATE disk_full


def storage_full(error: BaseException) -> bool:
    """Whether the database refused a write because its disk (or SQLite's page limit) is full."""
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) == POSTGRES_DISK_FULL:
        return True
    return SQLITE_FULL in str(error.orig).lower()


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached or used right now (not a bug in a query)."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    module = type(orig).__module__ if orig is not None else ""
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(orig, (psycopg.OperationalError, psycopg.InterfaceError))
    if module.startswith("sqlite3"):
        return any(text in str(orig).lower() for text in SQLITE_UNAVAILABLE)
    return False


def render_error(status: int, message: str | None = None) -> ResponseReturnValue:
    """The error page; for htmx, just the message, shown in the page's message area."""
    text = message or MESSAGES.get(status, MESSAGES[500])
    if hx_request.htmx:
        html = render_template("errors/_message.html", message=text)
        return html, status, {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    return render_template("errors/error.html", status=status, message=text), status


def render_unreachable(status: int, message: Any) -> ResponseReturnValue:
    """Like render_error, with a page that reads nothing from the database (no user, no unit)."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    # Flask-Login's template context loads the signed-in user from the database: not now.
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    if hx_request.htmx:
        html = render_template("errors/_message.html", message=message)
        return html, status, {**headers, "HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    return render_template("errors/unavailable.html", status=status, message=message), status, headers


def _forget_session() -> None:
    """Drop the request's database session and its connection (which may be dead) quietly."""
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        log.debug("rollback after a database error failed", exc_info=True)
    try:
        db.session.remove()
    except Exception:
        log.debug("closing the session after a database error failed", exc_info=True)


class RetryReads:
    """WSGI middleware: a GET or HEAD that met an unreachable database (the handler below marks it)
    is run once more, after a short pause; its first answer is thrown away. Writes never are."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        held: list[tuple[Any, ...]] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            held.append((status, headers, exc_info))
            return lambda data: None  # write() is not used by Flask

        body = self.app(environ, hold)
        if environ.pop(RETRY_FLAG, False) and not environ.get(RETRIED_FLAG):
            close = getattr(body, "close", None)
            if close is not None:
                close()
            environ[RETRIED_FLAG] = True
            log.warning("database unreachable on %s %s: trying the read once more",
                        environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            time.sleep(RETRY_PAUSE_SECONDS)
            return self.app(environ, start_response)
        status, headers, exc_info = held[-1]
        start_response(status, headers, exc_info)
        return body


def register(app: Flask) -> None:
    app.wsgi_app = RetryReads(app.wsgi_app)  # type: ignore[method-assign]

    @app.teardown_appcontext
    def close_session_quietly(error: BaseException | None) -> None:
        """Runs before Flask-SQLAlchemy's own teardown (registered later, run first): a connection the
        server dropped after the answer was made (PostgreSQL restarting) must not turn it into a 500
        when the session is closed and its transaction rolled back."""
        from app.extensions import db

        try:
            db.session.remove()
        except DBAPIError as closing:
            if not database_unavailable(closing):
                raise
            app.logger.warning("database connection lost while closing the request's session: %s", closing.orig)
            db.session.registry.clear()  # the connection is invalidated already; drop the session

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, _l("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        return render_error(status)

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> ResponseReturnValue:
        if storage_full(error):
            _forget_session()
            app.logger.error("database storage full on %s %s: %s", request.method, request.path, error.orig)
            return render_unreachable(507, STORAGE_FULL)
        if not database_unavailable(error):
            raise error  # a real bug: logged with its traceback and answered by the 500 page
        _forget_session()
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        if request.method in ("GET", "HEAD"):
            request.environ[RETRY_FLAG] = True
        return render_unreachable(503, DATABASE_UNAVAILABLE)

    @app.errorhandler(500)
    def unexpected(error: Exception) -> ResponseReturnValue:
        return render_error(500)
