"""The audit log page."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.admin import bp
from app.admin.services import PAGE_SIZE, audit_page
from app.database import bounded_int
from app.extensions import db
from app.security import requires


@bp.get("/audit")
@requires("audit.view")
def audit() -> ResponseReturnValue:
    rows = audit_page(db.session(), request.args.get("before", type=bounded_int))
    older = rows[-1][0].id if len(rows) == PAGE_SIZE else None
    return render_template("admin/audit.html", rows=rows, older=older)
