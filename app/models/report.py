"""Periodic reports of a ward to its parent unit: six-month review, annual review, or one the
parent requested with a due date. The indicator values are frozen into the report when it is sent."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import VersionedRow, enum_column
from app.tenancy import UnitOwned


class ReportKind(enum.StrEnum):
    SIX_MONTH = "six_month"
    ANNUAL = "annual"
    REQUESTED = "requested"


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"


class Report(VersionedRow, UnitOwned, Model):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "plan_id"], ["plans.unit_id", "plans.id"], ondelete="CASCADE"),
        Index("ix_reports_unit_period", "unit_id", "period", "kind"),
        # One six-month and one annual review per period; requested reports may be several.
        Index(
            "uq_reports_unit_kind_period",
            "unit_id",
            "kind",
            "period",
            unique=True,
            sqlite_where=text("kind != 'requested'"),
            postgresql_where=text("kind <> 'requested'"),
        ),
    )

    plan_id: Mapped[int]
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    period: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(40))  # "Số: 07/BC-UBND" on the Word file
    due_on: Mapped[date]
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DRAFT)
    results: Mapped[str] = mapped_column(Text, default="")
    strengths_shortcomings: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    frozen_indicators: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    sent_on: Mapped[date | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_by: Mapped[str] = mapped_column(String(120), default="")
    reviewed_on: Mapped[date | None]
    reviewed_by: Mapped[str] = mapped_column(String(120), default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")

    @property
    def editable(self) -> bool:
        """Drafts and returned reports can be changed; sent and acknowledged ones cannot."""
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def on_time(self) -> bool | None:
        """Sent by its due date? None while not sent."""
        if self.sent_on is None or self.status not in (ReportStatus.SENT, ReportStatus.ACKNOWLEDGED):
            return None
        return self.sent_on <= self.due_on
