"""The official list of provinces and communes since 1 July 2025, from the `vietnam-provinces` package
(34 provinces, 3,321 communes, with the codes of the national statistics office): what loading it
would add, rename, move or end (a preview), then doing it. Loading twice changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import vietnam_provinces
from sqlalchemy import select
from sqlalchemy.orm import Session
from vietnam_provinces import Province, VietNamDivisionType, Ward

from app.models import Unit, UnitKind, UnitPastParent
from app.search import fold

PACKAGE = f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})"

_KINDS = {
    VietNamDivisionType.TINH: UnitKind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: UnitKind.CITY,
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.DAC_KHU: UnitKind.SPECIAL_ZONE,
}
_PREFIX = re.compile(r"^(tỉnh|thành phố|phường|xã|đặc khu)\s+", re.IGNORECASE)


class OfficialListError(ValueError):
    """A province code the official list does not have."""


@dataclass(frozen=True)
class OfficialUnit:
    code: str
    name: str  # without the kind word: "Quang Trung"
    kind: UnitKind
    slug: str
    province_code: str | None  # None for a province


def _bare_name(name: str) -> str:
    return _PREFIX.sub("", name.strip())


def _slug(codename: str) -> str:
    return codename.replace("_", "-")


def province_code(code: int) -> str:
    return f"{code:02d}"


@cache
def _official() -> tuple[OfficialUnit, ...]:
    """Every province, then every commune by province and code. A commune's slug is its name
    (`phuong-quang-trung`), followed by its province's where the name recurs in the country."""
    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    wards = sorted(Ward.iter_all(), key=lambda w: (int(w.province_code), int(w.code)))
    recurring = {name for name, count in Counter(w.codename for w in wards).items() if count > 1}
    codenames = {int(p.code): p.codename for p in provinces}
    units = [OfficialUnit(province_code(int(p.code)), _bare_name(p.name), _KINDS[p.division_type], _slug(p.codename),
                          None) for p in provinces]
    used: set[str] = set()
    for w in wards:
        slug = _slug(w.codename)
        if w.codename in recurring:
            slug = f"{slug}-{_slug(codenames[int(w.province_code)])}"
        if slug in used:  # the same name twice in one province: the later code tells them apart
            slug = f"{slug}-{int(w.code):05d}"
        used.add(slug)
        units.append(OfficialUnit(f"{int(w.code):05d}", _bare_name(w.name), _KINDS[w.division_type], slug,
                                  province_code(int(w.province_code))))
    return tuple(units)


def official_units(province: str | None = None) -> list[OfficialUnit]:
    """The official list (provinces first), or one province and its communes."""
    units = list(_official())
    if province is None:
        return units
    code = province_code(int(province)) if province.isdigit() else province
    chosen = [u for u in units if u.code == code and u.province_code is None or u.province_code == code]
    if not chosen:
        raise OfficialListError(f"mã tỉnh {province!r} không có trong danh mục")
    return chosen


@dataclass
class LoadPlan:
    """What loading the official list would do; nothing is written until `apply_load`."""

    added: list[OfficialUnit] = field(default_factory=list)
    renamed: list[tuple[Unit, OfficialUnit]] = field(default_factory=list)  # name or kind differs
    moved: list[tuple[Unit, OfficialUnit]] = field(default_factory=list)  # under another province
    ended: list[Unit] = field(default_factory=list)  # loaded before, no longer in the list
    adopted: list[tuple[Unit, OfficialUnit]] = field(default_factory=list)  # entered by hand, now official
    # A live unit entered by hand holds the code under another name (a unit of before the 2025
    # reorganisation): it is left as it is and the official one not added until it is reorganised.
    conflicts: list[tuple[Unit, OfficialUnit]] = field(default_factory=list)
    unchanged: int = 0
    wanted: list[OfficialUnit] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.renamed) + len(self.moved) + len(self.ended) + len(self.adopted)


def plan_load(session: Session, province: str | None = None) -> LoadPlan:
    """Compare the official list (of one province, or the country) with the live units: two statements."""
    wanted = official_units(province)
    live = {u.code: u for u in session.scalars(select(Unit).where(Unit.ended_on.is_(None)))}
    plan = LoadPlan(wanted=wanted)
    provinces = {u.code: live.get(u.code) for u in wanted if u.province_code is None}
    for item in wanted:
        unit = live.get(item.code)
        parent = provinces.get(item.province_code) if item.province_code else None
        if unit is None:
            plan.added.append(item)
        elif not unit.official and (fold(unit.name) != fold(item.name) or unit.is_tenant != (item.province_code is not None)):
            plan.conflicts.append((unit, item))
            continue
        else:
            misplaced = item.province_code is not None and (parent is None or unit.parent_id != parent.id)
            if not unit.official:
                plan.adopted.append((unit, item))
            elif unit.name != item.name or unit.kind != item.kind:
                plan.renamed.append((unit, item))
            elif not misplaced:
                plan.unchanged += 1
            if misplaced:
                plan.moved.append((unit, item))
    codes = {u.code for u in wanted}
    scope = {u.id for u in provinces.values() if u is not None}
    for unit in live.values():
        in_scope = province is None or unit.parent_id in scope
        if unit.official and unit.code not in codes and in_scope and (province is None or unit.is_tenant):
            plan.ended.append(unit)
    return plan


def _free_slug(slug: str, code: str, taken: set[str]) -> str:
    return slug if slug not in taken else f"{slug}-{code}"


def apply_load(session: Session, plan: LoadPlan, today: date) -> None:
    """Do what `plan` says (in the caller's transaction, under a scope that may write every unit):
    provinces first, then their communes; a moved unit keeps its former parent; an ended one ends today."""
    taken = set(session.scalars(select(Unit.slug)))
    by_code = {u.code: u for u in session.scalars(select(Unit).where(Unit.ended_on.is_(None)))}
    adding = {item.code for item in plan.added}
    for round_provinces in (True, False):
        new = []
        for item in plan.wanted:
            if item.code not in adding or (item.province_code is None) != round_provinces:
                continue
            parent = by_code[item.province_code] if item.province_code else None
            unit = Unit(slug=_free_slug(item.slug, item.code, taken), code=item.code, name=item.name, kind=item.kind,
                        parent_id=parent.id if parent else None, official=True)
            taken.add(unit.slug)
            by_code[item.code] = unit
            new.append(unit)
        session.add_all(new)
        session.flush()
    for unit, item in [*plan.renamed, *plan.adopted]:
        unit.name, unit.kind, unit.official = item.name, item.kind, True
    for unit, item in plan.moved:
        move_unit(session, unit, by_code[item.province_code or ""], today)
    for unit in plan.ended:
        unit.ended_on = today
    session.flush()


def move_unit(session: Session, unit: Unit, parent: Unit, since: date) -> UnitPastParent | None:
    """Put `unit` under `parent` from `since`, keeping the parent it had until then."""
    past = None
    if unit.parent_id is not None:
        past = UnitPastParent(unit_id=unit.id, parent_id=unit.parent_id, since=unit.parent_since, until=since)
        session.add(past)
    unit.parent_id, unit.parent_since = parent.id, since
    return past
