"""One commit per request, and the status of a form sent back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.service_errors import CONFLICT_MESSAGE, EditConflict, ServiceError

F = TypeVar("F", bound=Callable[..., Any])

CONCURRENT_CREATE = _l("Dữ liệu này vừa được người khác tạo hoặc sửa cùng lúc. Vui lòng tải lại trang và kiểm tra.")


def commit(change: Callable[[], Any]) -> Any:
    """Run a service call and commit once; a refusal rolls back, and a concurrent change caught at
    flush is an EditConflict."""
    try:
        result = change()
        db.session.commit()
        return result
    except StaleDataError as error:
        db.session.rollback()
        raise EditConflict(CONFLICT_MESSAGE) from error
    except IntegrityError as error:  # e.g. two people creating the same row at the same moment
        db.session.rollback()
        raise EditConflict(CONCURRENT_CREATE) from error
    except ServiceError:
        db.session.rollback()
        raise


def writes_on_get(view: F) -> F:
    """Mark a GET view that writes (an audit entry of what it showed, figures it kept): on SQLite
    its transaction takes the write lock at its start (app/database.py); other GETs only read."""
    view.writes_on_get = True  # type: ignore[attr-defined]
    return view


def may_write(endpoint: str | None, method: str, views: dict[str, Callable[..., Any]]) -> bool:
    """Whether the request to `endpoint` may write: any method but GET/HEAD/OPTIONS, or a marked GET."""
    if method not in ("GET", "HEAD", "OPTIONS"):
        return True
    return bool(endpoint) and getattr(views.get(endpoint or ""), "writes_on_get", False)


def form_status() -> int:
    """200 for a form shown, 400 for a form sent back with its errors."""
    return 400 if request.method == "POST" else 200
