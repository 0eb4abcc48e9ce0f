"""A unit's yearly plan: creating it from the template, editing the draft, submitting and issuing it."""

from flask import Blueprint

bp = Blueprint("plans", __name__)
