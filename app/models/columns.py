"""Column types shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Enum
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def enum_column(cls: type[enum.Enum]) -> Enum:
    """A string enum stored by value ("ward", "draft"), checked in Python, not a native DB enum."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda members: [m.value for m in members])


class Versioned:
    """A row edited by people who may have it open at the same time: `version` counts its changes,
    and a write based on an older version fails (StaleDataError, shown as an edit conflict)."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class VersionedRow(Versioned):
    """A versioned row with its own id and the moment it was created."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
