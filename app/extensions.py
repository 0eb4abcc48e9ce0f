"""Uninitialised Flask extensions, bound to the app in create_app()."""

from typing import TYPE_CHECKING, Any

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is `db.Model` (built by Flask-SQLAlchemy on Base); type checkers
# cannot use an instance attribute as a base class, so to them it is Base itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
htmx = Htmx()
csrf = CSRFProtect()
# When the limits' storage (Redis) cannot be reached, the limits go on counting in each worker's memory
# rather than failing the request: sign-in keeps working, and Flask-Limiter logs "Rate limit storage
# unreachable - falling back to in-memory storage" (then "Rate limit storage recovered"); see
# log_limiter_fallback for where that line goes.
# Storage errors met later in a request (its deduction after a failed sign-in, its headers), as when
# Redis goes away between the check and the answer, are logged and swallowed, never a 500.
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True, swallow_errors=True)


def log_limiter_fallback() -> None:
    """Flask-Limiter's own logger says when it falls back and recovers; give it a handler of its own
    (stderr, gunicorn's error log) when nothing is configured, so the line is never lost."""
    import logging

    logger = logging.getLogger("flask-limiter")
    real = [h for h in logger.handlers if not isinstance(h, logging.NullHandler)]  # it adds a NullHandler
    if not real and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"))
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


log_limiter_fallback()


@limiter.request_filter
def _reads() -> bool:
    """Every limit is on a POST (sign-in, codes, mail): reads skip the limiter's per-request work."""
    return request.method in ("GET", "HEAD", "OPTIONS")


def statement_bind() -> Any:
    """What a statement run outside the ORM session (app/raw_statement) runs on: the engine, or the
    connection the session is bound to (the tests bind it to one, inside their transaction). Makes no
    session."""
    return db.session.session_factory.kw.get("bind") or db.engine
