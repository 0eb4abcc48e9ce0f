"""Entry point for `gunicorn wsgi:app` (production unless APP_ENV says otherwise)."""

from app import create_app

app = create_app()
