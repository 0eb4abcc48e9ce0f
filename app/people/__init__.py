"""The people of a unit: who holds which role, invitations, deactivation (DESIGN §3)."""

from flask import Blueprint

bp = Blueprint("people", __name__)
