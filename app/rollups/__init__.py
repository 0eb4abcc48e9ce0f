"""The parent unit's view: its wards side by side, overdue lists, exports."""

from flask import Blueprint

bp = Blueprint("rollups", __name__)
