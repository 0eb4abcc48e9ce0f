"""Working days in Viet Nam: weekends and public holidays (the `holidays` package, with its
announced swaps) plus the extra days off kept as data in tenants/legal/days_off.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path

import holidays
import yaml


@cache
def _public_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("VN")


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days a People's Committee works."""

    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    # Cached per calendar and day: a rollup or the overdue list asks for the same days thousands of times.
    @lru_cache(maxsize=65_536)  # noqa: B019 (calendars are few and live as long as the process)
    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return _public_holidays().is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    @lru_cache(maxsize=65_536)  # noqa: B019
    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself is not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


def _days(entry: dict[str, object]) -> list[date]:
    start, end = entry["from"], entry.get("to", entry["from"])
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValueError(f"bad date range in days_off.yaml: {entry!r}")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def load_calendar(directory: str) -> WorkingCalendar:
    """The calendar described by `<directory>/days_off.yaml`, read again whenever the file changes."""
    path = Path(directory) / "days_off.yaml"
    return _read_calendar(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _read_calendar(path: str, modified: int) -> WorkingCalendar:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    off = {day for entry in data.get("days_off") or [] for day in _days(entry)}
    working = {
        day
        for entry in data.get("working_days") or []
        for day in _days(entry if isinstance(entry, dict) else {"from": entry})
    }
    return WorkingCalendar(frozenset(off), frozenset(working))
