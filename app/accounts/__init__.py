"""A person's own account: sessions, passwords, single-use links, two-factor sign-in."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
