"""Loads `tenants/` (the unit registry and the plan template library) idempotently."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.indicators.measures import IndicatorDefinitionError, check_definition
from app.local_time import local_today
from app.models import (
    IndicatorDefinition,
    IndicatorSource,
    Plan,
    PlanSection,
    PlanStatus,
    Role,
    Schedule,
    Task,
    Unit,
    UnitKind,
)
from app.text_repair import repair_legacy_text

TASK_OWNERS = {Role.CHAIRMAN.value, Role.OFFICE.value, Role.CULTURE.value}


class RegistryError(ValueError):
    """A file under tenants/ is malformed; the message names the file and the problem."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RegistryError(f"{path}: cannot read YAML ({error})") from error
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: expected a mapping at the top level")
    return _clean(data)


def _clean(value: Any) -> Any:
    """Repair legacy letters and normalise every string to NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", repair_legacy_text(value))
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


# --- units ------------------------------------------------------------------------------------


def sync_units(session: Session, directory: Path) -> SyncReport:
    """Create or update the units of every tenants/units/*.yaml; parents before children."""
    report = SyncReport()
    entries: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted(directory.glob("*.yaml")):
        for entry in _read_yaml(path).get("units", []):
            entries.append((path, entry))
    by_slug = {u.slug: u for u in session.scalars(select(Unit))}
    _check_unique(entries, by_slug)
    pending = list(entries)
    while pending:
        progressed = False
        for path, entry in list(pending):
            parent_slug = entry.get("parent")
            if parent_slug and parent_slug not in by_slug:
                continue
            _upsert_unit(session, path, entry, by_slug, report)
            pending.remove((path, entry))
            progressed = True
        if not progressed:
            raise RegistryError(
                "; ".join(f"{path}: unit {e.get('slug')!r} refers to unknown parent {e.get('parent')!r}"
                          for path, e in pending)
            )
    session.flush()
    return report


def _check_unique(entries: list[tuple[Path, dict[str, Any]]], existing: dict[str, Unit]) -> None:
    """Refuse a slug or code given twice in tenants/, or a code another unit already holds."""
    slugs: dict[str, Path] = {}
    codes: dict[str, Path] = {}
    for path, entry in entries:
        slug, code = str(entry.get("slug", "")), str(entry.get("code", ""))
        if slug in slugs:
            raise RegistryError(f"{path}: slug {slug!r} is already defined in {slugs[slug]}")
        if code in codes:
            raise RegistryError(f"{path}: code {code!r} is already used in {codes[code]}")
        slugs[slug], codes[code] = path, path
        own = existing.get(slug)
        if own is not None and own.ended_on is not None:
            continue  # a unit of the past: its code may have passed to a successor
        holder = next((u for u in existing.values() if u.code == code and u.slug != slug and u.ended_on is None), None)
        if holder is not None:
            raise RegistryError(f"{path}: code {code!r} of {slug!r} already belongs to unit {holder.slug!r}")


def _upsert_unit(
    session: Session, path: Path, entry: dict[str, Any], by_slug: dict[str, Unit], report: SyncReport
) -> None:
    try:
        slug, code, name = str(entry["slug"]), str(entry["code"]), str(entry["name"])
        kind = UnitKind(entry["kind"])
    except (KeyError, ValueError) as error:
        raise RegistryError(f"{path}: bad unit entry {entry!r} ({error})") from error
    parent = by_slug.get(entry["parent"]) if entry.get("parent") else None
    wanted = {"code": code, "name": name, "kind": kind, "parent_id": parent.id if parent else None}
    unit = by_slug.get(slug)
    if unit is None:
        unit = Unit(slug=slug, **wanted)
        session.add(unit)
        session.flush()
        by_slug[slug] = unit
        report.created.append(slug)
    elif any(getattr(unit, k) != v for k, v in wanted.items()):
        for key, value in wanted.items():
            setattr(unit, key, value)
        session.flush()
        report.updated.append(slug)
    else:
        report.unchanged.append(slug)


# --- plan templates ---------------------------------------------------------------------------


def sync_templates(session: Session, directory: Path) -> SyncReport:
    """Store each tenants/plan_templates/*.yaml as a template; a changed file adds a revision."""
    report = SyncReport()
    units = {u.slug: u for u in session.scalars(select(Unit))}
    for path in sorted(directory.glob("*.yaml")):
        data = _read_yaml(path)
        _validate_template(path, data, units)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        latest = session.scalar(
            select(Plan)
            .where(Plan.is_template.is_(True), Plan.code == data["code"])
            .order_by(Plan.revision.desc())
            .limit(1)
        )
        if latest is not None and latest.content_hash == digest:
            report.unchanged.append(data["code"])
            continue
        _store_template(session, data, digest, units, (latest.revision + 1) if latest else 1)
        (report.updated if latest else report.created).append(data["code"])
    session.flush()
    return report


def _validate_template(path: Path, data: dict[str, Any], units: dict[str, Unit]) -> None:
    for key in ("code", "owner_unit", "year", "title", "sections"):
        if key not in data:
            raise RegistryError(f"{path}: missing '{key}'")
    for key in ("owner_unit", "source_unit"):
        if data.get(key) and data[key] not in units:
            raise RegistryError(f"{path}: {key} '{data[key]}' is not a known unit")
    keys: set[str] = set()

    def check(sections: list[dict[str, Any]]) -> None:
        for section in sections:
            for task in section.get("tasks", []):
                where = f"{path}: task {task.get('key')!r}"
                if task.get("owner_role") not in TASK_OWNERS:
                    raise RegistryError(f"{where}: owner_role must be one of {sorted(TASK_OWNERS)}")
                if task.get("schedule") not in {s.value for s in Schedule}:
                    raise RegistryError(f"{where}: schedule must be one of {[s.value for s in Schedule]}")
                if not task.get("text") or task.get("key") in keys:
                    raise RegistryError(f"{where}: needs text and a unique key")
                keys.add(task["key"])
            check(section.get("sections", []))

    check(data["sections"])
    _validate_indicators(path, data.get("indicators") or [], keys)


def _validate_indicators(path: Path, indicators: list[dict[str, Any]], task_keys: set[str]) -> None:
    """Each indicator: a unique code, a name, and a register/measure/filter from the vocabulary."""
    codes: set[str] = set()
    for item in indicators:
        where = f"{path}: indicator {item.get('code')!r}" if isinstance(item, dict) else f"{path}: indicator"
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise RegistryError(f"{where}: needs a code and a name")
        if item["code"] in codes:
            raise RegistryError(f"{where}: code given twice")
        codes.add(item["code"])
        try:
            check_definition(_indicator_source(item), item.get("register"), item.get("measure"), item.get("filter"))
        except IndicatorDefinitionError as error:
            raise RegistryError(f"{where}: {error}") from error
        if item.get("target") is not None and not isinstance(item["target"], (int, float)):
            raise RegistryError(f"{where}: target must be a number")
        unknown = set(item.get("tasks") or []) - task_keys
        if unknown:
            raise RegistryError(f"{where}: unknown task keys {sorted(unknown)}")


def _indicator_source(item: dict[str, Any]) -> str:
    """Computed when it names a register, else entered by hand (unless `source` says otherwise)."""
    return str(item.get("source") or (IndicatorSource.COMPUTED if item.get("register") else IndicatorSource.ENTERED))


def _store_template(
    session: Session, data: dict[str, Any], digest: str, units: dict[str, Unit], revision: int
) -> Plan:
    owner = units[data["owner_unit"]]
    source = units.get(data.get("source_unit", ""))
    template = Plan(
        unit_id=owner.id,
        is_template=True,
        code=data["code"],
        name=data.get("name", data["code"]),
        revision=revision,
        content_hash=digest,
        source_unit_id=source.id if source else None,
        year=int(data["year"]),
        heading=data.get("heading", "KẾ HOẠCH"),
        title=data["title"],
        preamble=data.get("preamble", ""),
        legal_bases=list(data.get("legal_bases", [])),
        closing=data.get("closing", ""),
        recipients=list(data.get("recipients", [])),
        signer_title=data.get("signer_title", "CHỦ TỊCH"),
        signer_name=data.get("signer_name", ""),
        status=PlanStatus.ISSUED,  # a template from the registry is published as it is loaded,
        issued_on=local_today(),  # and that day is its day of publication
    )
    session.add(template)
    session.flush()
    _store_sections(session, template, None, data["sections"])
    session.add_all(
        IndicatorDefinition(
            unit_id=template.unit_id,
            is_template=True,
            plan_id=template.id,
            position=position,
            code=str(item["code"]),
            name=str(item["name"]).strip(),
            unit=str(item.get("unit", "")),
            target=item.get("target"),
            source=IndicatorSource(_indicator_source(item)),
            register=item.get("register"),
            measure=item.get("measure"),
            filter=item.get("filter") or None,
            task_keys=list(item.get("tasks") or []),
        )
        for position, item in enumerate(data.get("indicators") or [], start=1)
    )
    session.flush()
    return template


def _store_sections(
    session: Session, template: Plan, parent: PlanSection | None, sections: list[dict[str, Any]]
) -> None:
    for position, item in enumerate(sections, start=1):
        section = PlanSection(
            unit_id=template.unit_id,
            is_template=True,
            plan_id=template.id,
            parent_id=parent.id if parent else None,
            position=position,
            number=str(item.get("number", "")),
            title=(item.get("title") or "").strip(),
            body=(item.get("body") or "").strip(),
            kind=item.get("kind", parent.kind if parent else "contents"),
        )
        session.add(section)
        session.flush()
        session.add_all(
            Task(
                unit_id=template.unit_id,
                is_template=True,
                plan_id=template.id,
                section_id=section.id,
                position=index,
                key=task["key"],
                style=task.get("style", "bullet"),
                text=task["text"].strip(),
                owner_role=Role(task["owner_role"]),
                schedule=Schedule(task["schedule"]),
            )
            for index, task in enumerate(item.get("tasks", []), start=1)
        )
        _store_sections(session, template, section, item.get("sections", []))
