"""The registry under tenants/: units, the stored plan template, and `flask tenants sync`."""

from __future__ import annotations

import html
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask

from app.models import AuditEntry, Plan, PlanSection, Task, Unit, UnitKind
from tests.conftest import ROOT, everything
from tests.test_plan_template_text import normalise_space, seed_units

UNITS_DIR = ROOT / "tenants" / "units"
TEMPLATE_CODE = "dan-van-chinh-quyen-2025"
TEMPLATE_FILE = "dan-van-chinh-quyen-2025.yaml"
SYNC_LINE = re.compile(r"^(units|plan templates): (\d+) created, (\d+) updated, (\d+) unchanged$", re.M)


def registry_entries() -> list[dict]:
    entries: list[dict] = []
    for path in sorted(UNITS_DIR.glob("*.yaml")):
        entries.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["units"])
    return entries


def row_counts(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with everything(session):
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Unit, Plan, PlanSection, Task, AuditEntry)
        }


def sync(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["tenants", "sync"])


def sync_counts(output: str) -> dict[str, tuple[int, int, int]]:
    return {m[1]: (int(m[2]), int(m[3]), int(m[4])) for m in SYNC_LINE.finditer(output)}


def template_revisions(session) -> list[Plan]:  # type: ignore[no-untyped-def]
    with everything(session):
        return list(
            session.scalars(
                sa.select(Plan).where(Plan.is_template.is_(True), Plan.code == TEMPLATE_CODE).order_by(Plan.revision)
            )
        )


@pytest.fixture
def tenants_copy(tmp_path: Path, app: Flask, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """A copy of tenants/ that the app loads from, for editing in a test."""
    copy = tmp_path / "tenants"
    shutil.copytree(ROOT / "tenants", copy)
    monkeypatch.setitem(app.config, "TENANTS_DIR", str(copy))
    return copy


# --- the registry -----------------------------------------------------------------------------


def test_bim_son_is_a_town_of_thanh_hoa_with_its_wards(units) -> None:  # type: ignore[no-untyped-def]
    province, town = units["thanh-hoa"], units["bim-son"]
    assert province.kind == UnitKind.PROVINCE
    assert province.parent_id is None
    assert town.kind == UnitKind.TOWN
    assert town.parent_id == province.id
    assert (town.name, province.name) == ("Bỉm Sơn", "Thanh Hóa")

    below = [u for u in units.values() if u.parent_id == town.id]
    assert len(below) >= 6
    assert all(u.kind in (UnitKind.WARD, UnitKind.COMMUNE) for u in below)
    phu_son = units["phu-son"]
    assert phu_son in below
    assert (phu_son.name, phu_son.kind, phu_son.full_name) == ("Phú Sơn", UnitKind.WARD, "phường Phú Sơn")
    assert units["quang-trung"].kind == UnitKind.COMMUNE


def test_registry_files_have_unique_slugs_and_codes_and_known_kinds() -> None:
    entries = registry_entries()
    slugs = [e["slug"] for e in entries]
    codes = [str(e["code"]) for e in entries]
    assert len(slugs) == len(set(slugs))
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs), slugs
    assert {e["kind"] for e in entries} <= {k.value for k in UnitKind}
    by_slug = {e["slug"]: e for e in entries}
    for entry in entries:
        parent = entry.get("parent")
        if entry["kind"] == "province":
            assert parent is None, entry
        else:
            assert parent in by_slug, entry
            expected = {"town": {"province"}, "ward": {"town", "province"}, "commune": {"town", "province"}}
            assert by_slug[parent]["kind"] in expected[entry["kind"]], entry


def test_stored_units_match_the_registry(units) -> None:  # type: ignore[no-untyped-def]
    for entry in registry_entries():
        unit = units[entry["slug"]]
        assert (unit.code, unit.name, unit.kind.value) == (str(entry["code"]), entry["name"], entry["kind"])
        assert unicodedata.is_normalized("NFC", unit.name)


# --- flask tenants sync -----------------------------------------------------------------------


def test_sync_twice_changes_nothing(app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    first = sync(app)
    assert first.exit_code == 0, first.output
    before = row_counts(session)

    second = sync(app)
    assert second.exit_code == 0, second.output
    counts = sync_counts(second.output)
    assert set(counts) == {"units", "plan templates"}, second.output
    assert counts["units"][:2] == (0, 0)
    assert counts["plan templates"][:2] == (0, 0)
    assert counts["units"][2] == len(registry_entries())
    assert row_counts(session) == before


def test_changed_template_adds_a_revision_and_keeps_plans_on_theirs(  # type: ignore[no-untyped-def]
    app: Flask, session, tenants_copy: Path
) -> None:
    path = tenants_copy / "plan_templates" / TEMPLATE_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first_task = data["sections"][1]["sections"][0]["tasks"][0]
    first_task["text"] = first_task["text"].rstrip() + " Kết quả báo cáo hằng quý."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (original,) = template_revisions(session)
    plans_before = row_counts(session)["plans"]

    result = sync(app)
    assert result.exit_code == 0, result.output
    assert sync_counts(result.output)["plan templates"][:2] == (0, 1)

    revisions = template_revisions(session)
    assert [t.revision for t in revisions] == [1, 2]
    assert revisions[0].id == original.id
    with everything(session):
        texts = {
            t.revision: session.scalar(sa.select(Task.text).where(Task.plan_id == t.id, Task.key == first_task["key"]))
            for t in revisions
        }
        plans = list(session.scalars(sa.select(Plan).where(Plan.is_template.is_(False), Plan.year == 2025)))
    assert texts[2].endswith("Kết quả báo cáo hằng quý.")
    assert not texts[1].endswith("Kết quả báo cáo hằng quý.")
    assert row_counts(session)["plans"] == plans_before + 1  # only the new revision
    assert plans
    family = {r.id for r in revisions}  # (the other town's ward follows that town's own template)
    assert {(p.template_id, p.template_revision) for p in plans if p.template_id in family} == {(original.id, 1)}

    again = sync(app)
    assert sync_counts(again.output)["plan templates"][:2] == (0, 0)


def _add_valid_unit(tenants: Path) -> None:
    """A well-formed change that a failed sync must not leave behind."""
    path = tenants / "units" / "thanh-hoa.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - slug: lang-moi\n    code: \"99999\"\n    name: Làng Mới\n    kind: commune\n    parent: bim-son\n",
        encoding="utf-8",
    )


def _break_yaml(tenants: Path) -> tuple[str, str]:
    path = tenants / "plan_templates" / TEMPLATE_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\nsections: [unclosed\n  - : :\n", encoding="utf-8")
    return TEMPLATE_FILE, "YAML"


def _unknown_owner_role(tenants: Path) -> tuple[str, str]:
    path = tenants / "plan_templates" / TEMPLATE_FILE
    text = path.read_text(encoding="utf-8")
    assert "owner_role: culture" in text
    path.write_text(text.replace("owner_role: culture", "owner_role: mayor", 1), encoding="utf-8")
    return TEMPLATE_FILE, "owner_role"


def _append_unit(tenants: Path, slug: str, code: str, name: str, kind: str, parent: str) -> None:
    path = tenants / "units" / "thanh-hoa.yaml"
    entry = f'  - slug: {slug}\n    code: "{code}"\n    name: {name}\n    kind: {kind}\n    parent: {parent}\n'
    path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")


def _unknown_parent(tenants: Path) -> tuple[str, str]:
    _append_unit(tenants, "xa-lac", "99998", "Xã Lạc", "commune", "no-such-town")
    return "thanh-hoa.yaml", "no-such-town"


def _duplicate_slug(tenants: Path) -> tuple[str, str]:
    """A copy-paste slip: a second entry with Phú Sơn's slug must not rename Phú Sơn."""
    _append_unit(tenants, "phu-son", "99997", "Phú Sơn Mới", "ward", "bim-son")
    return "thanh-hoa.yaml", "phu-son"


def _duplicate_code(tenants: Path) -> tuple[str, str]:
    _append_unit(tenants, "xa-trung-ma", "14812", "Trùng Mã", "commune", "bim-son")
    return "thanh-hoa.yaml", "14812"


@pytest.mark.parametrize(
    "defect", [_break_yaml, _unknown_owner_role, _unknown_parent, _duplicate_slug, _duplicate_code]
)
def test_malformed_registry_fails_loudly_and_changes_nothing(  # type: ignore[no-untyped-def]
    app: Flask, session, tenants_copy: Path, defect
) -> None:
    _add_valid_unit(tenants_copy)
    file_name, problem = defect(tenants_copy)
    before = row_counts(session)

    result = sync(app)
    session.rollback()  # the command's process ends here: only what it committed survives
    assert result.exit_code != 0, result.output
    assert not isinstance(result.exception, sa.exc.SQLAlchemyError), "a database error instead of a message"
    message = result.output  # click's runner mixes stderr into output
    assert problem in message, message
    assert file_name in message, f"the error does not name the file: {message}"
    assert row_counts(session) == before
    with everything(session):
        assert session.scalar(sa.select(Unit).where(Unit.slug == "lang-moi")) is None
        phu_son = session.scalar(sa.select(Unit).where(Unit.slug == "phu-son"))
        assert (phu_son.name, phu_son.code) == ("Phú Sơn", "14812")


# --- the stored template ----------------------------------------------------------------------


def _template_rows(session):  # type: ignore[no-untyped-def]
    (template,) = template_revisions(session)
    with everything(session):
        sections = list(session.scalars(sa.select(PlanSection).where(PlanSection.plan_id == template.id)))
        tasks = list(session.scalars(sa.select(Task).where(Task.plan_id == template.id)))
    return template, sections, tasks


def test_stored_template_structure(session) -> None:  # type: ignore[no-untyped-def]
    template, sections, tasks = _template_rows(session)
    assert template.year == 2025
    assert template.signer_name == "Nguyễn Xuân Lâm"
    assert len(template.legal_bases) == 1  # the source's one "Căn cứ" (Chỉ thị 33)

    def ordered(children):  # type: ignore[no-untyped-def]
        return sorted(children, key=lambda s: s.position)

    top = ordered(s for s in sections if s.parent_id is None)
    assert [s.number for s in top] == ["I", "II", "III"]  # numbered by position (the seed skips III)
    by_number = {s.number: s for s in top}
    assert len([s for s in sections if s.parent_id == by_number["I"].id]) == 2
    contents = ordered(s for s in sections if s.parent_id == by_number["II"].id)
    assert [s.number for s in contents] == ["1", "2", "3", "4", "5", "6"]
    organisation = sorted((t for t in tasks if t.section_id == by_number["III"].id), key=lambda t: t.position)
    assert [t.owner_role.value for t in organisation] == ["chairman", "office", "culture"]

    assert tasks
    for task in tasks:
        assert task.owner_role is not None and task.schedule is not None, task.key
        assert task.text.strip(), task.key
    assert len({t.key for t in tasks}) == len(tasks)


def test_stored_template_text_is_repaired_and_nfc(session) -> None:  # type: ignore[no-untyped-def]
    template, sections, tasks = _template_rows(session)
    texts = [template.heading, template.title, template.preamble, template.closing, template.signer_title]
    texts += [*template.legal_bases, *template.recipients, template.signer_name]
    texts += [part for s in sections for part in (s.number, s.title, s.body)]
    texts += [t.text for t in tasks]
    for text in texts:
        assert "ƣ" not in text and "Ƣ" not in text, text
        assert "xây dưng" not in text, text
        assert unicodedata.is_normalized("NFC", text), text


# --- the plan page ----------------------------------------------------------------------------


# Screen controls interleaved with the document's words (edit buttons, owner and schedule badges).
UI_CHROME = (
    re.compile(r'<p class="task-meta">.*?</p>', re.S),
    re.compile(r'<p class="add-line".*?</p>', re.S),
    re.compile(r'<span class="controls">.*?</span>', re.S),
)


def document_text(markup: str) -> str:
    """The words of the plan document on the page: its article, without screen controls."""
    match = re.search(r'<article class="document".*?</article>', markup, re.S)
    assert match, "no document on the page"
    article = match.group(0)
    for chrome in UI_CHROME:
        article = chrome.sub(" ", article)
    return normalise_space(html.unescape(re.sub(r"<[^>]+>", " ", article)))


def test_phu_son_plan_page_reads_like_the_seed(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("chairman@phu-son").get("/u/phu-son/plans/2025")
    assert response.status_code == 200
    text = document_text(response.get_data(as_text=True))
    missing = [sentence for sentence in seed_units() if sentence not in text]
    assert not missing, "seed sentences missing from the plan page:\n" + "\n".join(f"  - {s}" for s in missing)
    assert "ƣ" not in text
