"""A unit's yearly plan (or a plan template): sections in an ordered tree, and their tasks."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import Versioned, VersionedRow, enum_column
from app.models.user import Role
from app.tenancy import PlanContent


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ISSUED = "issued"


class Schedule(enum.StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ONGOING = "ongoing"


class Plan(VersionedRow, PlanContent, Model):
    __tablename__ = "plans"
    __table_args__ = (
        # Rows of a plan reference it by (unit_id, id): a task can never belong to another
        # unit's plan, and the keys already include the column a distributed database shards by.
        UniqueConstraint("unit_id", "id"),
        Index("ix_plans_unit_year", "unit_id", "year"),
        Index(
            "uq_plans_unit_year_plan",
            "unit_id",
            "year",
            unique=True,
            sqlite_where=text("is_template = 0"),
            postgresql_where=text("NOT is_template"),
        ),
        Index(
            "uq_plans_template_code_revision",
            "code",
            "revision",
            unique=True,
            sqlite_where=text("is_template = 1"),
            postgresql_where=text("is_template"),
        ),
    )

    year: Mapped[int]
    code: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(255), default="")
    revision: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Templates: the unit whose names the text uses; plans: the template copied and its revision.
    source_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    template_revision: Mapped[int | None]
    heading: Mapped[str] = mapped_column(String(120), default="KẾ HOẠCH")
    title: Mapped[str] = mapped_column(Text)
    preamble: Mapped[str] = mapped_column(Text, default="")
    legal_bases: Mapped[list[str]] = mapped_column(JSON, default=list)
    closing: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    signer_title: Mapped[str] = mapped_column(String(120), default="CHỦ TỊCH")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus), default=PlanStatus.DRAFT)
    number: Mapped[str | None] = mapped_column(String(40))
    issued_on: Mapped[date | None]
    # The day it was first issued, kept when it is reopened: progress is recorded on a plan that is or has
    # been issued (a draft's number and date may come from an imported file).
    first_issued_on: Mapped[date | None]

    @property
    def editable(self) -> bool:
        """Plans and templates are edited while they are drafts (a template's draft revision)."""
        return self.status == PlanStatus.DRAFT

    @property
    def takes_progress(self) -> bool:
        """Progress is recorded on a ward's plan once it has been issued (also while reopened to amend it)."""
        return self.first_issued_on is not None

    @property
    def published(self) -> bool:
        """A template revision wards may copy: it is issued and can no longer change."""
        return self.is_template and self.status == PlanStatus.ISSUED


class PlanSection(Versioned, PlanContent, Model):
    __tablename__ = "plan_sections"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "plan_id"], ["plans.unit_id", "plans.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["unit_id", "parent_id"], ["plan_sections.unit_id", "plan_sections.id"], ondelete="CASCADE"
        ),
        Index("ix_plan_sections_unit_plan", "unit_id", "plan_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int]
    parent_id: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    number: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="contents")
    template_section_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_sections.id", ondelete="SET NULL")
    )


class Task(Versioned, PlanContent, Model):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "plan_id"], ["plans.unit_id", "plans.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["unit_id", "section_id"], ["plan_sections.unit_id", "plan_sections.id"], ondelete="CASCADE"
        ),
        Index("ix_tasks_unit_plan", "unit_id", "plan_id", "section_id", "position"),
        Index("ix_tasks_schedule", "schedule"),  # the overdue list: only the schedules whose due date passed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int]
    section_id: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str | None] = mapped_column(String(40))
    style: Mapped[str] = mapped_column(String(20), default="bullet")
    text: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[Role] = mapped_column(enum_column(Role))
    schedule: Mapped[Schedule] = mapped_column(enum_column(Schedule))
    template_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    # Year rollover: the task of last year's plan this one continues, and whether it was unfinished.
    previous_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    carried_over: Mapped[bool] = mapped_column(default=False, server_default=false())
