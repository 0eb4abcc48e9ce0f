"""The issued plan as Word (issue 5 item 1): the file is opened with python-docx and checked
against the format of Nghị định 30/2020/NĐ-CP."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from docx import Document
from docx.shared import Mm, Pt

from app.documents.plan_docx import place_and_date
from app.models import Task
from tests.conftest import everything, plan_of

URL = "/u/phu-son/plans/2025"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _issue(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("office@phu-son").post(f"{URL}/submit").status_code in (200, 302, 303)
    response = as_user("chairman@phu-son").post(
        f"{URL}/issue",
        data={"number": "15/KH-UBND", "issued_on": "05/01/2025", "signer_name": "Nguyễn Xuân Lâm"},
    )
    assert response.status_code in (200, 302, 303)


@pytest.fixture
def issued_docx(as_user, session, units):  # type: ignore[no-untyped-def]
    _issue(as_user)
    response = as_user("front@phu-son").get(f"{URL}.docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    assert 'filename="ke-hoach-phu-son-2025.docx"' in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment")
    return response.data


@pytest.fixture
def document(issued_docx):  # type: ignore[no-untyped-def]
    return Document(BytesIO(issued_docx))


def _cell_paragraphs(cell):  # type: ignore[no-untyped-def]
    return [p for p in cell.paragraphs if p.text.strip()]


def _para(paragraphs, text):  # type: ignore[no-untyped-def]
    found = [p for p in paragraphs if p.text.strip() == text]
    assert found, f"{text!r} not in {[p.text for p in paragraphs]}"
    return found[0]


def _bold(paragraph) -> bool:  # type: ignore[no-untyped-def]
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _italic(paragraph) -> bool:  # type: ignore[no-untyped-def]
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.italic for r in runs)


def _size(paragraph):  # type: ignore[no-untyped-def]
    sizes = {r.font.size for r in paragraph.runs if r.text.strip()}
    assert len(sizes) == 1
    return sizes.pop()


def test_page_is_a4_portrait_with_the_decree_margins(document):
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert section.page_height > section.page_width
    for margin, mm in (("top_margin", 20), ("bottom_margin", 20), ("left_margin", 30), ("right_margin", 15)):
        assert abs(getattr(section, margin) - Mm(mm)) < Mm(0.5), margin


def test_body_is_times_new_roman_14_justified_with_first_line_indent(document):
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    body = [p for p in document.paragraphs if p.text.strip() and p.paragraph_format.first_line_indent]
    assert len(body) > 10
    assert all(p.alignment == 3 for p in body)  # WD_ALIGN_PARAGRAPH.JUSTIFY
    for paragraph in body:
        for run in paragraph.runs:
            assert run.font.name in (None, "Times New Roman")
            assert run.font.size in (None, Pt(14))


def test_the_two_column_header(document):
    header = document.tables[0]
    left, right = header.rows[0].cells
    left_lines, right_lines = _cell_paragraphs(left), _cell_paragraphs(right)
    parent = _para(left_lines, "UBND THỊ XÃ BỈM SƠN")
    assert not _bold(parent) and not _italic(parent)
    assert _bold(_para(left_lines, "UBND PHƯỜNG PHÚ SƠN"))
    _para(left_lines, "Số: 15/KH-UBND")
    motto = _para(right_lines, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert _bold(motto) and _size(motto) == Pt(13)
    slogan = _para(right_lines, "Độc lập - Tự do - Hạnh phúc")
    assert _bold(slogan) and _size(slogan) == Pt(14)
    assert _italic(_para(right_lines, "Phú Sơn, ngày 05 tháng 01 năm 2025"))
    borders = header._tbl.tblPr.xml
    assert "w:tblBorders" in borders and 'w:val="single"' not in borders


def test_type_name_subject_and_every_task(document, session, units):
    texts = [p.text for p in document.paragraphs]
    heading = _para(document.paragraphs, "KẾ HOẠCH")
    assert _bold(heading) and heading.alignment == 1  # centred
    plan = plan_of(session, units["phu-son"])
    subject = _para(document.paragraphs, plan.title)
    assert _bold(subject) and subject.alignment == 1
    assert texts.index("KẾ HOẠCH") < texts.index(plan.title)
    assert plan.preamble.strip() in texts
    with everything(session):
        tasks = session.scalars(sa.select(Task).where(Task.plan_id == plan.id)).all()
    assert tasks
    body = "\n".join(texts)
    for task in tasks:
        assert task.text in body, task.text
    bullets = [t for t in tasks if t.style == "bullet"]
    assert any(f"- {t.text}" in texts for t in bullets) or not bullets


def test_signature_block_and_recipients(document, session, units):
    signature = document.tables[-1]
    left, right = signature.rows[0].cells
    recipients = _cell_paragraphs(left)
    title = _para(recipients, "Nơi nhận:")
    assert _bold(title) and _italic(title) and _size(title) == Pt(12)
    plan = plan_of(session, units["phu-son"])
    for recipient in plan.recipients:
        line = _para(recipients, f"- {recipient}")
        assert _size(line) == Pt(11)
    assert any(p.text == "- Lưu: VT." for p in recipients)
    signer = _cell_paragraphs(right)
    assert _bold(_para(signer, "TM. ỦY BAN NHÂN DÂN"))
    assert _bold(_para(signer, "CHỦ TỊCH"))
    assert _bold(_para(signer, "Nguyễn Xuân Lâm"))


def test_page_numbers_from_page_two(document):
    section = document.sections[0]
    assert section.different_first_page_header_footer is True
    assert "PAGE" in section.header._element.xml and "fldChar" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml


def test_a_plan_not_yet_issued_is_not_downloadable(as_user):
    response = as_user("chairman@phu-son").get(f"{URL}.docx")
    # 409 rather than 404: the generic permission matrix requires the plan's own routes to
    # answer (not 403/404) for every role on the baseline's draft plan.
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "đã ban hành" in response.get_data(as_text=True)


def test_a_year_without_a_plan_answers_404(as_user):
    assert as_user("chairman@phu-son").get("/u/phu-son/plans/2031.docx").status_code == 404


def test_another_wards_plan_answers_404(as_user, issued_docx):
    assert as_user("chairman@phu-son").get("/u/quang-trung/plans/2025.docx").status_code == 404
    assert as_user("chairman@phu-son").get("/u/truong-son/plans/2025.docx").status_code == 404


def test_the_plan_page_links_the_download_once_issued(as_user):
    page = as_user("office@phu-son").get(URL).get_data(as_text=True)
    assert f"{URL}.docx" not in page
    _issue(as_user)
    page = as_user("office@phu-son").get(URL).get_data(as_text=True)
    assert f"{URL}.docx" in page


@pytest.mark.parametrize(
    "day,expected",
    [
        (date(2025, 1, 5), "Phú Sơn, ngày 05 tháng 01 năm 2025"),
        (date(2025, 2, 28), "Phú Sơn, ngày 28 tháng 02 năm 2025"),
        (date(2025, 3, 9), "Phú Sơn, ngày 09 tháng 3 năm 2025"),
        (date(2025, 12, 15), "Phú Sơn, ngày 15 tháng 12 năm 2025"),
    ],
)
def test_place_and_date(day, expected):
    assert place_and_date("Phú Sơn", day, 2025) == expected
