"""Reading the audit log of the units in scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Unit

PAGE_SIZE = 100


def audit_page(session: Session, before_id: int | None = None) -> list[tuple[AuditEntry, Unit]]:
    """The newest entries visible in scope (older than `before_id` if given), with their unit."""
    query = select(AuditEntry, Unit).join(Unit, Unit.id == AuditEntry.unit_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(session.execute(query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE)).tuples())
