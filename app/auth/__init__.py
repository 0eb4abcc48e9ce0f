"""Signing in and out, joining by invitation, a forgotten password, the language switch."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
