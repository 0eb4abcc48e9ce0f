"""Indicators (chỉ tiêu): definitions carried by plans, values per period computed from the records."""

from flask import Blueprint

bp = Blueprint("indicators", __name__)
