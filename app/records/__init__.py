"""What the ward records through the year: receptions, dialogues, models, posts, meetings."""

from flask import Blueprint

bp = Blueprint("records", __name__)
