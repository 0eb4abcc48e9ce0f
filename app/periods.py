"""Reporting periods of indicators: a year, a half year, a quarter or a month ("2025", "2025-H1",
"2025-Q3", "2025-07"), each a range of days."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
QUARTER_NUMERALS = ("I", "II", "III", "IV")


class PeriodError(ValueError):
    """Not a period code this product knows."""


@dataclass(frozen=True)
class ReportingPeriod:
    """A period an indicator is reported for; `code` is what URLs, forms and stored values use."""

    code: str
    kind: str  # year, half, quarter, month
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label(self) -> object:
        """"Năm 2025", "6 tháng đầu năm 2025", "Quý II/2025", "Tháng 03/2025" in the user's language."""
        if self.kind == "year":
            return _l("Năm %(year)s", year=self.year)
        if self.kind == "half":
            if self.start.month == 1:
                return _l("6 tháng đầu năm %(year)s", year=self.year)
            return _l("6 tháng cuối năm %(year)s", year=self.year)
        if self.kind == "quarter":
            return _l("Quý %(quarter)s/%(year)s", quarter=QUARTER_NUMERALS[(self.start.month - 1) // 3], year=self.year)
        return _l("Tháng %(month)s/%(year)s", month=f"{self.start.month:02d}", year=self.year)

    def month_starts(self) -> list[date]:
        """The first day of every month of the period."""
        return [date(self.year, m, 1) for m in range(self.start.month, self.end.month + 1)]

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def month_end(year: int, month: int) -> date:
    """The last day of `month`."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(code: str, kind: str, year: int, first: int, last: int) -> ReportingPeriod:
    return ReportingPeriod(code, kind, date(year, first, 1), month_end(year, last))


def parse_period(code: str) -> ReportingPeriod:
    """The period `code` stands for; PeriodError if it is not one."""
    match = PERIOD_RE.match(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise PeriodError(_l("Kỳ báo cáo không hợp lệ: %(code)s", code=code))
    year = int(match["year"])
    if match["half"]:
        first = 1 if match["half"] == "1" else 7
        return _months(f"{year}-H{match['half']}", "half", year, first, first + 5)
    if match["quarter"]:
        first = 3 * int(match["quarter"]) - 2
        return _months(f"{year}-Q{match['quarter']}", "quarter", year, first, first + 2)
    if match["month"]:
        month = int(match["month"])
        return _months(f"{year}-{month:02d}", "month", year, month, month)
    return _months(str(year), "year", year, 1, 12)


def period_label(code: str) -> str:
    """A period code in words ("2025-Q2" → "Quý II/2025"), for pages and exports; a code that is not
    a period is shown as it is."""
    try:
        return str(parse_period(code).label)
    except PeriodError:
        return code


def periods_of_year(year: int, kind: str) -> list[ReportingPeriod]:
    """Every period of `kind` (year, half, quarter, month) in `year`, in order."""
    codes = {
        "year": [str(year)],
        "half": [f"{year}-H{h}" for h in (1, 2)],
        "quarter": [f"{year}-Q{q}" for q in range(1, 5)],
        "month": [f"{year}-{m:02d}" for m in range(1, 13)],
    }
    if kind not in codes:
        raise PeriodError(f"unknown period kind {kind!r}")
    return [parse_period(c) for c in codes[kind]]


def period_choices(year: int) -> list[str]:
    """The period codes of a year: the year, its halves, quarters and months."""
    return [str(year), f"{year}-H1", f"{year}-H2", *(f"{year}-Q{q}" for q in range(1, 5)),
            *(f"{year}-{m:02d}" for m in range(1, 13))]


def as_of(year: int, today: date) -> date:
    """The day a year is judged on: today, or its last day once the year is over."""
    return min(today, date(year, 12, 31))
