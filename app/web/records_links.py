"""Links from a figure to the records it counts: every number can be traced to its rows."""

from __future__ import annotations

from typing import Any

from flask import url_for

# Where the records of each register are listed.
RECORDS_OF_REGISTER: dict[str, tuple[str, dict[str, Any]]] = {
    "tasks": ("progress.overview", {}),
    "receptions": ("records.receptions_list", {}),
    "dialogues": ("records.dialogues_list", {}),
    "petitions": ("petitions.index", {}),
    "models": ("records.models_list", {}),
    "posts": ("records.posts_list", {}),
    "meetings": ("records.meetings_list", {}),
}


def records_url(register: str | None, year: int, period: str | None = None, **unit: str) -> str | None:
    """The list of the records of `register` for `year` (narrowed to a month, quarter or half where the
    list can), in the current unit or the one `unit_slug=` names; None for a register with no list."""
    target = RECORDS_OF_REGISTER.get(register or "")
    if target is None:
        return None
    endpoint, extra = target
    if period and period != str(year) and endpoint.startswith("records."):
        extra = {**extra, "period": period}
    values: dict[str, Any] = {**unit, **extra}
    return url_for(endpoint, year=year, **values)
