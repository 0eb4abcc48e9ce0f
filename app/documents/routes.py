"""Downloads of documents: the issued plan as Word (a report's Word file is served by app.reports)."""

from __future__ import annotations

from flask import abort, g
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from app.documents import bp
from app.documents.download import docx_response, parent_of
from app.documents.plan_docx import plan_docx
from app.errors import render_error
from app.extensions import db
from app.models import PlanStatus
from app.plans import services
from app.plans.outline import plan_outline
from app.security import requires


@bp.get("/<int:year>.docx", endpoint="plan_docx")
@requires("plan.view")
def plan_docx_download(year: int) -> ResponseReturnValue:
    plan = services.find_plan(db.session(), g.unit, year)
    if plan is None:
        abort(404)
    if plan.status != PlanStatus.ISSUED:
        return render_error(409, _l("Chỉ tải được bản Word của kế hoạch đã ban hành."))
    unit = g.unit
    body = plan_docx(plan, plan_outline(db.session(), plan), unit, parent_of(db.session(), unit))
    return docx_response(body, f"ke-hoach-{unit.slug}-{year}.docx")
