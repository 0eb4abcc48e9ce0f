"""The read-only JSON API under /api/v1, authenticated by personal API tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__)

tokens_bp = Blueprint("api_tokens", __name__)
