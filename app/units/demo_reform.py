"""The 1 July 2025 reorganisation of Bỉm Sơn town, for the demo: its wards and communes merged into
the new wards of the official list, the town dissolved, the new wards under the province.

Which old unit went into which new ward is read from the `vietnam-address-converter` package's
mapping (admin_mapping_old_to_new, version 10_25); the new wards' codes and names from the official
list (`vietnam-provinces`). A unit of the demo's registry that the mapping does not list (xã Hà Lan)
goes with the neighbour named in `UNMAPPED`, and the demo says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Petition, PetitionKind, Unit
from app.models.unit import KIND_WORDS
from app.search import fold
from app.units.official import official_units
from app.units.reorganise import Merge, NewUnit, apply, plan_dissolve, plan_merge

REFORM_DAY = date(2025, 7, 1)
TOWN, PROVINCE, PROVINCE_CODE = "bim-son", "thanh-hoa", "38"
UNMAPPED = {"ha-lan": "dong-son"}  # not in the converter's mapping: goes where its neighbour went


@dataclass
class ReformResult:
    merged: dict[str, list[str]]  # new ward's slug → the old units' slugs
    unmapped: dict[str, str]
    applied: bool


def converter_mapping(district: str = "Bỉm Sơn", province: str = "Thanh Hóa") -> dict[str, str]:
    """Old ward name (folded, without its kind word) → new ward name, for one old district."""
    from vietnam_address_converter.data import DEFAULT_DATA  # type: ignore[import-untyped]  # 10 MB: read when asked

    mapping = {}
    for row in DEFAULT_DATA["mapping"]["rows"]:
        old, new = row["old"], row["new"]
        if fold(province) in fold(old["province_name"]) and fold(old["district_name"]).endswith(fold(district)):
            mapping[row["keys"]["old_ward_name"]] = new["ward_name"]
    return mapping


PENDING_PETITION = "Kiến nghị sửa chữa đoạn đường ngõ 12 bị sụt lún sau mưa lớn"


def _pending_petition(session: Session, ward: Unit) -> None:
    """One recommendation still open on 30 June: the merge hands it to the successor, dates unchanged
    (and `flask notify run` later tells its new chairman it is late)."""
    if session.scalar(select(Petition.id).where(Petition.unit_id == ward.id, Petition.summary == PENDING_PETITION)):
        return
    session.add(Petition(unit_id=ward.id, received_on=REFORM_DAY - timedelta(days=8), kind=PetitionKind.RECOMMENDATION,
                         source="Trực tiếp tại bộ phận một cửa", summary=PENDING_PETITION,
                         petitioner_name="Đỗ Văn Hòa", petitioner_address=f"Khu phố 3, {ward.full_name}"))
    session.flush()


def apply_demo_reform(session: Session, *, grants_from: str, actor: str) -> ReformResult:
    """Merge Bỉm Sơn's units into the new wards and dissolve the town, effective 1 July 2025, unless
    done already; the staff of `grants_from` also get their roles on the ward it went into."""
    units = {u.slug: u for u in session.scalars(select(Unit))}
    town, province = units[TOWN], units[PROVINCE]
    old = [u for u in session.scalars(select(Unit).where(Unit.parent_id == town.id).order_by(Unit.name))]
    if town.ended_on is not None:
        return ReformResult({}, {}, applied=False)
    _pending_petition(session, units[grants_from])
    mapping = converter_mapping()
    official = {fold(f"{KIND_WORDS[u.kind]} {u.name}"): u for u in official_units(PROVINCE_CODE) if u.province_code}
    new_of = {u.slug: mapping.get(fold(u.name)) for u in old}
    unmapped = {slug: UNMAPPED[slug] for slug, new in new_of.items() if new is None and slug in UNMAPPED}
    for slug, neighbour in unmapped.items():
        new_of[slug] = new_of[neighbour]
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in old:
        if new_of.get(unit.slug):
            groups[new_of[unit.slug] or ""].append(unit)
    merges = []
    for new_name, members in sorted(groups.items()):
        listed = official[fold(new_name)]
        existing = session.scalar(select(Unit).where(Unit.code == listed.code, Unit.official.is_(True),
                                                     Unit.ended_on.is_(None)))
        merges.append(Merge(members, existing or NewUnit(name=listed.name, code=listed.code, kind=listed.kind,
                                                          parent=province, slug=listed.slug, official=True)))
    plan = plan_merge(session, province, merges, REFORM_DAY)
    plan.grants = [m.id for m in plan.staff if m.unit.slug == grants_from]
    apply(session, plan, actor=actor, user_id=None, summary="; ".join(
        f"{', '.join(u.full_name for u in m.units)} → {m.target_name}" for m in merges))
    merged = {session.get_one(Unit, m.units[0].successor_id).slug: [u.slug for u in m.units] for m in merges}
    dissolve = plan_dissolve(session, province, town, province, REFORM_DAY)
    apply(session, dissolve, actor=actor, user_id=None, summary=f"Giải thể {town.full_name}")
    session.flush()
    return ReformResult(merged, unmapped, applied=True)
