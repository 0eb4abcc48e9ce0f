"""A change of a plan template offered to a ward's plan, which the ward accepts or declines."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import VersionedRow, enum_column
from app.tenancy import UnitOwned


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # a newer revision was published before the ward answered


class PlanProposal(VersionedRow, UnitOwned, Model):
    """Template revision `from_revision` → `to_revision`, as it would change one ward's plan.

    `changes` is a list of {"op": "add" | "remove" | "change", "key", "section", "text", "old_text",
    "owner_role", "schedule", ...} for tasks and {"op": "document", "field", "old_value", "value"} for
    the document's own words: the template's own difference, in the ward's names. Once accepted,
    each change also says whether the ward took it ("taken").
    """

    __tablename__ = "plan_proposals"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "plan_id"], ["plans.unit_id", "plans.id"], ondelete="CASCADE"),
        Index("ix_plan_proposals_unit_plan", "unit_id", "plan_id", "status"),
    )

    plan_id: Mapped[int]
    template_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    from_revision: Mapped[int]
    to_revision: Mapped[int]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus), default=ProposalStatus.PENDING)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None]

    @property
    def taken(self) -> int:
        """How many of its changes the ward took (all of them, for a proposal answered as a whole)."""
        return sum(1 for change in self.changes if change.get("taken", True))
