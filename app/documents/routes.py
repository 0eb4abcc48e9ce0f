"""Downloads of documents: the issued plan as Word."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask_babel import lazy_gettext as _l

from app.documents.plan_docx import plan_docx
from app.errors import render_error
from app.extensions import db
from app.models import PlanStatus, Unit
from app.plans import services
from app.plans.outline import plan_outline
from app.security import requires

bp = Blueprint("documents", __name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/<int:year>.docx", endpoint="plan_docx")
@requires("plan.view")
def plan_docx_download(year: int):  # type: ignore[no-untyped-def]
    plan = services.find_plan(db.session, g.unit, year)
    if plan is None:
        abort(404)
    if plan.status != PlanStatus.ISSUED:
        return render_error(409, _l("Chỉ tải được bản Word của kế hoạch đã ban hành."))
    unit = g.unit
    parent = db.session.get(Unit, unit.parent_id) if unit.parent_id else None
    body = plan_docx(plan, plan_outline(db.session, plan), unit, parent)
    response = Response(body, mimetype=DOCX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="ke-hoach-{unit.slug}-{year}.docx"'
    return response
