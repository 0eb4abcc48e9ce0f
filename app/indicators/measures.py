"""The fixed vocabulary computed indicators are written in: registers, measures and filters.

An indicator definition names a register (where the records are), a measure (what is counted)
and an optional filter ({"kind": "complaint"} or {"kind": ["complaint", "denunciation"]}). A new
indicator needs no code as long as it uses these words. Each measure combines named "parts"
(aggregates the register's query computes, see app/indicators/queries.py).

How records fall into a period:
- receptions, dialogues, posts, meetings: by their date (held_on, published_on);
- petitions: received ones by received_on; resolved ones by closed_on (status resolved);
  on time when closed by the legal deadline of app/petitions/deadlines.py;
- models: those of the period's year; recognised ones once recognised_on (if set) has come;
- tasks: the plan's tasks; done and overdue as app/progress/schedule.py defines due dates
  (done in the period: every month/quarter due in it reported done, or for once and ongoing
  tasks a done update by its end; overdue: the last due date of the period that has passed
  before today has no done update).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import (
    Dialogue,
    IndicatorSource,
    Meeting,
    MeetingKind,
    ModelField,
    ModelStatus,
    Petition,
    PetitionKind,
    PetitionStatus,
    Post,
    PostChannel,
    Reception,
    Role,
    Schedule,
    SkilfulModel,
    Task,
)

Number = int | float


class IndicatorDefinitionError(ValueError):
    """An indicator definition uses a register, measure or filter outside the vocabulary."""


class RecordKind(enum.StrEnum):
    TASKS = "tasks"
    RECEPTIONS = "receptions"
    DIALOGUES = "dialogues"
    PETITIONS = "petitions"
    MODELS = "models"
    POSTS = "posts"
    MEETINGS = "meetings"


REGISTER_MODELS: dict[RecordKind, type] = {
    RecordKind.TASKS: Task,
    RecordKind.RECEPTIONS: Reception,
    RecordKind.DIALOGUES: Dialogue,
    RecordKind.PETITIONS: Petition,
    RecordKind.MODELS: SkilfulModel,
    RecordKind.POSTS: Post,
    RecordKind.MEETINGS: Meeting,
}

# Columns a filter may test, with the type their values are parsed into.
FILTERS: dict[RecordKind, dict[str, type]] = {
    RecordKind.TASKS: {"owner_role": Role, "schedule": Schedule, "key": str},
    RecordKind.RECEPTIONS: {},
    RecordKind.DIALOGUES: {"with_front": bool},
    RecordKind.PETITIONS: {
        "kind": PetitionKind,
        "status": PetitionStatus,
        "mediated": bool,
        "above_level": bool,
        "mass_complaint": bool,
        "complex_case": bool,
        "very_complex": bool,
        "remote_area": bool,
        "second_resolution": bool,
    },
    RecordKind.MODELS: {"field": ModelField, "status": ModelStatus},
    RecordKind.POSTS: {"channel": PostChannel},
    RecordKind.MEETINGS: {"kind": MeetingKind},
}

# Integer columns `sum:<column>` may add up.
SUMMABLE: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.RECEPTIONS: ("citizens", "cases"),
    RecordKind.DIALOGUES: ("participants",),
    RecordKind.MEETINGS: ("attendees",),
}
SUM_LABELS = {
    "citizens": _l("Tổng số lượt công dân được tiếp"),
    "cases": _l("Tổng số vụ việc"),
    "participants": _l("Tổng số người dự đối thoại"),
    "attendees": _l("Tổng số người dự hội nghị, tập huấn"),
}


@dataclass(frozen=True)
class Measure:
    """What a measure needs from its register's query, and how it turns that into a value."""

    parts: tuple[str, ...]
    combine: Callable[[Mapping[str, Number]], Number | None]
    label: str = ""
    lower_is_better: bool = False  # a target is then a ceiling ("no more than 0 overdue tasks")


def _count(part: str, label: str, *, lower_is_better: bool = False) -> Measure:
    return Measure((part,), lambda parts: parts[part], label, lower_is_better)


def _percent(numerator: str, denominator: str, label: str) -> Measure:
    def combine(parts: Mapping[str, Number]) -> float | None:
        if not parts[denominator]:
            return None
        return round(100 * parts[numerator] / parts[denominator], 1)

    return Measure((numerator, denominator), combine, label)


MEASURES: dict[RecordKind, dict[str, Measure]] = {
    RecordKind.TASKS: {
        "count": _count("total", _l("Số nhiệm vụ")),
        "count_done": _count("done", _l("Số nhiệm vụ hoàn thành")),
        "count_overdue": _count("overdue", _l("Số nhiệm vụ quá hạn"), lower_is_better=True),
        "percent_done": _percent("done", "total", _l("Tỷ lệ nhiệm vụ hoàn thành")),
    },
    RecordKind.RECEPTIONS: {
        "count": _count("count", _l("Số buổi tiếp công dân")),
        # The chairman receives citizens at least one day a week (Luật Tiếp công dân 2013, Điều 15).
        "required_receptions": _count("required_weeks", _l("Số buổi tiếp công dân phải tổ chức")),
    },
    RecordKind.DIALOGUES: {
        "count": _count("count", _l("Số cuộc đối thoại")),
        "count_with_front": _count("with_front", _l("Số cuộc đối thoại có Mặt trận tham gia")),
    },
    RecordKind.PETITIONS: {
        "count": _count("count", _l("Số đơn tiếp nhận")),
        "count_resolved": _count("resolved", _l("Số đơn đã giải quyết")),
        "count_resolved_on_time": _count("on_time", _l("Số đơn giải quyết đúng hạn")),
        "percent_resolved_on_time": _percent("on_time", "resolved", _l("Tỷ lệ đơn giải quyết đúng hạn")),
    },
    RecordKind.MODELS: {
        "count": _count("count", _l("Số mô hình đăng ký")),
        "count_recognised": _count("recognised", _l("Số mô hình được công nhận")),
    },
    RecordKind.POSTS: {"count": _count("count", _l("Số tin, bài"))},
    RecordKind.MEETINGS: {"count": _count("count", _l("Số hội nghị, buổi tập huấn"))},
}


def measure_for(register: str, name: str) -> Measure:
    """The measure `name` of `register` (including `sum:<column>`); IndicatorDefinitionError if none."""
    try:
        reg = RecordKind(register)
    except ValueError:
        raise IndicatorDefinitionError(
            f"register {register!r} is not one of {[r.value for r in RecordKind]}"
        ) from None
    if name.startswith("sum:") and name[4:] in SUMMABLE.get(reg, ()):
        return _count(name, SUM_LABELS[name[4:]])
    if name in MEASURES[reg]:
        return MEASURES[reg][name]
    known = sorted(MEASURES[reg]) + [f"sum:{c}" for c in SUMMABLE.get(reg, ())]
    raise IndicatorDefinitionError(f"measure {name!r} of {register!r} is not one of {known}")


def _parse_value(kind: type, value: Any) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if kind is str:
        if not isinstance(value, (str, int)):
            raise ValueError(value)
        return str(value)
    return kind(value)


def parse_filter(register: str, raw: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """{column: accepted values} for a definition's filter, values parsed (enum members, booleans)."""
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise IndicatorDefinitionError(f"filter must be a mapping, not {raw!r}")
    columns = FILTERS[RecordKind(register)]
    parsed: dict[str, list[Any]] = {}
    for column, value in raw.items():
        if column not in columns:
            raise IndicatorDefinitionError(f"{register} cannot be filtered on {column!r} (only {sorted(columns)})")
        values = value if isinstance(value, list) else [value]
        try:
            parsed[column] = [_parse_value(columns[column], v) for v in values]
        except ValueError:
            raise IndicatorDefinitionError(f"filter {column}: {value!r} is not a valid value") from None
        if not parsed[column]:
            raise IndicatorDefinitionError(f"filter {column}: no value")
    return parsed


def check_definition(source: str, register: str | None, measure: str | None, filter: Any) -> None:
    """Refuse a definition outside the vocabulary (IndicatorDefinitionError says why)."""
    try:
        kind = IndicatorSource(source)
    except ValueError:
        raise IndicatorDefinitionError(f"source must be computed or entered, not {source!r}") from None
    if kind == IndicatorSource.ENTERED:
        if register or measure or filter:
            raise IndicatorDefinitionError("an entered indicator has no register, measure or filter")
        return
    if not register or not measure:
        raise IndicatorDefinitionError("a computed indicator needs a register and a measure")
    measure_for(register, measure)
    parse_filter(register, filter)
