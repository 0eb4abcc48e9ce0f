"""Downloads of documents: a plan as Word, issued or draft (a report's Word file is served by app.reports)."""

from __future__ import annotations

from flask import abort, g
from flask.typing import ResponseReturnValue

from app.documents import bp
from app.documents.download import docx_response
from app.documents.nd30 import (
    closing_lines,
    governing_body_line,
    issuer_lines,
    number_line,
    place_and_date,
    recipient_lines,
    signature_lines,
)
from app.documents.plan_docx import plan_docx
from app.extensions import db
from app.models import PlanStatus
from app.plans import services
from app.plans.outline import plan_outline
from app.security import requires

# The page shows a document's header and signature block as its Word file prints them.
for helper in (closing_lines, governing_body_line, issuer_lines, number_line, place_and_date, recipient_lines,
               signature_lines):
    bp.add_app_template_global(helper)


@bp.get("/<int:year>.docx", endpoint="plan_docx")
@requires("plan.view")
def plan_docx_download(year: int) -> ResponseReturnValue:
    """The issued plan as Word; before it is issued, the draft ("DỰ THẢO", number and date blank),
    which offices circulate for comments."""
    plan = services.find_plan(db.session(), g.unit, year)
    if plan is None:
        abort(404)
    unit = g.unit
    body = plan_docx(plan, plan_outline(db.session(), plan), unit)
    name = f"ke-hoach-{unit.slug}-{year}.docx"
    return docx_response(body, name if plan.status == PlanStatus.ISSUED else f"du-thao-{name}")
