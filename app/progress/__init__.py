"""Task progress: updates with evidence files, per period for recurring tasks."""

from flask import Blueprint

bp = Blueprint("progress", __name__)
