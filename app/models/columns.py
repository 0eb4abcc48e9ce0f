"""Column types shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(cls: type[enum.Enum]) -> Enum:
    """A string enum stored by value ("ward", "draft"), checked in Python, not a native DB enum."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda members: [m.value for m in members])
