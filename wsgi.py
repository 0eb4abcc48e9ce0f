"""Entry point for `gunicorn wsgi:app` (production unless APP_ENV says otherwise)."""

import gc

from app import create_app

app = create_app()
# What start-up made (the app, its models and SQLAlchemy's metadata) lives as long as the worker: frozen, the
# garbage collector's full passes no longer walk it each time a large page (a country's overdue list, 13,000
# petitions) makes many objects, which cost that page 100-200 ms. bench/pages.py freezes the same way.
gc.freeze()
