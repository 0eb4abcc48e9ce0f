"""What a Word download needs around the document itself: the issuing unit's parent (a report's
recipient) and the attachment response."""

from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session

from app.models import Unit

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parent_of(session: Session, unit: Unit) -> Unit | None:
    """The unit above `unit` (to which its reports go), if any."""
    return session.get(Unit, unit.parent_id) if unit.parent_id else None


def docx_response(body: bytes, filename: str) -> Response:
    """`body` as a Word attachment named `filename` (ASCII, with its .docx extension)."""
    response = Response(body, mimetype=DOCX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
