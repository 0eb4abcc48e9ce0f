"""Error pages in the user's language; nothing a user types ends in a bare 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from htmx_flask import request as hx_request
from werkzeug.exceptions import HTTPException

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


def render_error(status: int, message: str | None = None) -> ResponseReturnValue:
    """The error page; for htmx, just the message, shown in the page's message area."""
    text = message or MESSAGES.get(status, MESSAGES[500])
    if hx_request.htmx:
        html = render_template("errors/_message.html", message=text)
        return html, status, {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    return render_template("errors/error.html", status=status, message=text), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, _l("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        return render_error(status)

    @app.errorhandler(500)
    def unexpected(error: Exception) -> ResponseReturnValue:
        return render_error(500)
