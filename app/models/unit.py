"""Administrative units: province → town → ward/commune; each ward or commune is a tenant.

Units have a life: a reorganisation (app/units/reorganise.py) ends some on a date (`ended_on`, with
the `successor` they were merged into) and starts others, and moves units to another parent (the
parent before is kept in `UnitPastParent`). The tree is walked over all those links: a role on a
unit's successor or on a former parent reaches the unit's history.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    cast,
    false,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from app.extensions import Model
from app.models.columns import enum_column


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"  # thành phố trực thuộc trung ương: a province-level city
    TOWN = "town"
    WARD = "ward"
    COMMUNE = "commune"
    SPECIAL_ZONE = "special_zone"  # đặc khu: commune-level since 2025


# The word the documents use before a unit's name ("UBND phường Phú Sơn").
KIND_WORDS: dict[UnitKind, str] = {
    UnitKind.PROVINCE: "tỉnh",
    UnitKind.CITY: "thành phố",
    UnitKind.TOWN: "thị xã",
    UnitKind.WARD: "phường",
    UnitKind.COMMUNE: "xã",
    UnitKind.SPECIAL_ZONE: "đặc khu",
}

TENANT_KINDS = (UnitKind.WARD, UnitKind.COMMUNE, UnitKind.SPECIAL_ZONE)

LIVE = text("ended_on IS NULL")


class Unit(Model):
    __tablename__ = "units"
    # A code belongs to one unit at a time: a merged ward's code may pass to its successor.
    __table_args__ = (Index("uq_units_live_code", "code", unique=True, sqlite_where=LIVE, postgresql_where=LIVE),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    parent_since: Mapped[date | None]  # under `parent` from this day (None: from the start)
    started_on: Mapped[date | None]  # came into being on this day (None: before the records begin)
    ended_on: Mapped[date | None]  # the first day it no longer exists (merged, dissolved)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # merged into
    official: Mapped[bool] = mapped_column(default=False, server_default=false())  # from the national list
    # The issuing body as documents print it (Nghị định 30): empty → "UBND PHƯỜNG PHÚ SƠN".
    issuer_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    issuer_parent_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Counts the writes to the unit's records (app/rollups/figures.py): kept figures of an older
    # version are stale.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")

    successor: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[successor_id], lazy="select")

    @property
    def kind_word(self) -> str:
        return KIND_WORDS[self.kind]

    @property
    def full_name(self) -> str:
        """The unit as documents name it, e.g. "phường Phú Sơn"."""
        return f"{self.kind_word} {self.name}"

    @property
    def is_tenant(self) -> bool:
        return self.kind in TENANT_KINDS

    def live_on(self, day: date) -> bool:
        """Did the unit exist on `day`?"""
        return (self.started_on is None or self.started_on <= day) and (self.ended_on is None or day < self.ended_on)

    def ended_by(self, day: date) -> bool:
        """Has the unit ended by `day` (merged or dissolved): its records are then history, read only."""
        return self.ended_on is not None and self.ended_on <= day

    def __repr__(self) -> str:
        return f"<Unit {self.slug}>"


class UnitPastParent(Model):
    """A parent a unit had before a reorganisation moved it: under `parent` from `since` to the day
    before `until`."""

    __tablename__ = "unit_past_parents"
    __table_args__ = (Index("ix_unit_past_parents_parent_id", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    since: Mapped[date | None]
    until: Mapped[date]


def _links(*, successors: bool, during: tuple[date, date] | None = None) -> Subquery:
    """(child, parent) pairs of the tree: current and past parents, and with `successors` the unit a
    merged unit went into (its successor reaches its history); with `during`, only the links that
    held at some time in that span."""
    past = select(UnitPastParent.unit_id.label("child"), UnitPastParent.parent_id.label("parent"))
    current = select(Unit.id.label("child"), Unit.parent_id.label("parent")).where(Unit.parent_id.is_not(None))
    if during is not None:
        start, end = during
        past = past.where(or_(UnitPastParent.since.is_(None), UnitPastParent.since <= end),
                          UnitPastParent.until > start)
        current = current.where(or_(Unit.parent_since.is_(None), Unit.parent_since <= end))
    merged = select(Unit.id, Unit.successor_id).where(Unit.successor_id.is_not(None))
    return (union_all(current, past, merged) if successors else union_all(current, past)).subquery("unit_links")


def _lineage_cte(start_id: int | BindParameter[int] | ColumnElement[int], upward: bool, *, successors: bool = True,
                 during: tuple[date, date] | None = None) -> CTE:
    """Ids of the unit `start_id` and every unit above it (`upward`) or below it, over the links;
    UNION (not ALL): a unit reached twice (by its parent and by its successor) is listed once."""
    # Cast: PostgreSQL types a bare parameter by its value (smallint), the recursive step's ids are integer.
    base = select(cast(literal(start_id) if isinstance(start_id, int) else start_id, Integer).label("id"))
    tree = base.cte("lineage", recursive=True)
    links = _links(successors=successors, during=during)
    if upward:
        step = select(links.c.parent).join(tree, links.c.child == tree.c.id)
    else:
        step = select(links.c.child).join(tree, links.c.parent == tree.c.id)
    return tree.union(step)


def live_during(during: tuple[date, date]) -> ColumnElement[bool]:
    """Units that existed at some time between the two days."""
    start, end = during
    return and_(or_(Unit.started_on.is_(None), Unit.started_on <= end),
                or_(Unit.ended_on.is_(None), and_(Unit.ended_on > start, or_(Unit.started_on.is_(None),
                                                                              Unit.started_on < Unit.ended_on))))


# Built once (every request asks for its unit and its ancestors): the unit is a parameter.
UNIT_BY_SLUG = select(Unit).where(Unit.slug == bindparam("unit_slug"))
ANCESTRY = _lineage_cte(bindparam("lineage_start"), upward=True)  # the unit (lineage_start) and those above
# The same for the unit of a URL, named by its slug (a kept page's one statement: app/accounts/kept_pages).
ANCESTRY_OF_SLUG = _lineage_cte(select(Unit.id).where(Unit.slug == bindparam("unit_slug")).scalar_subquery(),
                                upward=True)
_ANCESTORS = select(ANCESTRY.c.id)
DESCENDANTS = select(_lineage_cte(bindparam("lineage_start"), upward=False).c.id)  # lineage_start and below


def ancestor_ids(session: Session, unit: Unit) -> set[int]:
    """Ids of `unit` and every unit above it."""
    return set(session.scalars(_ANCESTORS, {"lineage_start": unit.id}))


def template_owner_ids(session: Session, unit: Unit) -> set[int]:
    """Units whose plan templates `unit` follows: it and those above it; for a unit made by a merge or a
    split, also those above the units it was made from (the template they followed, until its new
    parent publishes one)."""
    ids = ancestor_ids(session, unit)
    if unit.started_on is not None:
        for predecessor in session.scalars(select(Unit.id).where(Unit.successor_id == unit.id)):
            ids |= set(session.scalars(_ANCESTORS, {"lineage_start": predecessor}))
    return ids


def descendant_ids(session: Session, unit: Unit) -> set[int]:
    """Ids of `unit` and every unit below it."""
    return set(session.scalars(DESCENDANTS, {"lineage_start": unit.id}))


def child_units(session: Session, unit: Unit) -> list[Unit]:
    """The units directly below `unit`, by name."""
    return list(session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)))


def units_below_statement(unit: Unit, *, tenants: bool | None = None,
                          during: tuple[date, date] | None = None, columns: tuple[Any, ...] = ()) -> Select[Any]:
    """SELECT of `unit` and the units below it, by name: only the wards and communes (`tenants=True`),
    only the others (False), or all (None); with `during`, the units that belonged to it and existed
    at some time in that span (a merged ward in the year of its merge, not after); the tree walked
    in SQL (to list, count or page). With `columns`, those columns of each unit instead of the unit."""
    tree = _lineage_cte(unit.id, upward=False, successors=during is None, during=during)
    statement = select(*columns) if columns else select(Unit).options(
        selectinload(Unit.successor))  # one more statement: lists say whom each unit that ended merged into
    statement = statement.join(tree, Unit.id == tree.c.id).order_by(Unit.name, Unit.id)
    if tenants is not None:
        statement = statement.where(Unit.kind.in_(TENANT_KINDS) if tenants else Unit.kind.not_in(TENANT_KINDS))
    if during is not None:
        statement = statement.where(live_during(during))
    return statement


def units_below(session: Session, unit: Unit, *, tenants: bool | None = None,
                during: tuple[date, date] | None = None) -> list[Unit]:
    """`unit` and the units below it (see units_below_statement), in one statement."""
    return list(session.scalars(units_below_statement(unit, tenants=tenants, during=during)))


def tenant_units_below(session: Session, unit: Unit, during: tuple[date, date] | None = None) -> list[Unit]:
    """Wards and communes at or below `unit` (in the span `during`, if given), by name."""
    return units_below(session, unit, tenants=True, during=during)


class NamedUnit(NamedTuple):
    """What a list of thousands of wards shows of each (a country's overdue list): no mapped object."""

    id: int
    slug: str
    name: str
    parent_id: int | None


def tenant_names_below(session: Session, unit: Unit, during: tuple[date, date] | None = None) -> list[NamedUnit]:
    """`tenant_units_below` as `NamedUnit`s, by name."""
    statement = units_below_statement(unit, tenants=True, during=during,
                                      columns=(Unit.id, Unit.slug, Unit.name, Unit.parent_id))
    return [NamedUnit(*row) for row in session.execute(statement)]


def year_span(year: int) -> tuple[date, date]:
    """The first and last day of `year`: the span a year's pages list their units for."""
    return date(year, 1, 1), date(year, 12, 31)
