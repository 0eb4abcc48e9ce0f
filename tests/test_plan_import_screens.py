"""Bringing a plan in from a file (issue 5 item 2), through the screens: upload, preview with what
could not be placed, correct, confirm; a draft plan linked to the template, or a draft template."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document

from app.models import Plan, PlanSection, PlanStatus, Task
from app.plans.outline import iter_nodes, plan_outline
from tests.conftest import everything, plan_of

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
WARD_IMPORT = "/u/phu-son/plans/import"
TOWN_IMPORT = "/u/bim-son/templates/import"


def _upload(client, url: str, name: str, data: bytes, **fields):  # type: ignore[no-untyped-def]
    return client.post(url, data={"file": (io.BytesIO(data), name), "action": "preview", **fields},
                       content_type="multipart/form-data")


def _textarea(html: str) -> str:
    import html as markup
    import re

    found = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, "no text box in the preview"
    return markup.unescape(found.group(1)).lstrip("\n")


def _outline(session, plan: Plan) -> list[tuple]:
    with everything(session):
        rows = []
        for node in iter_nodes(plan_outline(session, plan)):
            s = node.section
            rows.append((s.number, s.title, s.body, s.kind, [(t.style, t.text) for t in node.tasks]))
        return rows


def _builtin(session) -> Plan:
    with everything(session):
        return session.scalar(sa.select(Plan).where(Plan.code == "dan-van-chinh-quyen-2025", Plan.revision == 1))


def test_the_seed_file_imports_into_the_built_in_template(as_user, session):
    admin = as_user("admin@bim-son")
    preview = _upload(admin, TOWN_IMPORT, "ke-hoach.txt", SEED.read_bytes())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Chủ trương của Đảng" in html and "Chủ trƣơng" not in html  # repaired on the way in
    assert 'id="unplaced"' not in html
    text = _textarea(html)
    created = admin.post(TOWN_IMPORT, data={"text": text, "year": "2025", "action": "create"})
    assert created.status_code == 302
    with everything(session):
        imported = session.scalar(sa.select(Plan).where(Plan.code.like("nhap-bim-son-2025-%")))
    assert imported.is_template and imported.status == PlanStatus.DRAFT and imported.unit_id != plan_of
    builtin = _builtin(session)
    assert _outline(session, imported) == _outline(session, builtin)
    assert (imported.heading, imported.title, imported.closing) == (builtin.heading, builtin.title, builtin.closing)
    assert imported.recipients == builtin.recipients
    assert (imported.signer_title, imported.signer_name) == (builtin.signer_title, builtin.signer_name)
    assert imported.preamble.replace("xây dưng", "xây dựng") == builtin.preamble
    # Recognised as the built-in template's tasks: same keys, owners and schedules.
    with everything(session):
        mine = session.scalars(sa.select(Task).where(Task.plan_id == imported.id).order_by(Task.key)).all()
        theirs = session.scalars(sa.select(Task).where(Task.plan_id == builtin.id).order_by(Task.key)).all()
    assert [(t.key, t.owner_role, t.schedule) for t in mine] == [(t.key, t.owner_role, t.schedule) for t in theirs]
    # The new template is a draft the admin edits with the plan editor.
    page = admin.get(f"/u/bim-son/templates/{imported.id}").get_data(as_text=True)
    assert "Công bố" in page and "/tasks/" in page


def test_a_ward_imports_last_years_plan_linked_to_the_template(as_user, session, units):
    chairman = as_user("chairman@phu-son")
    preview = _upload(chairman, WARD_IMPORT, "ke-hoach-2026.txt", SEED.read_bytes(), year="2026")
    html = preview.get_data(as_text=True)
    assert "18 nhiệm vụ trùng với mẫu" in html
    created = chairman.post(WARD_IMPORT, data={"text": _textarea(html), "year": "2026", "action": "create"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/u/phu-son/plans/2026")
    plan = plan_of(session, units["phu-son"], 2026)
    assert plan.status == PlanStatus.DRAFT and plan.template_id == _builtin(session).id
    with everything(session):
        tasks = session.scalars(sa.select(Task).where(Task.plan_id == plan.id)).all()
    assert len(tasks) == 18 and all(t.template_task_id for t in tasks)
    difference = chairman.get("/u/phu-son/plans/2026/difference").get_data(as_text=True)
    assert "Thêm: 0" in difference and "Bỏ: 0" in difference


@pytest.mark.parametrize(
    "name,expected",
    [
        ("ke-hoach-xa-quang-trung-2025.tcvn3.txt", "UBND"),
        ("ke-hoach-phuong-bac-son-2025.vni.txt", "UBND"),
        ("ke-hoach-xa-ha-long-2025.utf8.txt", "Ngày Chủ nhật xanh"),
    ],
)
def test_other_units_plans_in_legacy_encodings_read_as_unicode(as_user, name, expected):
    preview = _upload(as_user("office@phu-son"), WARD_IMPORT, name, (FIXTURES / name).read_bytes(), year="2027")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and expected in html
    text = _textarea(html)
    assert "ộ" in text or "ư" in text  # Vietnamese letters, not legacy bytes
    assert not any(ch in text for ch in "µ¸ïÖÜ")


def test_a_word_file_imports_and_what_cannot_be_placed_is_shown_then_corrected(as_user, session, units):
    document = Document()
    for line in [
        "Bản dự thảo lần 2 gửi xin ý kiến",  # before the heading: not part of the plan
        "KẾ HOẠCH", "Công tác dân vận chính quyền năm 2027",
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Nâng cao chất lượng tiếp công dân.",
        "II. NỘI DUNG", "1. Tiếp công dân", "Chủ tịch UBND phường tiếp công dân mỗi tuần một ngày.",
        "Nơi nhận:", "- Lưu: VT.", "CHỦ TỊCH", "Lê Văn A",
    ]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    office = as_user("office@phu-son")
    preview = _upload(office, WARD_IMPORT, "du-thao.docx", buffer.getvalue())
    html = preview.get_data(as_text=True)
    assert 'id="unplaced"' in html and "Bản dự thảo lần 2 gửi xin ý kiến" in html
    corrected = _textarea(html).replace("Bản dự thảo lần 2 gửi xin ý kiến", "")
    again = office.post(WARD_IMPORT, data={"text": corrected, "year": "2027", "action": "preview"})
    assert 'id="unplaced"' not in again.get_data(as_text=True)
    done = office.post(WARD_IMPORT, data={"text": corrected, "year": "2027", "action": "create"})
    assert done.status_code == 302
    plan = plan_of(session, units["phu-son"], 2027)
    with everything(session):
        texts = [t.text for t in session.scalars(sa.select(Task).where(Task.plan_id == plan.id))]
        numbers = [s.number for s in session.scalars(sa.select(PlanSection).where(PlanSection.plan_id == plan.id))]
    assert texts == ["Chủ tịch UBND phường tiếp công dân mỗi tuần một ngày."]
    assert "II" in numbers and plan.signer_name == "Lê Văn A"


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("ke-hoach.pdf", b"%PDF-1.4 ...", "Tệp không phải .txt hoặc .docx."),
        ("ke-hoach.docx", b"PK\x03\x04 not really a zip", "Không đọc được tệp Word này."),
        ("ke-hoach.txt", b"", "Tệp trống."),
    ],
)
def test_bad_files_get_a_message_and_nothing_is_created(as_user, session, name, data, message):
    with everything(session):
        before = session.scalar(sa.select(sa.func.count(Plan.id)))
    response = _upload(as_user("office@phu-son"), WARD_IMPORT, name, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with everything(session):
        assert session.scalar(sa.select(sa.func.count(Plan.id))) == before


def test_no_file_and_an_existing_year_are_refused_in_vietnamese(as_user, session):
    office = as_user("office@phu-son")
    empty = office.post(WARD_IMPORT, data={"action": "preview"}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Vui lòng chọn tệp" in empty.get_data(as_text=True)
    taken = office.post(WARD_IMPORT, data={"text": SEED.read_text(encoding="utf-8"), "year": "2025", "action": "create"})
    assert taken.status_code == 409 and "đã có kế hoạch năm 2025" in taken.get_data(as_text=True)
    bad_year = office.post(WARD_IMPORT, data={"text": "KẾ HOẠCH", "year": "99999", "action": "preview"})
    assert bad_year.status_code == 400 and "Năm phải từ" in bad_year.get_data(as_text=True)


def test_values_too_long_for_their_column_are_kept_visible_not_cut(as_user, session, units):
    text = (
        "KẾ HOẠCH\nCông tác dân vận năm 2028\nI. MỤC ĐÍCH, YÊU CẦU\n1. Gần dân, sát dân.\n"
        "II. NỘI DUNG\n1. Tiếp công dân\nTiếp công dân định kỳ.\n"
        "Nơi nhận:\n- Lưu: VT.\n" + "CHỦ TỊCH " * 20 + "\nLê Văn A\n"
    )
    office = as_user("office@phu-son")
    preview = office.post(WARD_IMPORT, data={"text": text, "year": "2028", "action": "preview"}).get_data(as_text=True)
    assert 'id="unplaced"' in preview and "CHỦ TỊCH CHỦ TỊCH" in preview[preview.index('id="unplaced"'):]
    assert office.post(WARD_IMPORT, data={"text": text, "year": "2028", "action": "create"}).status_code == 302
    plan = plan_of(session, units["phu-son"], 2028)
    assert plan.signer_title == "CHỦ TỊCH" and plan.signer_name == "Lê Văn A"  # the usual title, not the garbled line


def test_a_section_number_too_long_for_its_column_moves_into_the_title():
    from app.documents.plan_import import ParsedPlan, ParsedSection
    from app.documents.plan_importing import fit_columns

    parsed = ParsedPlan(heading="KẾ HOẠCH", sections=[ParsedSection(number="Phần thứ nhất của chương trình", title="MỤC ĐÍCH")])
    fit_columns(parsed)
    assert (parsed.sections[0].number, parsed.sections[0].title) == ("", "Phần thứ nhất của chương trình. MỤC ĐÍCH")


def test_items_lettered_a_b_stay_lettered(as_user, session, units):
    name = "ke-hoach-xa-ha-long-2025.utf8.txt"
    office = as_user("office@phu-son")
    preview = _upload(office, WARD_IMPORT, name, (FIXTURES / name).read_bytes(), year="2029").get_data(as_text=True)
    assert "a) Công chức Văn phòng - Thống kê theo dõi" in preview
    assert office.post(WARD_IMPORT, data={"text": _textarea(preview), "year": "2029", "action": "create"}).status_code == 302
    page = office.get("/u/phu-son/plans/2029").get_data(as_text=True)
    assert "a) Công chức Văn phòng - Thống kê theo dõi" in page and "b) Các thôn xây dựng kế hoạch" in page


def test_the_preview_names_each_tasks_owner_schedule_and_whether_it_is_the_templates(as_user):
    page = _upload(as_user("chairman@phu-son"), WARD_IMPORT, "ke-hoach.txt", SEED.read_bytes()).get_data(as_text=True)
    assert page.count('<span class="badge">Trùng với mẫu</span>') >= 15
    assert '<span class="badge owner">Công chức Văn hóa - Xã hội</span>' in page
    assert '<span class="badge schedule">' in page


def test_a_plan_imported_for_another_year_than_its_title_says_is_warned_of(as_user):
    """Issue 16: a plan imported for 2026 kept "… năm 2025" in its title without a word."""
    client = as_user("chairman@phu-son")
    warned = _upload(client, WARD_IMPORT, "ke-hoach.txt", SEED.read_bytes(), year="2026").get_data(as_text=True)
    assert "Tên kế hoạch ghi năm 2025 nhưng kế hoạch được nhập cho năm 2026" in warned
    same = _upload(client, WARD_IMPORT, "ke-hoach.txt", SEED.read_bytes(), year="2025").get_data(as_text=True)
    assert 'id="title-year"' not in same


def test_an_import_writes_a_line_per_kind_of_row_not_one_per_row(as_user, session, units):
    """Issue 16: an import wrote twenty lines of "Tạo mới Chỉ tiêu" into the audit log."""
    from app.models import AuditEntry, IndicatorDefinition

    text = _textarea(_upload(as_user("chairman@phu-son"), WARD_IMPORT, "ke-hoach.txt", SEED.read_bytes(),
                             year="2026").get_data(as_text=True))
    client = as_user("chairman@phu-son")
    with everything(session):
        last = session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    assert client.post(WARD_IMPORT, data={"text": text, "year": "2026", "action": "create"}).status_code == 302
    with everything(session):
        plan = session.scalar(sa.select(Plan).where(Plan.unit_id == units["phu-son"].id, Plan.year == 2026))
        tasks = session.scalar(sa.select(sa.func.count(Task.id)).where(Task.plan_id == plan.id))
        indicators = session.scalar(sa.select(sa.func.count(IndicatorDefinition.id))
                                    .where(IndicatorDefinition.plan_id == plan.id))
        entries = session.execute(sa.select(AuditEntry.object_type, AuditEntry.changes)
                                  .where(AuditEntry.id > last, AuditEntry.action == "create",
                                         AuditEntry.object_type.in_(("Task", "IndicatorDefinition")))).all()
    assert tasks > 5 and indicators > 5
    by_kind: dict[str, int] = {}
    for kind, changes in entries:
        by_kind[kind] = by_kind.get(kind, 0) + changes.get("count", [None, 1])[1]
    assert by_kind == {"Task": tasks, "IndicatorDefinition": indicators}  # every row counted
    assert [kind for kind, _ in entries].count("IndicatorDefinition") == 1  # one line, not one per row


def test_the_preview_says_what_it_numbered_and_corrected_as_the_template_did(as_user):
    """Issue 16: the source skips section III and has typos; the import puts them right as the template
    does, and the preview lists each change."""
    page = _upload(as_user("chairman@phu-son"), WARD_IMPORT, "ke-hoach.txt", SEED.read_bytes()).get_data(as_text=True)
    box = page[page.index('id="corrected"'):page.index("</div>", page.index('id="corrected"'))]
    assert "<del>IV. TỔ CHỨC THỰC HIỆN</del>" in box and "<ins>III. TỔ CHỨC THỰC HIỆN</ins>" in box
    assert "<del>xây dưng</del>" in box and "<del>các bộ, công chức</del>" in box
    assert "xây dưng" not in _textarea(page)


def test_the_template_page_lists_its_corrections_of_the_source(as_user, session):
    with everything(session):
        builtin = _builtin(session)
    page = as_user("admin@bim-son").get(f"{TOWN_IMPORT.rsplit('/', 1)[0]}/{builtin.id}").get_data(as_text=True)
    panel = page[page.index('id="source-corrections"'):]
    assert "Sửa từ nguồn" in panel and "<del>xây dưng</del>" in panel and "<ins>III. TỔ CHỨC THỰC HIỆN</ins>" in panel


def test_the_number_and_date_read_from_the_file_are_carried_into_the_draft(as_user, session, units):
    """Issue 16 §5: the file's "Số: 12/KH-UBND" and date are the draft's, ready for the issue form; the draft's
    own page and Word file still leave them blank until it is issued."""
    chairman = as_user("chairman@phu-son")
    name = "ke-hoach-xa-dong-tien-2025.pdf.txt"
    html = _upload(chairman, WARD_IMPORT, name, (FIXTURES / name).read_bytes(), year="2026").get_data(as_text=True)
    assert "Số: 12/KH-UBND · ngày 16/01/2025" in html
    created = chairman.post(WARD_IMPORT, data={"text": _textarea(html), "year": "2026", "action": "create"})
    assert created.status_code == 302
    plan = plan_of(session, units["phu-son"], 2026)
    assert (plan.status, plan.number, plan.issued_on) == (PlanStatus.DRAFT, "12/KH-UBND", date(2025, 1, 16))
    assert "12/KH-UBND" not in chairman.get("/u/phu-son/plans/2026").get_data(as_text=True)
    assert "12/KH-UBND" not in chairman.get("/u/phu-son").get_data(as_text=True)  # the dashboard's plan list
    issue_form = chairman.get("/u/phu-son/plans/2026/issue").get_data(as_text=True)
    assert 'value="12/KH-UBND"' in issue_form and 'value="16/01/2025"' in issue_form


def test_a_date_that_cannot_be_the_plans_is_not_carried(as_user, session, units):
    """A 2025 file imported for 2027 keeps its number but not its date (a 2027 plan is issued in 2026 or 2027)."""
    chairman = as_user("chairman@phu-son")
    name = "ke-hoach-xa-dong-tien-2025.pdf.txt"
    html = _upload(chairman, WARD_IMPORT, name, (FIXTURES / name).read_bytes(), year="2027").get_data(as_text=True)
    chairman.post(WARD_IMPORT, data={"text": _textarea(html), "year": "2027", "action": "create"})
    plan = plan_of(session, units["phu-son"], 2027)
    assert (plan.number, plan.issued_on) == ("12/KH-UBND", None)


def test_a_template_imported_carries_no_number(as_user, session):
    admin = as_user("admin@bim-son")
    name = "ke-hoach-xa-dong-tien-2025.pdf.txt"
    html = _upload(admin, TOWN_IMPORT, name, (FIXTURES / name).read_bytes(), year="2026").get_data(as_text=True)
    assert 'id="import-number"' not in html
    admin.post(TOWN_IMPORT, data={"text": _textarea(html), "year": "2026", "action": "create"})
    with everything(session):
        template = session.scalar(sa.select(Plan).where(Plan.is_template.is_(True), Plan.code.like("nhap-bim-son-2026-%")))
    assert template is not None and (template.number, template.issued_on) == (None, None)
