"""Legal deadlines of petitions, checked by hand against the calendar (weekends, holidays, Tết,
the government's swapped Saturdays) and the rules kept as data in tenants/legal/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.law.deadline_rules import DeadlineRuleError, deadline, load_rules, rule_for
from app.law.working_days import WorkingCalendar, load_calendar

LEGAL = str(Path(__file__).resolve().parents[1] / "tenants" / "legal")
D = date

# (rule, received, complex, remote, extensions, expected deadline, why)
CASES = [
    ("petition.classification", D(2025, 1, 23), False, False, 0, D(2025, 2, 13),
     "Thu before Tết 2025: Fri 24/1 counts, 25/1–2/2 off, then nine more working days"),
    ("petition.classification", D(2025, 1, 24), False, False, 0, D(2025, 2, 14),
     "the last working day before Tết 2025 (a Friday)"),
    ("complaint.acceptance", D(2025, 1, 22), False, False, 0, D(2025, 2, 3),
     "10 days lands on Sat 1/2, inside Tết 2025: moves to Mon 3/2"),
    ("complaint.first_resolution", D(2025, 1, 20), False, False, 0, D(2025, 2, 19),
     "30 calendar days run through Tết and end on a working Wednesday"),
    ("petition.classification", D(2026, 2, 13), False, False, 0, D(2026, 3, 6),
     "Fri before Tết 2026 (14/2–22/2 off)"),
    ("complaint.acceptance", D(2026, 2, 5), False, False, 0, D(2026, 2, 23),
     "10 days lands on Sun 15/2 inside Tết 2026: moves to Mon 23/2"),
    ("denunciation.resolution", D(2026, 1, 19), False, False, 0, D(2026, 2, 23),
     "30 days lands on Wed 18/2, Tết 2026: moves to Mon 23/2"),
    ("petition.classification", D(2025, 3, 7), False, False, 0, D(2025, 3, 21),
     "received on a Friday: two full weeks"),
    ("complaint.acceptance", D(2025, 3, 7), False, False, 0, D(2025, 3, 17),
     "received on a Friday, 10 calendar days: Monday"),
    ("petition.classification", D(2025, 4, 30), False, False, 0, D(2025, 5, 16),
     "received on a holiday (30/4); 1/5 holiday and 2/5 day off do not count"),
    ("petition.classification", D(2025, 4, 24), False, False, 0, D(2025, 5, 12),
     "Sat 26/4/2025 is a working day in exchange for Fri 2/5"),
    ("petition.classification", D(2026, 8, 20), False, False, 0, D(2026, 9, 7),
     "Sat 22/8/2026 works in exchange for Mon 31/8; 1/9 and 2/9 are National Day"),
    ("denunciation.resolution", D(2025, 3, 3), False, False, 1, D(2025, 5, 5),
     "extended once: 60 days lands on Fri 2/5 (day off): Mon 5/5"),
    ("denunciation.resolution", D(2025, 3, 3), False, False, 2, D(2025, 6, 2),
     "extended twice: 90 days lands on Sun 1/6: Mon 2/6"),
    ("complaint.first_resolution", D(2025, 7, 1), True, False, 0, D(2025, 8, 15),
     "complex case: 45 days"),
    ("complaint.first_resolution", D(2025, 7, 1), True, True, 0, D(2025, 9, 3),
     "remote and complex: 60 days lands on Sat 30/8; 1/9 and 2/9 are holidays"),
    ("complaint.second_resolution", D(2025, 12, 1), False, False, 0, D(2026, 1, 15),
     "second resolution: 45 days"),
    ("complaint.second_resolution", D(2025, 12, 1), True, True, 0, D(2026, 2, 9),
     "second resolution, remote and complex: 70 days"),
    ("petition.classification", D(2026, 11, 24), False, False, 0, D(2026, 12, 8),
     "received on Ngày Văn hóa Việt Nam (24/11); counting starts the next day"),
]


@pytest.mark.parametrize("code,received,complex_case,remote,extensions,expected,why", CASES,
                         ids=[f"{c[0]}-{c[1].isoformat()}-{c[4]}" for c in CASES])
def test_hand_checked_deadlines(code, received, complex_case, remote, extensions, expected, why):
    rule = rule_for(load_rules(LEGAL), code, received)
    result = deadline(rule, load_calendar(LEGAL), received, complex_case=complex_case, remote=remote,
                      extensions=extensions)
    assert result == expected, why


def test_a_denunciation_cannot_be_extended_a_third_time():
    rule = rule_for(load_rules(LEGAL), "denunciation.resolution", D(2025, 3, 3))
    with pytest.raises(DeadlineRuleError):
        deadline(rule, load_calendar(LEGAL), D(2025, 3, 3), extensions=3)


def test_the_tet_breaks_kept_as_data_are_days_off():
    calendar = load_calendar(LEGAL)
    assert not any(calendar.is_working_day(D(2025, 1, d)) for d in range(25, 32))
    assert not calendar.is_working_day(D(2025, 2, 2)) and calendar.is_working_day(D(2025, 2, 3))
    assert not calendar.is_working_day(D(2026, 2, 20)) and calendar.is_working_day(D(2026, 2, 23))


def test_an_extra_day_off_announced_as_data_moves_deadlines():
    plain = WorkingCalendar()
    announced = WorkingCalendar(extra_days_off=frozenset({D(2025, 3, 14)}))
    assert plain.add_working_days(D(2025, 3, 13), 1) == D(2025, 3, 14)
    assert announced.add_working_days(D(2025, 3, 13), 1) == D(2025, 3, 17)
    swapped = WorkingCalendar(extra_working_days=frozenset({D(2025, 3, 15)}))
    assert swapped.add_working_days(D(2025, 3, 14), 1) == D(2025, 3, 15)


def test_rules_are_effective_dated():
    rules = load_rules(LEGAL)
    with pytest.raises(DeadlineRuleError):
        rule_for(rules, "complaint.acceptance", D(1999, 12, 31))
    with pytest.raises(DeadlineRuleError):
        rule_for(rules, "no.such.rule", D(2025, 1, 1))
