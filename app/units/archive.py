"""A unit's data as one archive, and back: `flask units export` / `flask units import`.

The archive is a zip file:

- `archive.json`: `{"format": "dan-van-unit-archive", "version": 1, "exported_at", "unit": {slug, code,
  name, kind, issuer_name, issuer_parent_name}, "identities": "plain" | "encrypted" | "omitted",
  "salt" (encrypted only), "tables": {table: [row, …]}, "references": {…}}`. `tables` holds every row
  the unit owns, of every ward-owned table (plans, sections, tasks, progress, evidence, indicators and
  their values, the registers, petitions and their extensions, reports, proposals, kept figures, the
  audit log), each row as `{column: value}` with dates and times in ISO 8601 and enums by value.
- `files/<table>/<id>`: the bytes of file columns (evidence), referred to in the row as
  `{"$file": "files/…", "sha256": "…"}`.
- `references`: what the rows point to outside the unit, by a natural key that holds in any
  installation: people (`users`: id → username, name), units (id → slug) and the parent's templates
  (`plans`, `plan_sections`, `tasks`, `indicator_definitions`: id → the template's code and revision and
  the row's key within it).

Petitioners' identities (confidential by law) are written as they are, encrypted with a key derived
from the operator's passphrase (`"fernet:…"`), or left out, as the operator chooses.

Import restores the rows into a unit with no data of its own (a new installation, or another unit),
with new ids where needed: every link between the rows is kept; a link outside the unit is resolved by
its natural key in the target installation, else left empty (and counted). Nothing is written unless
everything is: one transaction.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy.orm import Session

from app.audit import plain_value
from app.extensions import db
from app.models import Petition, Unit, UnitKind, User
from app.safe_zip import ZipRefused, checked_zip, inflation_cap
from app.tenancy import _ward_tables

FORMAT, VERSION = "dan-van-unit-archive", 1
# All of an archive inflated (its rows as JSON, its evidence files): a ward's years of evidence
# stay far below; a zip bomb is refused after at most this much work.
MAX_INFLATED = 4 * 1024 * 1024 * 1024
CONFIDENTIAL = {"petitions": tuple(Petition.__confidential__)}
IDENTITY_CHOICES = ("plain", "encrypted", "omitted")
TEMPLATE_TABLES = ("plans", "plan_sections", "tasks", "indicator_definitions")
# A template row's key within its template (the template itself: its code and revision).
TEMPLATE_KEYS = {"tasks": ("key",), "indicator_definitions": ("code",), "plan_sections": ("position", "number", "title")}


class ArchiveError(ValueError):
    """The archive cannot be written or restored as asked; the message says why."""


def _tables() -> list[sa.Table]:
    """The ward-owned tables, parents before children."""
    names = _ward_tables()
    return [t for t in db.metadata.sorted_tables if t.name in names]


def _key(passphrase: bytes, salt: bytes) -> Fernet:
    derived = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase)
    return Fernet(base64.urlsafe_b64encode(derived))


# --- export ---------------------------------------------------------------------------------------


def _template_key(session: Session, table: str, row_id: int) -> list[Any] | None:
    """The natural key of a template's row (another unit's): its template's code and revision, and
    the row's key within the template."""
    plans = db.metadata.tables["plans"]
    if table == "plans":
        found = session.execute(sa.select(plans.c.code, plans.c.revision).where(plans.c.id == row_id)).first()
        return [found.code, found.revision] if found else None
    t = db.metadata.tables[table]
    inner = [t.c[name] for name in TEMPLATE_KEYS[table]]
    found = session.execute(sa.select(plans.c.code, plans.c.revision, *inner).join(plans, plans.c.id == t.c.plan_id)
                            .where(t.c.id == row_id)).first()
    return list(found) if found else None


def export_unit(session: Session, unit: Unit, identities: str = "plain", passphrase: bytes | None = None) -> bytes:
    """The archive of everything `unit` owns (read under a scope that sees the unit)."""
    if identities not in IDENTITY_CHOICES:
        raise ArchiveError(f"identities must be one of {IDENTITY_CHOICES}")
    if identities == "encrypted" and not passphrase:
        raise ArchiveError("encrypting identities needs a passphrase (--key-file)")
    salt = hashlib.sha256(f"{unit.slug}{datetime.now(UTC).isoformat()}".encode()).digest()[:16]
    fernet = _key(passphrase, salt) if identities == "encrypted" and passphrase else None
    buffer = io.BytesIO()
    tables: dict[str, list[dict[str, Any]]] = {}
    users: set[int] = set()
    units: set[int] = set()
    outside: dict[str, set[int]] = {name: set() for name in TEMPLATE_TABLES}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in _tables():
            rows = []
            for row in session.execute(sa.select(table).where(table.c.unit_id == unit.id).order_by(*table.primary_key)):
                data = {}
                for column in table.columns:
                    value = row._mapping[column]
                    if isinstance(value, bytes):
                        path = f"files/{table.name}/{row._mapping['id']}"
                        archive.writestr(path, value)
                        value = {"$file": path, "sha256": hashlib.sha256(value).hexdigest()}
                    elif column.name in CONFIDENTIAL.get(table.name, ()) and value:
                        if identities == "omitted":
                            value = ""
                        elif fernet is not None:
                            value = "fernet:" + fernet.encrypt(str(value).encode()).decode()
                    data[column.name] = plain_value(value)
                for fk in table.foreign_keys:
                    value = data.get(fk.parent.name)
                    if value is None or fk.parent.name == "unit_id":
                        continue
                    target = fk.column.table.name
                    if target == "users":
                        users.add(value)
                    elif target == "units":
                        units.add(value)
                    elif target in outside:
                        outside[target].add(value)
                rows.append(data)
            tables[table.name] = rows
        own = {name: {r["id"] for r in tables.get(name, [])} for name in outside}
        references = {
            "users": {str(u.id): {"username": u.username, "full_name": u.full_name}
                      for u in session.scalars(sa.select(User).where(User.id.in_(users)))},
            "units": {str(u.id): u.slug for u in session.scalars(sa.select(Unit).where(Unit.id.in_(units)))},
            **{name: {str(i): _template_key(session, name, i) for i in sorted(ids - own[name])}
               for name, ids in outside.items()},
        }
        manifest = {
            "format": FORMAT, "version": VERSION, "exported_at": datetime.now(UTC).isoformat(),
            "unit": {"id": unit.id, "slug": unit.slug, "code": unit.code, "name": unit.name, "kind": unit.kind.value,
                     "issuer_name": unit.issuer_name, "issuer_parent_name": unit.issuer_parent_name},
            "identities": identities, "salt": base64.b64encode(salt).decode() if fernet else None,
            "tables": tables, "references": references,
        }
        archive.writestr("archive.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


# --- import ---------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    unit: Unit
    rows: dict[str, int] = field(default_factory=dict)
    ids: dict[str, dict[int, int]] = field(default_factory=dict)  # table → archive id → new id
    unresolved: dict[str, int] = field(default_factory=dict)  # outside links left empty, by table.column


def read_archive(data: bytes) -> tuple[dict[str, Any], zipfile.ZipFile]:
    """The manifest and the open zip of an archive; a clear error for anything else."""
    try:
        archive = checked_zip(data, inflation_cap(len(data), MAX_INFLATED, floor=256 * 1024 * 1024))
        manifest = json.loads(archive.read("archive.json"))
    except ZipRefused as error:
        raise ArchiveError(f"not a unit archive, or one that inflates too much ({error})") from error
    except (KeyError, ValueError) as error:
        raise ArchiveError(f"not a unit archive ({error})") from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ArchiveError(f"not a unit archive of version {VERSION}")
    return manifest, archive


def _decode(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    return value


def _next_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """`count` fresh ids for `table`: from its sequence on PostgreSQL, after the largest on SQLite."""
    if not count:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        return list(session.scalars(sa.text("SELECT nextval(:s) FROM generate_series(1, :n)"),
                                    {"s": sequence, "n": count}))
    start = (session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _resolve_template(session: Session, table: str, key: list[Any] | None) -> int | None:
    if not key:
        return None
    plans = db.metadata.tables["plans"]
    template = session.scalar(sa.select(plans.c.id).where(plans.c.is_template.is_(True), plans.c.code == key[0],
                                                          plans.c.revision == key[1]))
    if template is None or table == "plans":
        return template
    t = db.metadata.tables[table]
    inner = [t.c[name] for name in TEMPLATE_KEYS[table]]
    return session.scalar(sa.select(t.c.id).where(t.c.plan_id == template,
                                                 *(c == v for c, v in zip(inner, key[2:], strict=True))).limit(1))


def import_unit(session: Session, data: bytes, target: Unit | None, *, parent: Unit | None = None,
                passphrase: bytes | None = None) -> ImportResult:
    """Restore an archive into `target` (a unit with no data of its own), or into a unit made from the
    archive's (under `parent`) when `target` is None; under a scope that may write every unit."""
    manifest, archive = read_archive(data)
    fernet = None
    if manifest["identities"] == "encrypted":
        if not passphrase:
            raise ArchiveError("the archive's petitioner identities are encrypted: give the key (--key-file)")
        fernet = _key(passphrase, base64.b64decode(manifest["salt"]))
    if target is None:
        spec = manifest["unit"]
        if session.scalar(sa.select(Unit.id).where(Unit.slug == spec["slug"])) is not None:
            raise ArchiveError(f"a unit {spec['slug']!r} exists already: import into it with --into")
        target = Unit(slug=spec["slug"], code=spec["code"], name=spec["name"], kind=UnitKind(spec["kind"]),
                      parent_id=parent.id if parent else None, issuer_name=spec.get("issuer_name", ""),
                      issuer_parent_name=spec.get("issuer_parent_name", ""))
        session.add(target)
        session.flush()
    tables = _tables()
    for table in tables:  # its audit log may say it was created and who was given roles: that stays
        if table.name != "audit_entries" and session.scalar(
                sa.select(sa.func.count()).select_from(table).where(table.c.unit_id == target.id)):
            raise ArchiveError(f"{target.slug} already holds data ({table.name}): import only into an empty unit")
    result = ImportResult(target)
    rows_of = manifest["tables"]
    for table in tables:
        rows = rows_of.get(table.name, [])
        if "id" in table.c:  # kept figures are keyed by unit and period: nothing to renumber
            result.ids[table.name] = dict(zip([r["id"] for r in rows], _next_ids(session, table, len(rows)),
                                              strict=True))
    users = {int(k): session.scalar(sa.select(User.id).where(User.username == v["username"]))
             for k, v in manifest["references"]["users"].items()}
    units = {int(k): session.scalar(sa.select(Unit.id).where(Unit.slug == v))
             for k, v in manifest["references"]["units"].items()}
    units[manifest["unit"]["id"]] = target.id
    outside = {name: {int(k): _resolve_template(session, name, v)
                      for k, v in manifest["references"].get(name, {}).items()} for name in TEMPLATE_TABLES}
    object_tables = {m.class_.__name__: getattr(m.class_, "__tablename__", "") for m in Unit.registry.mappers}

    def linked(table: sa.Table, column: str, value: Any) -> Any:
        fk = next((f for f in table.c[column].foreign_keys if f.column.name == "id"), None)
        if value is None or fk is None:
            return value
        target_table = fk.column.table.name
        if target_table == "units":
            found = units.get(value)
        elif target_table == "users":
            found = users.get(value)
        elif value in result.ids.get(target_table, {}):
            found = result.ids[target_table][value]
        else:
            found = outside.get(target_table, {}).get(value)
        if found is None:
            result.unresolved[f"{table.name}.{column}"] = result.unresolved.get(f"{table.name}.{column}", 0) + 1
        return found

    for table in tables:
        restored = []
        for row in rows_of.get(table.name, []):
            values: dict[str, Any] = {}
            for column in table.columns:
                value = row.get(column.name)
                if isinstance(value, dict) and "$file" in value:
                    blob = archive.read(value["$file"])
                    if hashlib.sha256(blob).hexdigest() != value["sha256"]:
                        raise ArchiveError(f"{value['$file']} does not match its checksum")
                    value = blob
                elif column.name == "unit_id":
                    value = target.id
                elif column.name == "id":
                    value = result.ids[table.name][value]
                elif fernet is not None and isinstance(value, str) and value.startswith("fernet:"):
                    try:
                        value = fernet.decrypt(value[len("fernet:"):].encode()).decode()
                    except InvalidToken as error:
                        raise ArchiveError("the key does not open the petitioners' identities") from error
                elif column.foreign_keys:
                    value = linked(table, column.name, value)
                values[column.name] = _decode(column, value) if not isinstance(value, bytes) else value
            if table.name == "audit_entries" and values.get("object_id") is not None:
                moved = result.ids.get(object_tables.get(values["object_type"], ""), {})
                values["object_id"] = moved.get(values["object_id"], values["object_id"])
            restored.append(values)
        if restored:
            session.execute(sa.insert(table), restored)
        result.rows[table.name] = len(restored)
    session.execute(sa.update(Unit).where(Unit.id == target.id).values(data_version=Unit.data_version + 1))
    return result
