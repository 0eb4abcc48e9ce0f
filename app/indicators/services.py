"""Indicator values of a plan for a period, and of many wards at once, in a fixed number of
queries: one for the definitions, one per register used (two for on-time petitions), one for the
values entered by hand — whatever the number of indicators or wards."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.indicators.measures import (
    IndicatorDefinitionError,
    Measure,
    Number,
    RecordKind,
    measure_for,
    parse_filter,
)
from app.indicators.queries import REGISTER_PARTS, Batch, UnitParts, Wanted
from app.law.book import LegalBook
from app.local_time import local_today
from app.models import IndicatorDefinition, IndicatorSource, IndicatorValue, Plan, Unit
from app.periods import ReportingPeriod, parse_period
from app.web.legal import app_legal_book


def _plain(value: Any) -> float | int | None:
    return None if value is None else value if isinstance(value, int) else float(value)


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's value for one unit and period (None: nothing entered, or no denominator)."""

    definition: IndicatorDefinition
    period: ReportingPeriod
    value: Number | None
    parts: Mapping[str, Number] = field(default_factory=dict)  # e.g. on_time and resolved of a percentage
    note: str = ""

    @property
    def code(self) -> str:
        return self.definition.code

    def as_data(self) -> dict[str, Any]:
        """The indicator and its value as plain data, in no language (the API's form, and what a parent's
        kept rollup keeps of each ward's indicators: app/rollups/figures)."""
        definition = self.definition
        return {
            "code": definition.code, "name": definition.name, "unit": definition.unit, "target": definition.target,
            "source": definition.source.value, "register": definition.register,
            "value": _plain(self.value), "parts": {k: _plain(v) for k, v in self.parts.items()}, "note": self.note,
        }

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def unit(self) -> str:
        return self.definition.unit

    @property
    def target(self) -> float | None:
        return self.definition.target

    @property
    def entered(self) -> bool:
        return self.definition.source == IndicatorSource.ENTERED

    @property
    def lower_is_better(self) -> bool:
        """Whether the target is a ceiling (overdue tasks: at most 0), by the indicator's measure."""
        found = None if self.entered else _measure(self.definition)
        return found is not None and found[0].lower_is_better

    @property
    def reached(self) -> bool | None:
        """Whether the value meets its target, in the indicator's direction; None with no target or value."""
        if self.target is None or self.value is None:
            return None
        return self.value <= self.target if self.lower_is_better else self.value >= self.target


class IndicatorValueError(ValueError):
    """A hand-entered value was refused; the message is shown to the user."""


def _book_loader(book: LegalBook | None) -> Callable[[], LegalBook]:
    """The book given, or the installation's, read only if a measure needs it."""
    if book is not None:
        return lambda: book
    return app_legal_book


def _as_period(period: ReportingPeriod | str) -> ReportingPeriod:
    return period if isinstance(period, ReportingPeriod) else parse_period(period)


def _filter_key(definition: IndicatorDefinition) -> str:
    return json.dumps(definition.filter or {}, sort_keys=True, ensure_ascii=False)


def _measure(definition: IndicatorDefinition) -> tuple[Measure, dict] | None:
    """The definition's measure and parsed filter; None if it left the vocabulary (no value then)."""
    try:
        return measure_for(definition.register or "", definition.measure or ""), parse_filter(
            definition.register or "", definition.filter
        )
    except (IndicatorDefinitionError, ValueError):
        return None


def _evaluate(
    session: Session,
    plans: Sequence[Plan],
    definitions: Sequence[IndicatorDefinition],
    period: ReportingPeriod,
    today: date,
    book: LegalBook | None,
) -> dict[int, list[IndicatorResult]]:
    """{unit_id: results in the definitions' order} for the units of `plans`."""
    if not plans:
        return {}
    measures: dict[int, tuple[Measure, dict] | None] = {}
    wanted: dict[RecordKind, Wanted] = {}
    for definition in definitions:
        if definition.source != IndicatorSource.COMPUTED:
            continue
        found = measures[definition.id] = _measure(definition)
        if found is not None:
            wanted.setdefault(RecordKind(definition.register or ""), Wanted()).ask(
                _filter_key(definition), found[1], found[0].parts
            )
    batch = Batch(
        unit_ids=tuple(sorted({p.unit_id for p in plans})),
        plan_ids=tuple(sorted(p.id for p in plans)),
        plan_year=plans[0].year,
        period=period,
        today=today,
        book=_book_loader(book),
    )
    parts: dict[RecordKind, UnitParts] = {
        register: REGISTER_PARTS[register](session, batch, asked) for register, asked in wanted.items()
    }
    entered_ids = [d.id for d in definitions if d.source == IndicatorSource.ENTERED]
    entered = {
        row.indicator_id: row
        for row in (
            session.scalars(
                select(IndicatorValue).where(
                    IndicatorValue.unit_id.in_(batch.unit_ids),
                    IndicatorValue.indicator_id.in_(entered_ids),
                    IndicatorValue.period == period.code,
                )
            )
            if entered_ids
            else ()
        )
    }
    results: dict[int, list[IndicatorResult]] = {p.unit_id: [] for p in plans}
    for definition in definitions:
        unit_results = results.setdefault(definition.unit_id, [])
        if definition.source == IndicatorSource.ENTERED:
            value = entered.get(definition.id)
            unit_results.append(
                IndicatorResult(definition, period, value.value if value else None, note=value.note if value else "")
            )
            continue
        found = measures.get(definition.id)
        if found is None:
            unit_results.append(IndicatorResult(definition, period, None))
            continue
        measure = found[0]
        unit_parts = parts[RecordKind(definition.register or "")].get(definition.unit_id, {})
        key = _filter_key(definition)
        values = {part: unit_parts.get((key, part), 0) for part in measure.parts}
        unit_results.append(IndicatorResult(definition, period, measure.combine(values), values))
    return results


def _definitions_of(session: Session, plan_ids: Iterable[int], unit_ids: Iterable[int],
                    codes: Collection[str] | None = None) -> list[IndicatorDefinition]:
    return list(
        session.scalars(
            select(IndicatorDefinition)
            .where(IndicatorDefinition.unit_id.in_(list(unit_ids)), IndicatorDefinition.plan_id.in_(list(plan_ids)),
                   *([IndicatorDefinition.code.in_(sorted(codes))] if codes is not None else []))
            .order_by(IndicatorDefinition.unit_id, IndicatorDefinition.position, IndicatorDefinition.id)
        )
    )


def indicator_values(
    session: Session, plan: Plan, period: ReportingPeriod | str, today: date, *, book: LegalBook | None = None
) -> list[IndicatorResult]:
    """The value of every indicator of `plan` for `period` ("2025", "2025-H1", "2025-Q2", "2025-03"),
    as seen on `today` (what is overdue depends on it), in the plan's order."""
    period = _as_period(period)
    definitions = _definitions_of(session, [plan.id], [plan.unit_id])
    return _evaluate(session, [plan], definitions, period, today, book).get(plan.unit_id, [])


def rollup_values(
    session: Session,
    units: Iterable[Unit],
    plan_year: int,
    period: ReportingPeriod | str,
    *,
    today: date | None = None,
    book: LegalBook | None = None,
    codes: Collection[str] | None = None,
) -> dict[int, list[IndicatorResult]]:
    """{unit_id: its plan's indicator values} for many units at once, grouped by unit in SQL; a unit
    without a plan for `plan_year` gets an empty list. The number of queries does not grow with units.
    `codes`: only the indicators of these codes (what a rollup's columns read)."""
    period = _as_period(period)
    unit_ids = [u.id for u in units]
    plans = list(
        session.scalars(
            select(Plan).where(Plan.unit_id.in_(unit_ids), Plan.year == plan_year, Plan.is_template.is_(False))
        )
    )
    definitions = _definitions_of(session, [p.id for p in plans], unit_ids, codes)
    results = _evaluate(session, plans, definitions, period, today or local_today(), book)
    return {unit_id: results.get(unit_id, []) for unit_id in unit_ids}


def record_value(
    session: Session,
    definition: IndicatorDefinition,
    period: ReportingPeriod | str,
    value: float,
    *,
    note: str = "",
    user_id: int | None = None,
    username: str = "",
) -> IndicatorValue:
    """Enter (or correct) the value of a hand-entered indicator for a period (flushed, not committed)."""
    if definition.source != IndicatorSource.ENTERED:
        raise IndicatorValueError(_l("Chỉ tiêu này được tính từ sổ theo dõi, không nhập tay."))
    if definition.is_template:
        raise IndicatorValueError(_l("Không nhập số liệu cho mẫu kế hoạch."))
    code = _as_period(period).code
    row = session.scalar(
        select(IndicatorValue).where(IndicatorValue.indicator_id == definition.id, IndicatorValue.period == code)
    )
    if row is None:
        row = IndicatorValue(unit_id=definition.unit_id, indicator_id=definition.id, period=code, value=value)
        session.add(row)
    row.value, row.note, row.user_id, row.username = value, note.strip(), user_id, username
    session.flush()
    return row
