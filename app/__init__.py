"""Dân vận chính quyền: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, g, session
from flask.typing import ResponseReturnValue

from app.config import load_config
from app.database import DatabaseInt
from app.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

# Everything is served by the app itself; htmx adds its indicator styles inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
# No page needs the camera, microphone, location or payments.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def create_app(env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app for `env` (default: $APP_ENV, else production)."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    # Block tags leave no blank lines and indentation behind: a quarter less HTML on long tables.
    app.jinja_options = {**app.jinja_options, "trim_blocks": True, "lstrip_blocks": True}
    app.url_map.converters["int"] = DatabaseInt
    app.config.update(load_config(env, overrides))
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_extensions(app)
    register_database(app)
    register_units_in_urls(app)
    register_security(app)
    register_i18n(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import audit, models  # noqa: F401  (models, and the audit flush listener)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)


def register_database(app: Flask) -> None:
    """PostgreSQL: run as the role that owns no table (RLS applies); SQLite: real transactions."""
    from app.database import configure_sqlite, use_app_role

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            if not app.config.get("DB_APP_ROLE"):
                raise RuntimeError("DB_APP_ROLE is empty: on PostgreSQL the app must run as the role RLS binds")
            use_app_role(db.engine, app.config["DB_APP_ROLE"], strict=app.config["APP_ENV"] == "production")
        elif db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def register_units_in_urls(app: Flask) -> None:
    from flask import request

    from app.accounts.kept_pages import unit_of_url
    from app.database import sqlite_writes_ahead
    from app.web.commit import may_write

    @app.url_value_preprocessor
    def declare_writes(endpoint: str | None, values: dict[str, Any] | None) -> None:
        """Before anything reads the database: may this request write? (SQLite's BEGIN, app/database)."""
        sqlite_writes_ahead(may_write(endpoint, request.method, app.view_functions))

    @app.url_value_preprocessor
    def pull_unit(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "unit_slug" in values:
            slug = values.pop("unit_slug")
            if not slug.isprintable():
                abort(404)  # a NUL or a control character names no unit (and PostgreSQL refuses NUL)
            unit = unit_of_url(endpoint, slug)
            if unit is None:
                abort(404)
            g.unit = unit

    @app.url_defaults
    def add_unit(endpoint: str, values: dict[str, Any]) -> None:
        unit = g.get("unit")
        if unit is not None and "unit_slug" not in values and app.url_map.is_endpoint_expecting(
            endpoint, "unit_slug"
        ):
            values["unit_slug"] = unit.slug


def register_security(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from sqlalchemy.exc import SQLAlchemyError

    from app.accounts import sessions
    from app.accounts.kept_pages import serve_kept_page
    from app.local_time import utc_now
    from app.models import User
    from app.security import guard
    from app.web.request_text import refuse_broken_text
    from app.web.session_cookie import CheckedSessionInterface

    app.session_interface = CheckedSessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        from flask import flash, redirect, request, url_for
        from htmx_flask import request as hx_request

        flash(login_manager.login_message, "info")
        here = request.full_path if request.query_string else request.path
        target = url_for("auth.login", next=here if request.method == "GET" else None)
        if hx_request.htmx:  # a fragment request would swap the login page into the row
            return "", 401, {"HX-Redirect": target}
        return redirect(target)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The user of this browser's session, only while that session has not ended."""
        found = sessions.live(db.session(), int(user_id), session.get(sessions.SESSION_KEY))
        if found is None:
            return None
        user, user_session = found
        if sessions.due_a_touch(user_session, utc_now()):
            g.seen_session_id = user_session.id
        return user

    # First of all: a page kept for this very person and session (a GET the rate limits and CSRF checks let
    # through anyway), else the request goes on to them and to the guard.
    app.before_request_funcs.setdefault(None, []).insert(0, serve_kept_page)
    app.before_request(refuse_broken_text)
    app.before_request(guard)

    @app.after_request
    def note_last_seen(response: Response) -> Response:
        """At most every few minutes, note when a session was last seen (shown on /account). A
        hook commits here because no view owns this write; only after a request that went well."""
        session_id = g.pop("seen_session_id", None)
        if session_id is not None and response.status_code < 400:
            try:
                sessions.touch(db.session(), session_id, utc_now())
                db.session.commit()
            except SQLAlchemyError:
                db.session.rollback()
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config["APP_ENV"] == "production":  # served over HTTPS only: browsers keep to it
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def register_i18n(app: Flask) -> None:
    from app import vocabulary
    from app.periods import period_label
    from app.web.language import page_language

    babel.init_app(app, locale_selector=page_language)
    app.jinja_env.filters["vn_date"] = vocabulary.vn_date
    app.jinja_env.filters["period_label"] = period_label
    app.jinja_env.filters["number"] = vocabulary.number
    app.jinja_env.filters["percent"] = vocabulary.percent
    app.context_processor(vocabulary.template_globals)


def register_blueprints(app: Flask) -> None:
    from app.accounts.routes import bp as account_bp
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.documents.import_routes import bp as imports_bp
    from app.documents.routes import bp as documents_bp
    from app.indicators.routes import bp as indicators_bp
    from app.notifications import events  # noqa: F401  (its handlers listen to plans and reports)
    from app.notifications.routes import bp as notifications_bp
    from app.people.routes import bp as people_bp
    from app.petitions.routes import bp as petitions_bp
    from app.plan_templates.routes import bp as templates_bp
    from app.plan_templates.ward_routes import bp as ward_templates_bp
    from app.plans.routes import bp as plans_bp
    from app.progress.routes import bp as progress_bp
    from app.records.routes import bp as records_bp
    from app.reports.routes import bp as reports_bp
    from app.rollups.routes import bp as rollups_bp
    from app.units.routes import bp as units_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(people_bp, url_prefix="/u/<unit_slug>")
    app.register_blueprint(units_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(plans_bp, url_prefix="/u/<unit_slug>/plans")
    app.register_blueprint(admin_bp, url_prefix="/u/<unit_slug>")
    app.register_blueprint(records_bp, url_prefix="/u/<unit_slug>")
    app.register_blueprint(rollups_bp, url_prefix="/u/<unit_slug>")
    app.register_blueprint(petitions_bp, url_prefix="/u/<unit_slug>/petitions")
    app.register_blueprint(progress_bp, url_prefix="/u/<unit_slug>/plans")
    app.register_blueprint(ward_templates_bp, url_prefix="/u/<unit_slug>/plans")
    app.register_blueprint(indicators_bp, url_prefix="/u/<unit_slug>/plans")
    app.register_blueprint(documents_bp, url_prefix="/u/<unit_slug>/plans")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(reports_bp, url_prefix="/u/<unit_slug>/reports")
    app.register_blueprint(templates_bp, url_prefix="/u/<unit_slug>/templates")
    app.register_blueprint(imports_bp, url_prefix="/u/<unit_slug>")


def register_errors(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from app.backup.cli import backup_group
    from app.cli import demo_command, tenants_group
    from app.mail.cli import mail_group
    from app.notifications.cli import notify_group
    from app.people.cli import users_group
    from app.rollups.cli import rollups_group
    from app.units.cli import units_group

    app.cli.add_command(tenants_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(units_group)
    app.cli.add_command(notify_group)
    app.cli.add_command(users_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(rollups_group)
    app.cli.add_command(backup_group)


__all__ = ["create_app"]
