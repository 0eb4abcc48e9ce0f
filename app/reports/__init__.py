"""Periodic reports of a ward to its parent: drafted, sent, acknowledged or returned."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
