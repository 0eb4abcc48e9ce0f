"""Pages that exist only under some units' addresses, and what a parent's kept pages are keyed by."""

from __future__ import annotations

import hashlib
from functools import reduce

from flask import abort, g
from sqlalchemy import ColumnElement, String, cast, func, literal_column, select

from app.extensions import statement_bind
from app.models.unit import DESCENDANTS, Unit
from app.raw_statement import RawSelect


def parent_unit_or_404() -> None:
    """Pages of the units above the wards (templates, their imports): under a ward's address they do not exist."""
    if g.unit.is_tenant:
        abort(404)


# What a parent's pages show of the units below it: which they are, where they stand in the tree, their
# names, and the version of their records (every write of a ward's rows bumps it: app/rollups/figures),
# as one text the database writes (a row per unit, by id), not a country's 3,358 rows converted here.
_SHOWN = (Unit.id, Unit.parent_id, Unit.parent_since, Unit.slug, Unit.code, Unit.name, Unit.kind, Unit.started_on,
          Unit.ended_on, Unit.successor_id, Unit.data_version)
_FIELD, _ROW, _EMPTY = (literal_column(f"'{text}'", String) for text in ("\x1f", "\x1e", ""))  # no parameters


def _joined(text: ColumnElement[str], column: ColumnElement[str]) -> ColumnElement[str]:
    return text + _FIELD + column


_FIELDS: list[ColumnElement[str]] = [func.coalesce(cast(c, String), _EMPTY) for c in _SHOWN]
_BELOW = (select(Unit.id, reduce(_joined, _FIELDS).label("unit"))
          .where(Unit.id.in_(DESCENDANTS)).order_by(Unit.id).subquery())
# A separator given as a column, not as a parameter: the raw statement is given only its named parameters.
_UNITS_BELOW = RawSelect(select(func.aggregate_strings(_BELOW.c.unit, _ROW)))  # type: ignore[arg-type]


def units_below_version(unit_id: int) -> str:
    """A digest of the units below `unit_id` and of their records' versions, for the keys of a parent's
    kept pages; one statement (no ward's rows), read once per request."""
    versions: dict[int, str] = g.setdefault("units_below_versions", {})  # asked twice when not kept
    if unit_id not in versions:
        [(below,)] = _UNITS_BELOW.rows(statement_bind(), {"lineage_start": unit_id})
        versions[unit_id] = hashlib.sha256((below or "").encode()).hexdigest()
    return versions[unit_id]
