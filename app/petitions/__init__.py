"""Petitions (đơn thư): the register, legal deadlines, status changes, extensions."""

from flask import Blueprint

bp = Blueprint("petitions", __name__)
