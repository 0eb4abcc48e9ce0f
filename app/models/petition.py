"""Petitions (đơn thư): complaints, denunciations, recommendations, feedback, and their extensions."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import VersionedRow, enum_column
from app.search import Searchable
from app.tenancy import UnitOwned


class PetitionKind(enum.StrEnum):
    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"
    RECOMMENDATION = "recommendation"
    FEEDBACK = "feedback"


class PetitionStatus(enum.StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    ACCEPTED = "accepted"
    IN_RESOLUTION = "in_resolution"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


CLOSED_STATUSES = frozenset({PetitionStatus.RESOLVED, PetitionStatus.WITHDRAWN, PetitionStatus.TRANSFERRED})


class Petition(VersionedRow, Searchable, UnitOwned, Model):
    """A petition received by the unit. The petitioner's identity is confidential (chairman, office)."""

    __tablename__ = "petitions"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        Index("ix_petitions_unit_received", "unit_id", "received_on"),
        Index("ix_petitions_unit_status", "unit_id", "status"),
    )
    # The identity is left out of the search text on purpose: searching must not reveal it,
    # and the audit log records only that it changed, never its value.
    __search_fields__ = ("summary", "source", "handler", "resolution")
    __confidential__ = ("petitioner_name", "petitioner_address", "petitioner_contact")

    received_on: Mapped[date]
    kind: Mapped[PetitionKind] = mapped_column(enum_column(PetitionKind))
    source: Mapped[str] = mapped_column(String(255), default="")
    petitioner_name: Mapped[str] = mapped_column(String(255), default="")
    petitioner_address: Mapped[str] = mapped_column(String(500), default="")
    petitioner_contact: Mapped[str] = mapped_column(String(255), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    handler: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[PetitionStatus] = mapped_column(enum_column(PetitionStatus), default=PetitionStatus.RECEIVED)
    complex_case: Mapped[bool] = mapped_column(default=False)
    # "đặc biệt phức tạp": a denunciation's resolution may then be extended twice (once for a complex case)
    very_complex: Mapped[bool] = mapped_column(default=False, server_default=false())
    remote_area: Mapped[bool] = mapped_column(default=False)
    second_resolution: Mapped[bool] = mapped_column(default=False)
    classified_on: Mapped[date | None]
    accepted_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    resolution: Mapped[str] = mapped_column(Text, default="")
    mediated: Mapped[bool] = mapped_column(default=False)
    above_level: Mapped[bool] = mapped_column(default=False)
    mass_complaint: Mapped[bool] = mapped_column(default=False)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class PetitionExtension(UnitOwned, Model):
    """One extension of a denunciation's resolution deadline, as decided and recorded."""

    __tablename__ = "petition_extensions"
    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "petition_id"], ["petitions.unit_id", "petitions.id"], ondelete="CASCADE"),
        Index("ix_petition_extensions_unit_petition", "unit_id", "petition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int]
    decided_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
