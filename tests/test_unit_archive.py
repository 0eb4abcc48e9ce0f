"""A unit's data can move: export to one archive, import into another unit or a new installation,
every row, file and link equal; petitioners' identities encrypted or left out."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.database import configure_sqlite
from app.extensions import db
from app.models import Petition, Unit, UnitKind, User
from app.tenancy import system_scope
from app.tenant_registry import sync_templates, sync_units
from app.units.archive import ArchiveError, _tables, export_unit, import_unit, read_archive
from tests.conftest import ROOT, everything

KEY = b"mat-khau-luu-tru-2025"


def _export(session, unit: Unit, identities: str = "plain", key: bytes | None = None) -> bytes:  # type: ignore[no-untyped-def]
    with everything(session):
        return export_unit(session, unit, identities, key)


def _rows(session, table: sa.Table, unit_id: int) -> dict[Any, dict[str, Any]]:  # type: ignore[no-untyped-def]
    key = [c.name for c in table.primary_key]
    rows = session.execute(sa.select(table).where(table.c.unit_id == unit_id)).mappings()
    return {tuple(r[k] for k in key if k != "unit_id"): dict(r) for r in rows}


def _same_rows(source: Session, source_unit: int, target: Session, target_unit: int, ids: dict[str, dict[int, int]],
               links: dict[str, dict[int, int | None]] | None = None) -> int:
    """Every row of every ward table of the source unit has its copy in the target unit: the same values
    in every column, ids and links through `ids` (rows of the unit) or `links` (people, templates)."""
    compared = 0
    for table in _tables():
        before, after = _rows(source, table, source_unit), _rows(target, table, target_unit)
        mapping = ids.get(table.name, {})
        if table.name == "audit_entries":  # the target's log also says the unit itself was created
            after = {key: row for key, row in after.items() if key[0] in mapping.values()}
        assert len(before) == len(after), table.name
        for key, row in before.items():
            copy = after[tuple(mapping.get(k, k) if isinstance(k, int) else k for k in key)]
            for column in table.columns:
                value, restored = row[column.name], copy[column.name]
                fk = next((f for f in column.foreign_keys if f.column.name == "id"), None)
                if column.name == "unit_id":
                    assert restored == target_unit
                elif column.name == "id":
                    assert restored == mapping[value]
                elif fk is not None and value is not None:
                    target_table = fk.column.table.name
                    expected = ids.get(target_table, {}).get(value)
                    if expected is None and links is not None:
                        expected = links.get(target_table, {}).get(value)
                    elif expected is None:
                        expected = value  # outside the unit, same installation: the same row
                    assert restored == expected, (table.name, column.name)
                elif table.name == "audit_entries" and column.name == "object_id":
                    continue  # renumbered with the rows it names (checked below)
                else:
                    assert restored == value, (table.name, column.name)
            compared += 1
    return compared


def _empty_unit(session, units) -> Unit:  # type: ignore[no-untyped-def]
    with everything(session):
        unit = Unit(slug="phuong-moi", code="77010", name="Mới", kind=UnitKind.WARD, parent_id=units["bim-son"].id)
        session.add(unit)
        session.flush()
        return unit


def test_the_ward_round_trips_into_another_unit_with_every_row_file_and_link(session, units) -> None:  # type: ignore[no-untyped-def]
    ward = units["phu-son"]
    data = _export(session, ward)
    manifest, archive = read_archive(data)
    assert manifest["unit"]["slug"] == "phu-son" and manifest["identities"] == "plain"
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert files, "the baseline ward has an evidence file"
    target = _empty_unit(session, units)
    with everything(session):
        result = import_unit(session, data, target)
        session.flush()
        compared = _same_rows(session, ward.id, session, target.id, result.ids)
        assert compared > 50 and not result.unresolved
        # The audit log still names the rows it was about, under their new ids.
        entry = session.execute(sa.select(db.metadata.tables["audit_entries"]).where(
            db.metadata.tables["audit_entries"].c.unit_id == target.id,
            db.metadata.tables["audit_entries"].c.object_type == "Petition").limit(1)).mappings().first()
        assert entry is not None and entry["object_id"] in result.ids["petitions"].values()
        # The copy is a working ward: its plan opens with the same tasks.
        evidence = db.metadata.tables["evidence_files"]
        assert session.scalar(sa.select(evidence.c.data).where(evidence.c.unit_id == target.id)) == archive.read(files[0])


def test_the_ward_restores_into_a_new_installation(session, units, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ward = units["phu-son"]
    data = _export(session, ward)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    configure_sqlite(engine)
    db.metadata.create_all(engine)
    with Session(engine) as fresh:
        with system_scope(fresh, actor="tests"):
            sync_units(fresh, ROOT / "tenants" / "units")  # the same templates, loaded from tenants/
            sync_templates(fresh, ROOT / "tenants" / "plan_templates")
            with everything(session):
                people = {u.id: u.username for u in session.scalars(sa.select(User))}
            fresh.add_all(User(username=name) for name in sorted(set(people.values())))
            fresh.flush()
            registered = fresh.scalar(sa.select(Unit).where(Unit.slug == "phu-son"))  # from tenants/, empty
            result = import_unit(fresh, data, registered)
            fresh.commit()
            assert result.unit.slug == "phu-son" and not result.unresolved
            new_people = {u.username: u.id for u in fresh.scalars(sa.select(User))}
            plans = db.metadata.tables["plans"]
            templates = dict(fresh.execute(sa.select(plans.c.code, plans.c.id).where(plans.c.is_template.is_(True))).all())
            with everything(session):
                old_templates = dict(session.execute(sa.select(db.metadata.tables["plans"].c.id,
                                                               db.metadata.tables["plans"].c.code)
                                                     .where(db.metadata.tables["plans"].c.is_template.is_(True))).all())
                links: dict[str, dict[int, int | None]] = {
                    "users": {old: new_people[name] for old, name in people.items()},
                    "plans": {old: templates.get(code) for old, code in old_templates.items()},
                }
                links.update(_template_rows(session, fresh))
                assert _same_rows(session, ward.id, fresh, result.unit.id, result.ids, links) > 50


def _template_rows(source: Session, target: Session) -> dict[str, dict[int, int | None]]:
    """Template tasks, sections and indicators of the source installation → the same rows of the target."""
    found: dict[str, dict[int, int | None]] = {}
    plans = db.metadata.tables["plans"]
    for name, key in (("tasks", ("key",)), ("indicator_definitions", ("code",)),
                      ("plan_sections", ("position", "number", "title"))):
        t = db.metadata.tables[name]
        query = (sa.select(t.c.id, plans.c.code, plans.c.revision, *(t.c[k] for k in key))
                 .join(plans, plans.c.id == t.c.plan_id).where(plans.c.is_template.is_(True)))
        target_ids = {tuple(r[1:]): r[0] for r in target.execute(query).all()}
        found[name] = {r[0]: target_ids.get(tuple(r[1:])) for r in source.execute(query).all()}
    return found


def test_identities_are_encrypted_or_left_out_and_need_the_key(session, units) -> None:  # type: ignore[no-untyped-def]
    ward = units["phu-son"]
    with everything(session):
        names = [n for n in session.scalars(sa.select(Petition.petitioner_name).where(Petition.unit_id == ward.id)) if n]
    assert names
    encrypted = _export(session, ward, "encrypted", KEY)
    text = zipfile.ZipFile(BytesIO(encrypted)).read("archive.json").decode()
    assert all(name not in text for name in names) and "fernet:" in text
    omitted = _export(session, ward, "omitted")
    assert all(name not in zipfile.ZipFile(BytesIO(omitted)).read("archive.json").decode() for name in names)
    target = _empty_unit(session, units)
    with everything(session):
        for key in (None, b"sai-mat-khau"):
            attempt = session.begin_nested()  # as the command does: a refused import is rolled back whole
            with pytest.raises(ArchiveError):
                import_unit(session, encrypted, target, passphrase=key)
            attempt.rollback()
        assert session.scalar(sa.select(sa.func.count()).select_from(Petition).where(Petition.unit_id == target.id)) == 0
        import_unit(session, encrypted, target, passphrase=KEY)
        restored = set(session.scalars(sa.select(Petition.petitioner_name).where(Petition.unit_id == target.id)))
    assert set(names) <= restored


def test_an_import_into_a_unit_with_data_or_of_a_bad_file_is_refused(session, units) -> None:  # type: ignore[no-untyped-def]
    data = _export(session, units["phu-son"])
    with everything(session):
        with pytest.raises(ArchiveError, match="already holds data"):
            import_unit(session, data, units["quang-trung"])
        with pytest.raises(ArchiveError, match="exists already"):
            import_unit(session, data, None)
        for bad in (b"not a zip", _zip({"archive.json": json.dumps({"format": "other"})})):
            with pytest.raises(ArchiveError, match="not a unit archive"):
                import_unit(session, bad, None)


def _zip(members: dict[str, str]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_commands_export_and_import(app, session, units, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "key.txt"
    key.write_bytes(KEY + b"\n")
    file = tmp_path / "phu-son.zip"
    runner = app.test_cli_runner()
    out = runner.invoke(args=["units", "export", "phu-son", str(file), "--key-file", str(key)])
    assert out.exit_code == 0 and file.exists(), out.output
    _empty_unit(session, units)
    done = runner.invoke(args=["units", "import", str(file), "--into", "phuong-moi", "--key-file", str(key)])
    assert done.exit_code == 0, done.output
    assert "petitions" in done.output
    again = runner.invoke(args=["units", "import", str(file), "--into", "phuong-moi", "--key-file", str(key)])
    assert again.exit_code != 0 and "already holds data" in again.output
    no_key = runner.invoke(args=["units", "export", "phu-son", str(file)])
    assert no_key.exit_code != 0 and "passphrase" in no_key.output


def test_the_parent_admin_downloads_the_archive_and_the_export_is_logged(session, units, users, client) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    ward = units["phu-son"]
    url = f"/u/bim-son/units/{ward.id}/export"
    admin = login(client, users["admin@bim-son"])
    assert admin.get(url).status_code == 200
    short = admin.post(url, data={"identities": "encrypted", "passphrase": "ngan"})
    assert short.status_code == 400 and "12" in short.get_data(as_text=True)
    response = admin.post(url, data={"identities": "encrypted", "passphrase": KEY.decode()})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    manifest, _ = read_archive(response.data)
    assert manifest["identities"] == "encrypted" and manifest["unit"]["slug"] == "phu-son"
    with everything(session):
        logged = session.scalar(sa.select(db.metadata.tables["audit_entries"].c.action).where(
            db.metadata.tables["audit_entries"].c.unit_id == ward.id,
            db.metadata.tables["audit_entries"].c.action == "unit.export"))
    assert logged == "unit.export"
    assert admin.get(f"/u/bim-son/units/{units['truong-son'].id}/export").status_code == 404  # another town's
    front = login(client, users["front@bim-son"])
    assert front.post(url, data={"identities": "plain"}).status_code == 403
