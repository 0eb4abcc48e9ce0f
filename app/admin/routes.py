"""The audit log page: who did what, when, in words; filtered by who, what and when, a page at a time."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.admin import bp
from app.admin.services import PAGE_SIZE, AuditFilters, audit_choices, audit_page
from app.database import bounded_int
from app.extensions import db
from app.forms_base import day_arg, drop_nul
from app.security import requires


@bp.get("/audit")
@requires("audit.view")
def audit() -> ResponseReturnValue:
    names, actions = audit_choices(db.session())
    who, action = str(drop_nul(request.args.get("who", ""))), request.args.get("action", "")
    filters = AuditFilters(who=who if who in names else "", action=action if action in actions else "",
                           since=day_arg(request.args.get("since", "")), until=day_arg(request.args.get("until", "")))
    rows = audit_page(db.session(), request.args.get("before", type=bounded_int), filters)
    older = rows[-1][0].id if len(rows) == PAGE_SIZE else None
    query = {key: value for key, value in (("who", filters.who), ("action", filters.action),
                                           ("since", request.args.get("since", "") if filters.since else ""),
                                           ("until", request.args.get("until", "") if filters.until else "")) if value}
    return render_template("admin/audit.html", rows=rows, older=older, names=names, actions=actions,
                           filters=filters, query=query)
