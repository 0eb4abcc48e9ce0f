"""A ward's rollup figures for one period, kept so that a parent's rollup reads one row per ward
instead of the year's records (app/rollups/figures.py keeps them equal to the records)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.tenancy import UnitOwned


class RollupFigures(UnitOwned, Model):
    __tablename__ = "rollup_figures"
    __table_args__ = (PrimaryKeyConstraint("unit_id", "year", "period"),)

    year: Mapped[int]  # the plan's year
    period: Mapped[str] = mapped_column(String(10))  # "2025", "2025-H1", "2025-Q2", "2025-05"
    # The figures hold for the ward's data at `version` (units.data_version), seen between two due
    # dates: `as_of` is the last due date passed (the overdue count changes only when one passes).
    version: Mapped[int]
    as_of: Mapped[date]
    computed_at: Mapped[datetime]
    tasks_total: Mapped[float | None]
    tasks_done: Mapped[float | None]
    tasks_overdue: Mapped[float | None]
    receptions_held: Mapped[float | None]
    receptions_required: Mapped[float | None]
    dialogues: Mapped[float | None]
    petitions_received: Mapped[float | None]
    petitions_resolved: Mapped[float | None]
    petitions_on_time: Mapped[float | None]
    models: Mapped[float | None]
    posts: Mapped[float | None]
    # Every indicator of the ward's plan for the period, as plain data (IndicatorResult.as_data), once a
    # reader asked for them all (the API's rollup); None when only the figures above were computed.
    indicators: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
