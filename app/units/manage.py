"""The units below a parent, as its admin manages them: listing, creating, renaming, re-coding,
issuing-body names, and the history of reorganisations. Callers write under `system_scope` after the
permission check (a new unit is outside the request's scope until it exists)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from app.models import Unit, UnitChange, UnitKind
from app.models.unit import TENANT_KINDS, ancestor_ids, descendant_ids
from app.search import fold
from app.units.reorganise import ReorganisationError

CODE = re.compile(r"^[0-9A-Za-z.-]{1,20}$")


@dataclass(frozen=True)
class UnitFields:
    """What a person types for a unit: name, code, kind, parent and the issuing-body names."""

    name: str
    code: str
    kind: UnitKind
    parent_id: int
    issuer_name: str = ""
    issuer_parent_name: str = ""


def children(session: Session, parent: Unit) -> list[Unit]:
    """The units directly below `parent` (live first, then those ended), by name."""
    rows = session.scalars(select(Unit).where(Unit.parent_id == parent.id)
                           .order_by(Unit.ended_on.is_not(None), Unit.name, Unit.id).options(selectinload(Unit.successor)))
    return list(rows)


def predecessors(session: Session, unit: Unit) -> list[Unit]:
    """The units merged into `unit`, by name."""
    return list(session.scalars(select(Unit).where(Unit.successor_id == unit.id).order_by(Unit.name)))


def history(session: Session, unit: Unit) -> list[UnitChange]:
    """Reorganisations made by `unit`, by a unit above it, or touching a unit at or below it; newest first."""
    below = descendant_ids(session, unit)
    changes = session.scalars(select(UnitChange).where(UnitChange.acting_unit_id.in_(below | ancestor_ids(session, unit)))
                              .order_by(UnitChange.effective_on.desc(), UnitChange.id.desc()))
    return [c for c in changes if c.acting_unit_id in below or set(c.unit_ids) & below]


def slug_for(session: Session, name: str, kind: UnitKind, code: str) -> str:
    """A readable address for a new unit, `phuong-quang-trung`, made unique with its code if taken."""
    from app.models.unit import KIND_WORDS

    base = re.sub(r"[^a-z0-9]+", "-", fold(f"{KIND_WORDS[kind]} {name}")).strip("-")[:60] or "don-vi"
    taken = session.scalar(select(func.count()).select_from(Unit).where(Unit.slug == base))
    return f"{base}-{code.lower()}" if taken else base


def _check(session: Session, parent: Unit, fields: UnitFields, unit: Unit | None) -> Unit:
    if not fields.name.strip():
        raise ReorganisationError(_l("Vui lòng nhập tên đơn vị."))
    if not CODE.match(fields.code.strip()):
        raise ReorganisationError(_l("Mã đơn vị gồm chữ số hoặc chữ cái, tối đa 20 ký tự."))
    below = descendant_ids(session, parent)
    new_parent = session.get(Unit, fields.parent_id)
    if new_parent is None or new_parent.id not in below or new_parent.is_tenant:
        raise ReorganisationError(_l("Đơn vị cấp trên phải là %(unit)s hoặc một đơn vị trực thuộc (không phải phường, xã).",
                                     unit=parent.full_name))
    if unit is not None and new_parent.id in descendant_ids(session, unit):
        raise ReorganisationError(_l("Không thể đặt đơn vị vào chính nó hoặc đơn vị dưới nó."))
    if unit is None and fields.kind not in (*TENANT_KINDS, UnitKind.TOWN):
        raise ReorganisationError(_l("Đơn vị mới là phường, xã, đặc khu hoặc thị xã."))
    holder = session.scalar(select(Unit.id).where(Unit.code == fields.code.strip(), Unit.ended_on.is_(None)))
    if holder is not None and (unit is None or holder != unit.id):
        raise ReorganisationError(_l("Mã %(code)s đã thuộc một đơn vị khác.", code=fields.code.strip()))
    return new_parent


def create_unit(session: Session, parent: Unit, fields: UnitFields, today: date) -> Unit:
    """A new unit below `parent` (e.g. a commune the official list does not have yet)."""
    under = _check(session, parent, fields, None)
    unit = Unit(slug=slug_for(session, fields.name.strip(), fields.kind, fields.code.strip()),
                code=fields.code.strip(), name=fields.name.strip(), kind=fields.kind, parent_id=under.id,
                issuer_name=fields.issuer_name.strip(), issuer_parent_name=fields.issuer_parent_name.strip())
    session.add(unit)
    session.flush()
    return unit


def edit_unit(session: Session, parent: Unit, unit: Unit, fields: UnitFields, today: date) -> None:
    """Rename, re-code or re-name the issuing body of `unit` (below `parent`); a new parent is a
    re-parenting from today (the former one is kept in the history)."""
    from app.units.official import move_unit

    if unit.ended_on is not None:
        raise ReorganisationError(_l("Đơn vị đã kết thúc; hồ sơ của nó chỉ để xem."))
    under = _check(session, parent, fields, unit)
    unit.name, unit.code = fields.name.strip(), fields.code.strip()
    if unit.kind != fields.kind and (fields.kind in TENANT_KINDS) == unit.is_tenant:
        unit.kind = fields.kind  # a ward may become a commune, never a town
    unit.issuer_name, unit.issuer_parent_name = fields.issuer_name.strip(), fields.issuer_parent_name.strip()
    if under.id != unit.parent_id:
        move_unit(session, unit, under, today)
    session.flush()
    session.execute(update(Unit).where(Unit.id == unit.id).values(data_version=Unit.data_version + 1))


def change_in_scope(session: Session, unit: Unit, change_id: int) -> UnitChange | None:
    """The change `change_id` if it is in `unit`'s history (else, for the caller, a 404)."""
    change = session.get(UnitChange, change_id)
    return change if change is not None and change in history(session, unit) else None
