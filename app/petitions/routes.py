"""Routes of the petitions feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("petitions", __name__)
