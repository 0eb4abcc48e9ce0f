"""The legal book: the deadline rules and the working-day calendar kept as data in tenants/legal/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.law.deadline_rules import DeadlineRule, load_rules
from app.law.working_days import WorkingCalendar, load_calendar


@dataclass(frozen=True)
class LegalBook:
    """The deadline rules and the working-day calendar kept as data in tenants/legal/."""

    rules: tuple[DeadlineRule, ...]
    calendar: WorkingCalendar


def legal_book(directory: Path | str) -> LegalBook:
    """The rules and calendar of `directory` (each file read once, and again whenever it changes)."""
    return LegalBook(load_rules(str(directory)), load_calendar(str(directory)))
