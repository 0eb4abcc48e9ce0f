"""The audit log of the units in scope."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
