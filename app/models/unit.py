"""Administrative units: province → town → ward/commune; each ward or commune is a tenant."""

from __future__ import annotations

import enum

from sqlalchemy import CTE, BindParameter, ForeignKey, Select, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import Model
from app.models.columns import enum_column


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    TOWN = "town"
    WARD = "ward"
    COMMUNE = "commune"


# The word the documents use before a unit's name ("UBND phường Phú Sơn").
KIND_WORDS: dict[UnitKind, str] = {
    UnitKind.PROVINCE: "tỉnh",
    UnitKind.TOWN: "thị xã",
    UnitKind.WARD: "phường",
    UnitKind.COMMUNE: "xã",
}


class Unit(Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Counts the writes to the unit's records (app/rollups/figures.py): kept figures of an older
    # version are stale.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def kind_word(self) -> str:
        return KIND_WORDS[self.kind]

    @property
    def full_name(self) -> str:
        """The unit as documents name it, e.g. "phường Phú Sơn"."""
        return f"{self.kind_word} {self.name}"

    @property
    def is_tenant(self) -> bool:
        return self.kind in (UnitKind.WARD, UnitKind.COMMUNE)

    def __repr__(self) -> str:
        return f"<Unit {self.slug}>"


def _lineage_cte(start_id: int | BindParameter[int], upward: bool) -> CTE:
    base = select(Unit.id, Unit.parent_id).where(Unit.id == start_id).cte(recursive=True)
    step = select(Unit.id, Unit.parent_id)
    if upward:
        step = step.join(base, Unit.id == base.c.parent_id)
    else:
        step = step.join(base, Unit.parent_id == base.c.id)
    return base.union_all(step)


# Built once (every request asks for its unit and its ancestors): the unit is a parameter.
UNIT_BY_SLUG = select(Unit).where(Unit.slug == bindparam("unit_slug"))
ANCESTRY = _lineage_cte(bindparam("lineage_start"), upward=True)  # the unit (lineage_start) and those above
_ANCESTORS = select(ANCESTRY.c.id)
_DESCENDANTS = select(_lineage_cte(bindparam("lineage_start"), upward=False).c.id)


def ancestor_ids(session: Session, unit: Unit) -> set[int]:
    """Ids of `unit` and every unit above it."""
    return set(session.scalars(_ANCESTORS, {"lineage_start": unit.id}))


def descendant_ids(session: Session, unit: Unit) -> set[int]:
    """Ids of `unit` and every unit below it."""
    return set(session.scalars(_DESCENDANTS, {"lineage_start": unit.id}))


def child_units(session: Session, unit: Unit) -> list[Unit]:
    """The units directly below `unit`, by name."""
    return list(session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)))


TENANT_KINDS = (UnitKind.WARD, UnitKind.COMMUNE)


def units_below_statement(unit: Unit, *, tenants: bool | None = None) -> Select[tuple[Unit]]:
    """SELECT of `unit` and the units below it, by name: only the wards and communes (`tenants=True`),
    only the others (False), or all (None); the tree walked in SQL (to list, count or page)."""
    tree = _lineage_cte(unit.id, upward=False)
    statement = select(Unit).join(tree, Unit.id == tree.c.id).order_by(Unit.name, Unit.id)
    if tenants is not None:
        statement = statement.where(Unit.kind.in_(TENANT_KINDS) if tenants else Unit.kind.not_in(TENANT_KINDS))
    return statement


def units_below(session: Session, unit: Unit, *, tenants: bool | None = None) -> list[Unit]:
    """`unit` and the units below it (see units_below_statement), in one statement."""
    return list(session.scalars(units_below_statement(unit, tenants=tenants)))


def tenant_units_below(session: Session, unit: Unit) -> list[Unit]:
    """Wards and communes at or below `unit`, by name."""
    return units_below(session, unit, tenants=True)
