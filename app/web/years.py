"""The years a plan, a rollup or a filter may name: one rule for URLs and query arguments."""

from __future__ import annotations

from flask import abort

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a plan's year
# A filter may name any year records could carry (a year with none simply shows nothing).
FIRST_RECORD_YEAR, LAST_RECORD_YEAR = 1900, 2200


def is_plan_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def year_or_404(year: int) -> int:
    """`year` from a URL, or 404 when no plan could have it."""
    if not is_plan_year(year):
        abort(404)
    return year


def year_arg(value: int | None) -> int | None:
    """A plan's year from a query argument, or None (ignored) when no plan could have it."""
    return value if value is not None and is_plan_year(value) else None


def filter_year(value: int | None) -> int | None:
    """A year to filter records by, from a query argument, or None (ignored) when out of any range."""
    return value if value is not None and FIRST_RECORD_YEAR <= value <= LAST_RECORD_YEAR else None
