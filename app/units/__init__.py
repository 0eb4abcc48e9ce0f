"""A unit's home page: the ward's dashboard, or the parent's overview of its wards."""

from flask import Blueprint

bp = Blueprint("units", __name__)
