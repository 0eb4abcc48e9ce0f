"""The life of a plan template: revisions, publishing, proposals to wards, and differences."""

from flask import Blueprint

bp = Blueprint("templates", __name__)

ward_bp = Blueprint("ward_templates", __name__)
