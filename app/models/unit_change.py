"""A reorganisation of units (merge, re-parent, dissolve) or a load of the official list, as applied:
what it did, step by step, so that it can be shown in the history and undone before it takes effect."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import enum_column


class UnitChangeKind(enum.StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    REPARENT = "reparent"
    DISSOLVE = "dissolve"


class UnitChange(Model):
    __tablename__ = "unit_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    acting_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # whose admin made it
    kind: Mapped[UnitChangeKind] = mapped_column(enum_column(UnitChangeKind))
    effective_on: Mapped[date]
    summary: Mapped[str] = mapped_column(String(500), default="")
    # The steps as applied (app/units/reorganise.py), with what each replaced: enough to undo it.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # every unit it touched
    actor: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    undone_at: Mapped[datetime | None]

    def can_undo(self, today: date) -> bool:
        """A change may be undone until the day it takes effect."""
        return self.undone_at is None and today < self.effective_on
