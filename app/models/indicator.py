"""Indicators (chỉ tiêu) of a plan: definitions carried by the plan (and its template), and the
values entered by hand per period. Computed values are never stored: they come from the records."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import Versioned, VersionedRow, enum_column
from app.tenancy import PlanContent, UnitOwned


class IndicatorSource(enum.StrEnum):
    COMPUTED = "computed"  # from a register of records, by a measure (app/indicators/measures.py)
    ENTERED = "entered"  # typed in by the ward, one value per period


class IndicatorDefinition(Versioned, PlanContent, Model):
    """One indicator of a plan or plan template: what is counted, in which unit, against which target."""

    __tablename__ = "indicator_definitions"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "plan_id", "code"),
        ForeignKeyConstraint(["unit_id", "plan_id"], ["plans.unit_id", "plans.id"], ondelete="CASCADE"),
        Index("ix_indicator_definitions_unit_plan", "unit_id", "plan_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(40), default="")
    # The plan year's target (percentages hold for every period).
    target: Mapped[float | None] = mapped_column(Float)
    source: Mapped[IndicatorSource] = mapped_column(enum_column(IndicatorSource), default=IndicatorSource.COMPUTED)
    register: Mapped[str | None] = mapped_column(String(20))
    measure: Mapped[str | None] = mapped_column(String(40))
    filter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Keys of the plan's tasks this indicator reports on ("II.4.1").
    task_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    template_indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator_definitions.id", ondelete="SET NULL")
    )

    @property
    def computed(self) -> bool:
        return self.source == IndicatorSource.COMPUTED


class IndicatorValue(VersionedRow, UnitOwned, Model):
    """A value entered by hand for an indicator and a period ("2025", "2025-H1", "2025-Q2", "2025-03")."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("unit_id", "indicator_id", "period"),
        ForeignKeyConstraint(
            ["unit_id", "indicator_id"],
            ["indicator_definitions.unit_id", "indicator_definitions.id"],
            ondelete="CASCADE",
        ),
    )

    indicator_id: Mapped[int]
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[float]
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(120), default="")
