"""Configuration read from the environment; production refuses to start without SECRET_KEY."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DEV_SECRET = "dev-only-not-secret"
LOCAL_ENVS = ("development", "testing")  # the only ones that may run without SECRET_KEY


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'dan-van.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Point bare postgres:// URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(env: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config for `env` (production, development or testing) from os.environ."""
    env = env or os.environ.get("APP_ENV", "production")
    secret = os.environ.get("SECRET_KEY")
    if env not in LOCAL_ENVS and not secret and not (overrides or {}).get("SECRET_KEY"):
        raise RuntimeError(
            f"SECRET_KEY is not set: refusing to start with APP_ENV={env}. "
            "Set SECRET_KEY (or APP_ENV=development for a local run)."
        )
    redis_url = os.environ.get("REDIS_URL")
    config: dict[str, Any] = {
        "APP_ENV": env,
        "SECRET_KEY": secret or DEV_SECRET,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or _sqlite_default()
        ),
        # On PostgreSQL, DATABASE_URL connects as this login role: it owns nothing, belongs to no
        # other role and bypasses no row-level security (app.database.use_app_role checks, and the
        # app refuses to run otherwise in production). README: "Database roles".
        "DB_APP_ROLE": os.environ.get("DB_APP_ROLE", "dan_van_app"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env not in LOCAL_ENVS,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env not in LOCAL_ENVS,
        # Number of trusted reverse proxies in front of the app (for the client address).
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed sign-ins only (a whole office shares one address): per address, and per account
        # from one address, so a stranger guessing elsewhere cannot lock the owner out.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "30 per minute;200 per hour"),
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_RATE_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour"),
        # Two-factor sign-in is optional; roles listed here must set it up (e.g. "chairman,town_admin").
        "TWO_FACTOR_REQUIRED_ROLES": tuple(
            r.strip() for r in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "").split(",") if r.strip()
        ),
        # Mail: SMTP when MAIL_SERVER is set; otherwise each message is saved under MAIL_DIR as .eml.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Dân vận chính quyền <no-reply@localhost>"),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail")),
        # The address links in mails point at (e.g. https://danvan.example.gov.vn); else the request's.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/"),
        # Uploads (evidence files) are refused above this size before they reach the app.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "64")) * 1024 * 1024,
        "EVIDENCE_MAX_BYTES": int(os.environ.get("EVIDENCE_MAX_MB", "10")) * 1024 * 1024,
        # Where `flask backup create` writes (default: instance/backups).
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", ""),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "DanVan@2025"),
        "TENANTS_DIR": os.environ.get(
            "TENANTS_DIR", str(Path(__file__).resolve().parent.parent / "tenants")
        ),
    }
    if env == "testing":
        config.update(TESTING=True, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    if os.environ.get("MIGRATION_DATABASE_URL"):
        config["MIGRATION_DATABASE_URL"] = normalise_database_url(os.environ["MIGRATION_DATABASE_URL"])
    config.update(overrides or {})
    # A server's connection may have gone (a restart): each is tried before use. A SQLite file cannot go.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                      {"pool_pre_ping": not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")})
    # Migrations (and backups) connect as the owner of the tables, the app itself never does; on
    # SQLite, or with no owner's URL given, both use the same database URL.
    config.setdefault("MIGRATION_DATABASE_URL", config["SQLALCHEMY_DATABASE_URI"])
    return config
