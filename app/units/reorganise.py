"""Reorganising units below a parent, effective on a date: merge, split, re-parent, dissolve.

Each operation is first planned (`plan_*`: checked, nothing written, shown as a preview), then
applied (`apply`), which records every step in a `UnitChange` with what it replaced, so that it can
be undone until the day it takes effect (`undo`). Nothing is deleted: a merged unit ends on the date,
keeps its records (read only) and names its successor; its open petitions move to the successor with
their dates, extensions and so their legal deadlines unchanged. Callers run these under a scope that
may write every unit (`system_scope`), after the permission check, and commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.audit import name_action
from app.models import (
    AuditEntry,
    Membership,
    Petition,
    PetitionExtension,
    Unit,
    UnitChange,
    UnitChangeKind,
    UnitKind,
    UnitPastParent,
)
from app.models.petition import CLOSED_STATUSES
from app.models.unit import KIND_WORDS, TENANT_KINDS, descendant_ids
from app.service_errors import ServiceError
from app.units.official import move_unit

EARLIEST, LATEST = date(1945, 9, 2), date(2100, 12, 31)


class ReorganisationError(ServiceError):
    """The reorganisation cannot be made as asked; the message says why, in the user's words."""


@dataclass(frozen=True)
class NewUnit:
    """A unit a merge or a split creates: its name, code and kind, under `parent`, from the change's date."""

    name: str
    code: str
    kind: UnitKind
    parent: Unit
    slug: str
    official: bool = False  # as the national list has it

    @property
    def kind_label(self) -> str:
        return KIND_WORDS[self.kind]


@dataclass(frozen=True)
class Merge:
    """`units` become `target` (an existing ward or commune, or a new one)."""

    units: list[Unit]
    target: Unit | NewUnit

    @property
    def target_name(self) -> str:
        target = self.target
        return f"{target.kind_label} {target.name}" if isinstance(target, NewUnit) else target.full_name


@dataclass
class Reorganisation:
    """A planned reorganisation: what `apply` will do, for the preview."""

    kind: UnitChangeKind
    acting: Unit
    effective_on: date
    units: list[Unit]  # merged, moved, or (dissolve) the unit dissolved
    target: Unit | None = None  # the new parent (re-parent, dissolve)
    merges: list[Merge] = field(default_factory=list)  # merge: one or more at once (one resolution)
    children: list[Unit] = field(default_factory=list)  # dissolve: the units that move
    open_petitions: dict[int, int] = field(default_factory=dict)  # merged unit id → open petitions
    staff: list[Membership] = field(default_factory=list)  # memberships of the merged units
    grants: list[int] = field(default_factory=list)  # of `staff`: the ones the successor gets too
    new_units: list[NewUnit] = field(default_factory=list)  # split: the units made from the one split
    continues: bool = False  # split: the unit split goes on (else it ends; the first new one succeeds it)


def _check_date(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ReorganisationError(_l("Ngày hiệu lực phải trong khoảng 1945–2100."))


def _check_below(session: Session, acting: Unit, units: list[Unit], *, itself: bool = False) -> set[int]:
    below = descendant_ids(session, acting)
    for unit in units:
        if unit.id not in below or (unit.id == acting.id and not itself):
            raise ReorganisationError(_l("%(unit)s không thuộc đơn vị này.", unit=unit.full_name))
    return below


def _check_live(units: list[Unit], day: date) -> None:
    for unit in units:
        if not unit.live_on(day):
            raise ReorganisationError(_l("%(unit)s không còn tồn tại vào ngày hiệu lực.", unit=unit.full_name))


def plan_merge(session: Session, acting: Unit, merges: list[Merge], effective_on: date) -> Reorganisation:
    """Each merge's units (wards, communes) become its target (an existing one, or a new one) from
    `effective_on`; several merges of one resolution at once (a new ward may take the code of a
    unit merged into another)."""
    _check_date(effective_on)
    units = [u for merge in merges for u in merge.units]
    if not units or any(not merge.units for merge in merges):
        raise ReorganisationError(_l("Chọn ít nhất một đơn vị để sáp nhập."))
    if len({u.id for u in units}) != len(units):
        raise ReorganisationError(_l("Mỗi đơn vị chỉ được sáp nhập vào một đơn vị."))
    if any(u.kind not in TENANT_KINDS for u in units):
        raise ReorganisationError(_l("Chỉ sáp nhập phường, xã, đặc khu."))
    below = _check_below(session, acting, units)
    _check_live(units, effective_on)
    for merge in merges:
        target = merge.target
        if isinstance(target, Unit):
            if target in units:
                raise ReorganisationError(_l("Đơn vị nhận sáp nhập không thể là một trong các đơn vị bị sáp nhập."))
            if target.kind not in TENANT_KINDS:
                raise ReorganisationError(_l("Đơn vị nhận sáp nhập phải là phường, xã hoặc đặc khu."))
            _check_below(session, acting, [target])
            _check_live([target], effective_on)
        else:
            _check_new(session, target, below, acting, freed={u.id for u in units})
    counts = dict(session.execute(
        select(Petition.unit_id, func.count()).where(Petition.unit_id.in_([u.id for u in units]),
                                                     Petition.status.not_in(CLOSED_STATUSES))
        .group_by(Petition.unit_id)).tuples().all())
    staff = list(session.scalars(
        select(Membership).where(Membership.unit_id.in_([u.id for u in units]), Membership.active.is_(True))
        .order_by(Membership.unit_id, Membership.role, Membership.id)))
    return Reorganisation(UnitChangeKind.MERGE, acting, effective_on, units, merges=list(merges),
                          open_petitions=counts, staff=staff)


def _check_new(session: Session, new: NewUnit, below: set[int], acting: Unit, freed: set[int]) -> None:
    """A new unit's name, code (free, or held by a unit this reorganisation ends), kind and parent."""
    if not new.name.strip() or not new.code.strip():
        raise ReorganisationError(_l("Đơn vị mới cần tên và mã."))
    if new.kind not in TENANT_KINDS:
        raise ReorganisationError(_l("Đơn vị mới phải là phường, xã hoặc đặc khu."))
    if new.parent.id not in below or new.parent.is_tenant:
        raise ReorganisationError(_l("Đơn vị cấp trên của đơn vị mới phải là %(unit)s hoặc đơn vị trực thuộc.",
                                     unit=acting.full_name))
    holder = session.scalar(select(Unit.id).where(Unit.code == new.code.strip(), Unit.ended_on.is_(None)))
    if holder is not None and holder not in freed:
        raise ReorganisationError(_l("Mã %(code)s đã thuộc một đơn vị khác.", code=new.code))
    if session.scalar(select(Unit.id).where(Unit.slug == new.slug)) is not None:
        raise ReorganisationError(_l("Địa chỉ %(slug)s đã được dùng.", slug=new.slug))


def plan_reparent(session: Session, acting: Unit, units: list[Unit], parent: Unit, effective_on: date) -> Reorganisation:
    """`units` are under `parent` from `effective_on` (their parent until then is kept)."""
    _check_date(effective_on)
    if not units:
        raise ReorganisationError(_l("Chọn ít nhất một đơn vị để chuyển."))
    _check_below(session, acting, units)
    _check_below(session, acting, [parent], itself=True)
    if parent.is_tenant:
        raise ReorganisationError(_l("Phường, xã không có đơn vị trực thuộc."))
    for unit in units:
        if parent.id in descendant_ids(session, unit):
            raise ReorganisationError(_l("Không thể chuyển %(unit)s vào chính nó hoặc đơn vị dưới nó.",
                                         unit=unit.full_name))
    _check_live([*units, parent], effective_on)
    return Reorganisation(UnitChangeKind.REPARENT, acting, effective_on, list(units), parent)


def plan_split(session: Session, acting: Unit, unit: Unit, new_units: list[NewUnit], effective_on: date, *,
               continues: bool) -> Reorganisation:
    """`unit` (a ward or commune) is divided from `effective_on`: `new_units` are made from it, and it
    goes on (`continues`) or ends, the first new unit then succeeding it (its open petitions, its staff
    if granted, its history)."""
    _check_date(effective_on)
    if not unit.is_tenant:
        raise ReorganisationError(_l("Chỉ chia tách phường, xã, đặc khu."))
    if len(new_units) < (1 if continues else 2):
        raise ReorganisationError(_l("Chia tách cần ít nhất hai đơn vị sau chia (kể cả đơn vị cũ nếu còn)."))
    if len({n.code.strip() for n in new_units}) != len(new_units) or len({n.slug for n in new_units}) != len(new_units):
        raise ReorganisationError(_l("Mỗi đơn vị mới cần một mã riêng."))
    below = _check_below(session, acting, [unit])
    _check_live([unit], effective_on)
    for new in new_units:
        _check_new(session, new, below, acting, freed=set() if continues else {unit.id})
    staff = [] if continues else list(session.scalars(
        select(Membership).where(Membership.unit_id == unit.id, Membership.active.is_(True))
        .order_by(Membership.role, Membership.id)))
    counts = {} if continues else dict(session.execute(
        select(Petition.unit_id, func.count()).where(Petition.unit_id == unit.id,
                                                     Petition.status.not_in(CLOSED_STATUSES))
        .group_by(Petition.unit_id)).tuples().all())
    return Reorganisation(UnitChangeKind.SPLIT, acting, effective_on, [unit], new_units=list(new_units),
                          continues=continues, staff=staff, open_petitions=counts)


def plan_dissolve(session: Session, acting: Unit, unit: Unit, parent: Unit, effective_on: date) -> Reorganisation:
    """`unit` (a town) ends on `effective_on`; the units under it go under `parent` from that day."""
    _check_date(effective_on)
    if unit.is_tenant:
        raise ReorganisationError(_l("Phường, xã được sáp nhập, không giải thể ở đây."))
    _check_below(session, acting, [unit])
    _check_below(session, acting, [parent], itself=True)
    if parent.id in descendant_ids(session, unit):
        raise ReorganisationError(_l("Đơn vị nhận phải nằm ngoài đơn vị bị giải thể."))
    _check_live([unit, parent], effective_on)
    children = [c for c in session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name))
                if c.live_on(effective_on)]
    return Reorganisation(UnitChangeKind.DISSOLVE, acting, effective_on, [unit], parent, children=children)


# --- applying and undoing ------------------------------------------------------------------------


def _log(session: Session, unit_id: int, action: str, summary: str, changes: dict[str, Any],
         actor: str, user_id: int | None) -> None:
    session.add(AuditEntry(unit_id=unit_id, user_id=user_id, username=actor, action=action,
                           object_type="Unit", object_id=unit_id, summary=summary[:255], changes=changes))


def _end(session: Session, units: list[Unit], day: date) -> None:
    """The units end on `day`: written straight (the audit entry is the reorganisation's own, `_succeed`)."""
    session.execute(update(Unit).where(Unit.id.in_([u.id for u in units])).values(ended_on=day))
    for unit in units:
        session.expire(unit, ["ended_on"])


def _succeed(session: Session, unit: Unit, successor: Unit | None, action: str, steps: list[dict[str, Any]],
             actor: str, user_id: int | None) -> None:
    """Record that `unit` ended (merged, split: into `successor`; dissolved: None), in its audit log too."""
    steps.append({"op": "end", "unit": unit.id, "successor": successor.id if successor else None})
    if successor is not None:
        session.execute(update(Unit).where(Unit.id == unit.id).values(successor_id=successor.id))
        session.expire(unit, ["successor_id"])
    day = unit.ended_on
    assert day is not None
    changes: dict[str, Any] = {"ended_on": [None, day.isoformat()]}
    if successor is not None:
        changes["successor"] = [None, successor.full_name]
    _log(session, unit.id, action, f"{unit.full_name} → {successor.full_name}" if successor else unit.full_name,
         changes, actor, user_id)


def _move_petitions(session: Session, source: int, target: int, ids: list[int]) -> None:
    """Move petitions `ids` (with their extensions) from unit `source` to `target`, dates unchanged:
    extensions are read, deleted, and written again under the new unit (their key includes it)."""
    if not ids:
        return
    petitions, extensions = Petition.__table__, PetitionExtension.__table__
    assert isinstance(petitions, Table) and isinstance(extensions, Table)
    rows = [dict(r) for r in session.execute(select(extensions).where(
        extensions.c.unit_id == source, extensions.c.petition_id.in_(ids))).mappings()]
    session.execute(delete(extensions).where(extensions.c.unit_id == source, extensions.c.petition_id.in_(ids)))
    session.execute(update(petitions).where(petitions.c.unit_id == source, petitions.c.id.in_(ids))
                    .values(unit_id=target))
    if rows:
        session.execute(insert(extensions), [{**r, "unit_id": target} for r in rows])
    session.execute(update(Unit).where(Unit.id.in_([source, target])).values(data_version=Unit.data_version + 1))


def apply(session: Session, plan: Reorganisation, *, actor: str, user_id: int | None, summary: str) -> UnitChange:
    """Do `plan` and keep it, step by step, as a `UnitChange`."""
    steps: list[dict[str, Any]] = []
    day = plan.effective_on
    touched = [u.id for u in plan.units]
    if plan.kind == UnitChangeKind.MERGE:
        _end(session, plan.units, day)  # first: their codes may pass to the new units
        successors: dict[int, Unit] = {}
        for merge in plan.merges:
            target = _create(session, merge.target, day, steps) if isinstance(merge.target, NewUnit) else merge.target
            touched.append(target.id)
            for unit in merge.units:
                successors[unit.id] = target
                _succeed(session, unit, target, "unit.merge", steps, actor, user_id)
        session.flush()
        _hand_over(session, plan, successors, steps)
    elif plan.kind == UnitChangeKind.SPLIT:
        unit = plan.units[0]
        if not plan.continues:
            _end(session, [unit], day)  # first: its code may pass to a new unit
        made = [_create(session, new, day, steps) for new in plan.new_units]
        touched += [u.id for u in made]
        if not plan.continues:
            _succeed(session, unit, made[0], "unit.split", steps, actor, user_id)
            session.flush()
            _hand_over(session, plan, {unit.id: made[0]}, steps)
    else:
        parent = plan.target
        assert parent is not None
        for unit in plan.children if plan.kind == UnitChangeKind.DISSOLVE else plan.units:
            steps.append({"op": "move", "unit": unit.id, "parent": unit.parent_id,
                          "since": unit.parent_since.isoformat() if unit.parent_since else None})
            name_action(session, unit, "unit.reparent")
            past = move_unit(session, unit, parent, day)
            session.flush()
            steps[-1]["past"] = past.id if past else None
            touched.append(unit.id)
        if plan.kind == UnitChangeKind.DISSOLVE:
            _end(session, plan.units, day)
            for unit in plan.units:
                _succeed(session, unit, None, "unit.dissolve", steps, actor, user_id)
        touched.append(parent.id)
    change = UnitChange(acting_unit_id=plan.acting.id, kind=plan.kind, effective_on=day, summary=summary[:500],
                        steps=steps, unit_ids=sorted(set(touched)), actor=actor, user_id=user_id)
    session.add(change)
    session.flush()
    _pages_stale(session, change.unit_ids)
    return change


def _pages_stale(session: Session, unit_ids: list[int]) -> None:
    """The units' kept pages show their names and state: a new version of their data."""
    session.execute(update(Unit).where(Unit.id.in_(unit_ids)).values(data_version=Unit.data_version + 1))


def _create(session: Session, new: NewUnit, day: date, steps: list[dict[str, Any]]) -> Unit:
    unit = Unit(slug=new.slug, code=new.code.strip(), name=new.name.strip(), kind=new.kind, parent_id=new.parent.id,
                parent_since=day, started_on=day, official=new.official)
    session.add(unit)
    session.flush()
    steps.append({"op": "create", "unit": unit.id})
    return unit


def _hand_over(session: Session, plan: Reorganisation, successors: dict[int, Unit], steps: list[dict[str, Any]]) -> None:
    """The ended units' open petitions go to their successors, and the staff granted get their roles there."""
    for unit_id, successor in successors.items():
        ids = list(session.scalars(select(Petition.id).where(Petition.unit_id == unit_id,
                                                               Petition.status.not_in(CLOSED_STATUSES))))
        _move_petitions(session, unit_id, successor.id, ids)
        if ids:
            steps.append({"op": "petitions", "from": unit_id, "to": successor.id, "ids": ids})
    for membership in plan.staff:
        target = successors[membership.unit_id]
        if membership.id in plan.grants and not session.scalar(select(Membership.id).where(
                Membership.user_id == membership.user_id, Membership.unit_id == target.id,
                Membership.role == membership.role)):
            granted = Membership(user_id=membership.user_id, unit_id=target.id, role=membership.role)
            session.add(granted)
            session.flush()
            steps.append({"op": "grant", "membership": granted.id})


def undo(session: Session, change: UnitChange, today: date) -> None:
    """Reverse `change` before it takes effect."""
    if not change.can_undo(today):
        raise ReorganisationError(_l("Chỉ hoàn tác được trước ngày có hiệu lực và một lần."))
    # The units it made first (their codes, which may be the ended units' own, are freed), then the
    # rest from the last step back.
    steps = [s for s in change.steps if s["op"] == "create"] + [s for s in reversed(change.steps) if s["op"] != "create"]
    for step in steps:
        op = step["op"]
        if op == "grant":
            membership = session.get(Membership, step["membership"])
            if membership is not None:
                session.delete(membership)
        elif op == "petitions":
            _move_petitions(session, step["to"], step["from"], step["ids"])
        elif op == "end":
            unit = session.get(Unit, step["unit"])
            assert unit is not None
            unit.ended_on, unit.successor_id = None, None
        elif op == "move":
            unit = session.get(Unit, step["unit"])
            assert unit is not None
            unit.parent_id = step["parent"]
            unit.parent_since = date.fromisoformat(step["since"]) if step["since"] else None
            if step.get("past"):
                past = session.get(UnitPastParent, step["past"])
                if past is not None:
                    session.delete(past)
        elif op == "create":
            # Its creation is in the audit log, so the row stays: a unit that never came into being
            # (it ends the day it starts), its code free again.
            unit = session.get(Unit, step["unit"])
            assert unit is not None
            unit.ended_on = unit.started_on
        session.flush()
    change.undone_at = datetime.now(UTC).replace(tzinfo=None)
    session.flush()
    _pages_stale(session, change.unit_ids)
