"""Notifications: what is due, told once to the right people, in the app (a bell, a page)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
