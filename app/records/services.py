"""Listing and saving rows of the ward's registers (receptions, dialogues, models, posts, meetings)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, extract, func, inspect, select
from sqlalchemy.orm import QueryableAttribute, Session

from app.models import ModelStatus, SkilfulModel, Unit
from app.periods import PeriodError, ReportingPeriod, parse_period
from app.plans.services import CONFLICT_MESSAGE
from app.records.registers import Register
from app.service_errors import EditConflict, InvalidTransition
from app.web.paging import Page, page_bounds

PAGE_SIZE = 25


def _year_of(register: Register) -> ColumnElement[Any] | QueryableAttribute[Any]:
    column = getattr(register.model, register.date_attr)
    return column if register.date_attr == "year" else extract("year", column)


def _filtered(
    register: Register, unit: Unit, year: int | None, query: str, enum_value: str | None,
    period: ReportingPeriod | None = None,
) -> Select:
    model = register.model
    statement = select(model).where(model.unit_id == unit.id)
    if year:
        statement = statement.where(_year_of(register) == year)
    if period is not None and register.date_attr != "year":
        statement = statement.where(getattr(model, register.date_attr).between(period.start, period.end))
    if query.strip():
        statement = statement.where(model.matching(query))
    if enum_value and register.enum_filter is not None:
        statement = statement.where(getattr(model, register.enum_filter.attr) == enum_value)
    return statement


def list_rows(
    session: Session,
    unit: Unit,
    register: Register,
    *,
    year: int | None = None,
    query: str = "",
    enum_value: str | None = None,
    period: ReportingPeriod | None = None,
    page: int = 1,
) -> Page[Any]:
    """One page of the unit's rows, newest first, filtered by year (or a month, quarter, half of it),
    words and the register's category."""
    statement = _filtered(register, unit, year, query, enum_value, period)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page, pages = page_bounds(total, page, PAGE_SIZE)
    order = getattr(register.model, register.date_attr)
    items = session.scalars(
        statement.order_by(order.desc(), register.model.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return Page(items=list(items), total=total, page=page, pages=pages)


def years(session: Session, unit: Unit, register: Register) -> list[int]:
    """The years the unit has rows in, newest first."""
    year = _year_of(register)
    rows = session.scalars(select(year).where(register.model.unit_id == unit.id).distinct().order_by(year.desc()))
    return [int(y) for y in rows if y is not None]


def row_of(session: Session, unit: Unit, register: Register, row_id: int) -> Any | None:
    """The row `row_id` of `unit` (a row of a ward below is reached through that ward's own URL)."""
    row = session.get(register.model, row_id)
    return row if row is not None and row.unit_id == unit.id else None


def period_of(code: str | None) -> ReportingPeriod | None:
    """The reporting period `code` names ("2025-Q2", "2025-03"…), or None if it names none."""
    if not code:
        return None
    try:
        return parse_period(code)
    except PeriodError:
        return None


def category_of(register: Register, value: str | None) -> str | None:
    """`value` if it names a category of the register's filter, else None (ignored)."""
    if not value or register.enum_filter is None or register.enum_filter.labels is None:
        return None
    return value if value in {key.value for key in register.enum_filter.labels} else None


def save_row(
    session: Session, unit: Unit, register: Register, row: Any | None, values: dict[str, Any], version: int | None
) -> Any:
    """Create (row None) or update a row from form values; a stale version is an EditConflict."""
    if row is None:
        row = register.model(unit_id=unit.id)
        session.add(row)
    elif version is None or row.version != version:
        raise EditConflict(CONFLICT_MESSAGE)
    columns = inspect(register.model).columns
    for name, value in values.items():
        enum_class = getattr(columns[name].type, "enum_class", None)
        setattr(row, name, enum_class(value) if enum_class and value is not None else value)
    session.flush()
    return row


def recognise_model(session: Session, model: SkilfulModel, user_id: int, today: date) -> None:
    """The parent unit recognises a "Dân vận khéo" model (once)."""
    if model.status == ModelStatus.RECOGNISED:
        day = model.recognised_on.strftime("%d/%m/%Y") if model.recognised_on else ""
        raise InvalidTransition(_l("Mô hình này đã được công nhận ngày %(day)s.", day=day))
    model.status, model.recognised_on, model.recognised_by = ModelStatus.RECOGNISED, today, user_id
    session.flush()
