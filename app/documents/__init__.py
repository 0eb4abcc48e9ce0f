"""Documents out: Word files in the administrative format of Nghị định 30/2020/NĐ-CP."""

from flask import Blueprint

imports_bp = Blueprint("imports", __name__)

bp = Blueprint("documents", __name__)
