"""Progress recorded against a plan's tasks, with evidence files kept in the database."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import Model
from app.models.columns import enum_column
from app.tenancy import UnitOwned


class ProgressStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TaskUpdate(UnitOwned, Model):
    """One progress report on a task (for one period of a recurring task)."""

    __tablename__ = "task_updates"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
        ForeignKeyConstraint(["unit_id", "task_id"], ["tasks.unit_id", "tasks.id"], ondelete="CASCADE"),
        Index("ix_task_updates_unit_task", "unit_id", "task_id", "reported_on"),
        # The overdue list: the updates of the periods it asks about. Partial: most updates are of ongoing
        # tasks, without a period, and a full index made SQLite's planner prefer the scope's unit ids.
        Index("ix_task_updates_period", "period_start", postgresql_where=text("period_start IS NOT NULL"),
              sqlite_where=text("period_start IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int]
    reported_on: Mapped[date]
    # The first day of the period reported on (month or quarter); None for once/ongoing tasks.
    period_start: Mapped[date | None]
    percent: Mapped[int] = mapped_column(default=0)
    status: Mapped[ProgressStatus] = mapped_column(enum_column(ProgressStatus), default=ProgressStatus.IN_PROGRESS)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))


class Evidence(UnitOwned, Model):
    """A file attached to a progress update (PDF, Word, Excel or an image)."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        ForeignKeyConstraint(
            ["unit_id", "update_id"], ["task_updates.unit_id", "task_updates.id"], ondelete="CASCADE"
        ),
        Index("ix_evidence_files_unit_update", "unit_id", "update_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
