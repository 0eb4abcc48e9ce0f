"""Legal deadlines of petitions, from effective-dated rules kept as data (tenants/legal/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from app.law.working_days import WorkingCalendar


class DeadlineRuleError(ValueError):
    """No rule applies, or the case asks for more than the rule allows."""


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    name: str
    count: str  # "days" or "working_days"
    days: int
    effective_from: date
    effective_to: date | None = None
    complex_days: int | None = None
    remote_days: int | None = None
    remote_complex_days: int | None = None
    extension_days: int = 0
    max_extensions: int = 0
    source: str = ""  # the law and article that set it

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def length(self, *, complex_case: bool, remote: bool) -> int:
        """Days allowed for a case, before extensions."""
        if remote and complex_case and self.remote_complex_days:
            return self.remote_complex_days
        if remote and self.remote_days:
            return self.remote_days
        if complex_case and self.complex_days:
            return self.complex_days
        return self.days


def load_rules(directory: str) -> tuple[DeadlineRule, ...]:
    """The rules of `<directory>/deadline_rules.yaml`, read again whenever the file changes (an amendment
    entered there applies without restarting the app)."""
    path = Path(directory) / "deadline_rules.yaml"
    return _read_rules(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _read_rules(path: str, modified: int) -> tuple[DeadlineRule, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    rules = []
    for entry in data.get("rules") or []:
        if entry.get("count") not in ("days", "working_days"):
            raise DeadlineRuleError(f"rule {entry.get('code')!r}: count must be days or working_days")
        rules.append(DeadlineRule(**entry))
    return tuple(rules)


def rule_for(rules: tuple[DeadlineRule, ...], code: str, received: date) -> DeadlineRule:
    """The rule `code` in force on the day the petition was received."""
    for rule in rules:
        if rule.code == code and rule.applies_on(received):
            return rule
    raise DeadlineRuleError(f"no rule {code!r} in force on {received.isoformat()}")


def deadline(
    rule: DeadlineRule,
    calendar: WorkingCalendar,
    received: date,
    *,
    complex_case: bool = False,
    remote: bool = False,
    extensions: int = 0,
) -> date:
    """The last day allowed by `rule` for a petition received on `received`."""
    if not 0 <= extensions <= rule.max_extensions:
        raise DeadlineRuleError(f"{rule.code}: at most {rule.max_extensions} extension(s)")
    days = rule.length(complex_case=complex_case, remote=remote) + extensions * rule.extension_days
    if rule.count == "working_days":
        return calendar.add_working_days(received, days)
    return calendar.next_working_day(received + timedelta(days=days))
