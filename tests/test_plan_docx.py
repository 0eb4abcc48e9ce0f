"""The issued plan as Word (issue 5 item 1): the file is opened with python-docx and checked
against the format of Nghị định 30/2020/NĐ-CP."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from docx import Document
from docx.shared import Cm, Mm, Pt

from app.documents.nd30 import closing_lines
from app.documents.plan_docx import (
    citation_number,
    cited_in,
    legal_basis_lines,
    place_and_date,
)
from app.models import Task
from tests.conftest import everything, plan_of
from tests.docx_checks import (
    assert_a4_portrait_with_decree_margins,
    assert_page_numbers_from_page_two,
    body_paragraphs,
    bold,
    cell_paragraphs,
    italic,
    para,
    rule_after,
    size,
)

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


def test_page_is_a4_portrait_with_the_decree_margins(document):
    assert_a4_portrait_with_decree_margins(document)


def test_body_is_times_new_roman_14_justified_with_first_line_indent(document):
    assert len(body_paragraphs(document)) > 10


def test_the_two_column_header(document):
    header = document.tables[0]
    left, right = header.rows[0].cells
    left_lines, right_lines = cell_paragraphs(left), cell_paragraphs(right)
    # The issuing body in full over two lines (ND30 abbreviates only a governing body), no governing line
    # unless the unit sets one.
    assert [p.text for p in left_lines] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚ SƠN", "Số: 15/KH-UBND"]
    assert bold(left_lines[0]) and bold(left_lines[1]) and not italic(left_lines[1])
    motto = para(right_lines, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert bold(motto) and size(motto) == Pt(13)
    slogan = para(right_lines, "Độc lập - Tự do - Hạnh phúc")
    assert bold(slogan) and size(slogan) == Pt(14)
    assert italic(para(right_lines, "Phú Sơn, ngày 05 tháng 01 năm 2025"))
    borders = header._tbl.tblPr.xml
    assert "w:tblBorders" in borders and 'w:val="single"' not in borders
    # Real short rules (bordered empty paragraphs) under the issuing body and the motto.
    assert Mm(15) < rule_after(left, "PHƯỜNG PHÚ SƠN", left.width) < Mm(35)
    assert Mm(55) < rule_after(right, "Độc lập - Tự do - Hạnh phúc", right.width) < Mm(80)


def test_type_name_subject_and_every_task(document, session, units):
    texts = [p.text for p in document.paragraphs]
    heading = para(document.paragraphs, "KẾ HOẠCH")
    assert bold(heading) and heading.alignment == 1  # centred
    plan = plan_of(session, units["phu-son"])
    subject = para(document.paragraphs, plan.title)
    assert bold(subject) and subject.alignment == 1
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


def test_the_word_file_has_the_source_s_one_can_cu_and_the_body_keeps_its_citations(document, session, units):
    """Issue 16: the Phú Sơn plan has one "Căn cứ" (Chỉ thị 33); the Word file printed six, because
    documents its body cites were stored as legal bases."""
    plan = plan_of(session, units["phu-son"])
    texts = [p.text for p in document.paragraphs]
    preamble = texts.index(plan.preamble.strip())
    opening = "\n".join(texts[: preamble + 1])
    assert opening.count("Căn cứ") == 1 and opening.count("33/CT-TTg") == 1
    body = "\n".join(texts[preamble + 1:])
    for cited in ("114-KL/TW", "08-CT/TU", "2543-QĐ/TU", "Luật Thực hiện dân chủ ở cơ sở"):
        assert cited in body and f"Căn cứ {cited}" not in "\n".join(texts)


def test_a_basis_added_to_the_list_and_not_cited_becomes_a_can_cu_line(as_user, session, units):
    with everything(session):
        plan = plan_of(session, units["phu-son"])
        plan.legal_bases = [*plan.legal_bases, "Luật Tiếp công dân năm 2013"]
        session.flush()
    document = Document(BytesIO(as_user("office@phu-son").get(f"{URL}.docx").data))
    line = para(document.paragraphs, "Căn cứ Luật Tiếp công dân năm 2013;")
    texts = [p.text for p in document.paragraphs]
    assert texts.index(line.text) < texts.index(plan.preamble.strip())
    assert line.alignment == 3 and abs(line.paragraph_format.first_line_indent - Cm(1)) < Mm(0.1)


@pytest.mark.parametrize(
    "basis,number",
    [
        ("Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ", "33/CT-TTg"),
        ("Kết luận số 114-KL/TW ngày 14/7/2015 của Ban Bí thư", "114-KL/TW"),
        ("Quyết định số 2543-QĐ/TU của Ban Thường vụ Tỉnh ủy", "2543-QĐ/TU"),
        ("Kết luận số 01 của Bộ Chính trị", "01"),
        ("Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ", "30/2020/NĐ-CP"),
        ("Luật Thực hiện dân chủ ở cơ sở", None),
        ("Luật Tiếp công dân ngày 25/11/2013", None),  # a date is not a document number
    ],
)
def test_citation_number(basis, number):
    assert citation_number(basis) == number


def test_a_basis_is_cited_by_its_number_or_else_by_its_words():
    preamble = "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021; căn cứ Luật thực hiện dân chủ ở cơ sở."
    assert cited_in("Chỉ thị số 33/CT-TTg của Thủ tướng", preamble)
    assert not cited_in("Chỉ thị số 3/CT-TTg", preamble)  # not a part of "33/CT-TTg"
    assert not cited_in("Kết luận số 01 của Bộ Chính trị", preamble)
    assert cited_in("Luật Thực hiện dân chủ ở cơ sở;", preamble)
    assert legal_basis_lines(["Kết luận số 01 của Bộ Chính trị;", " ", "Căn cứ Luật Đất đai"], preamble) == [
        "Căn cứ Kết luận số 01 của Bộ Chính trị;",
        "Căn cứ Luật Đất đai;",
    ]


def test_signature_block_and_recipients(document, session, units):
    signature = document.tables[-1]
    left, right = signature.rows[0].cells
    recipients = cell_paragraphs(left)
    title = para(recipients, "Nơi nhận:")
    assert bold(title) and italic(title) and size(title) == Pt(12)
    plan = plan_of(session, units["phu-son"])
    for recipient in plan.recipients:
        line = para(recipients, f"- {recipient}")
        assert size(line) == Pt(11)
    assert recipients[-1].text == "- Lưu: VT."
    signer = cell_paragraphs(right)
    assert bold(para(signer, "TM. ỦY BAN NHÂN DÂN"))
    assert bold(para(signer, "CHỦ TỊCH"))
    assert bold(para(signer, "Nguyễn Xuân Lâm"))


def test_page_numbers_from_page_two(document):
    assert_page_numbers_from_page_two(document)


def test_a_draft_downloads_as_a_draft_with_number_and_date_blank(as_user, session, units):
    """Offices circulate drafts for comments (issue 16): the same document, marked "DỰ THẢO" at the top,
    its number and date left to fill in; the Front, which reads the plan, may read the draft too."""
    response = as_user("front@phu-son").get(f"{URL}.docx")
    assert response.status_code == 200 and response.mimetype == DOCX_TYPE
    assert 'filename="du-thao-ke-hoach-phu-son-2025.docx"' in response.headers["Content-Disposition"]
    draft = Document(BytesIO(response.data))
    first = next(p for p in draft.paragraphs if p.text.strip())
    assert first.text == "DỰ THẢO" and bold(first)
    left, right = draft.tables[0].rows[0].cells
    para(cell_paragraphs(left), "Số:       /KH-UBND")
    para(cell_paragraphs(right), "Phú Sơn, ngày …… tháng …… năm 2025")
    texts = [p.text for p in draft.paragraphs]
    with everything(session):
        tasks = session.scalars(sa.select(Task).where(Task.plan_id == plan_of(session, units["phu-son"]).id)).all()
    assert all(any(task.text in text for text in texts) for task in tasks)


def test_an_issued_plan_reopened_as_a_draft_loses_its_number_in_the_draft(as_user, issued_docx):
    assert "DỰ THẢO" not in [p.text for p in Document(BytesIO(issued_docx)).paragraphs]
    assert as_user("chairman@phu-son").post(f"{URL}/reopen").status_code in (302, 303)
    draft = Document(BytesIO(as_user("chairman@phu-son").get(f"{URL}.docx").data))
    left = draft.tables[0].rows[0].cells[0]
    assert "Số: 15/KH-UBND" not in [p.text for p in cell_paragraphs(left)]
    assert "DỰ THẢO" in [p.text for p in draft.paragraphs]


def test_a_year_without_a_plan_answers_404(as_user):
    assert as_user("chairman@phu-son").get("/u/phu-son/plans/2031.docx").status_code == 404


def test_another_wards_plan_answers_404(as_user, issued_docx):
    assert as_user("chairman@phu-son").get("/u/quang-trung/plans/2025.docx").status_code == 404
    assert as_user("chairman@phu-son").get("/u/truong-son/plans/2025.docx").status_code == 404


def test_the_plan_page_links_the_draft_then_the_issued_plan(as_user):
    page = as_user("office@phu-son").get(URL).get_data(as_text=True)
    assert f"{URL}.docx" in page and "Tải bản dự thảo (Word)" in page
    _issue(as_user)
    page = as_user("office@phu-son").get(URL).get_data(as_text=True)
    assert f"{URL}.docx" in page and "Tải bản dự thảo" not in page and "Tải bản Word (.docx)" in page


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


def test_the_file_says_what_it_is_and_that_it_is_vietnamese(document):
    properties = document.core_properties
    assert properties.title.startswith("KẾ HOẠCH Thực hiện công tác dân vận chính quyền năm 2025")
    assert properties.author == "ỦY BAN NHÂN DÂN PHƯỜNG PHÚ SƠN" and properties.language == "vi-VN"
    assert properties.created.year >= 2025  # made now, not the library's own template date
    languages = document.styles.element.xpath("//w:docDefaults//w:lang/@w:val")
    assert languages == ["vi-VN"]  # Word checks the spelling as Vietnamese


def test_the_issuing_body_names_set_for_the_unit_head_the_document(as_user, session, units):
    """The admin's names for the issuing body (units screen) replace the ones made from the unit's name."""
    with everything(session):
        ward = units["phu-son"]
        ward.issuer_name, ward.issuer_parent_name = "ỦY BAN NHÂN DÂN PHƯỜNG PHÚ SƠN", "UBND TỈNH THANH HÓA"
        session.flush()
    _issue(as_user)
    document = Document(BytesIO(as_user("front@phu-son").get(f"{URL}.docx").data))
    left_lines = cell_paragraphs(document.tables[0].rows[0].cells[0])
    assert not bold(para(left_lines, "UBND TỈNH THANH HÓA"))
    assert bold(para(left_lines, "ỦY BAN NHÂN DÂN PHƯỜNG PHÚ SƠN"))
    assert all("BỈM SƠN" not in p.text for p in left_lines)


def _header_lines(html: str) -> list[str]:
    import re

    header = re.search(r'<header class="doc-header">(.*?)</header>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", line).strip() for line in re.findall(r"<p[^>]*>(.*?)</p>", header, re.S)]


def test_the_page_shows_the_header_and_signature_block_the_word_file_prints(as_user, session, units):
    """Issue 16: one header on the page and in Word; a governing body's line only when the unit sets one."""
    with everything(session):
        units["phu-son"].issuer_parent_name = "UBND THỊ XÃ BỈM SƠN"
        session.flush()
    _issue(as_user)
    page = as_user("front@phu-son").get(URL).get_data(as_text=True)
    document = Document(BytesIO(as_user("front@phu-son").get(f"{URL}.docx").data))
    left, right = document.tables[0].rows[0].cells
    printed = [p.text for p in cell_paragraphs(left)] + [p.text for p in cell_paragraphs(right)]
    assert _header_lines(page) == printed == [
        "UBND THỊ XÃ BỈM SƠN", "ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚ SƠN", "Số: 15/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Phú Sơn, ngày 05 tháng 01 năm 2025"]
    signer = [p.text for p in cell_paragraphs(document.tables[-1].rows[0].cells[1]) if p.text]
    assert signer == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Xuân Lâm"]
    footer = page[page.index('<footer class="doc-footer">'):]
    assert all(line in footer for line in signer) and "- Lưu: VT." in footer


def test_a_draft_page_shows_draft_and_blank_number_and_date(as_user):
    page = as_user("office@phu-son").get(URL).get_data(as_text=True)
    assert "DỰ THẢO" in page
    lines = _header_lines(page)
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚ SƠN", "Số:       /KH-UBND"]
    assert lines[-1] == "Phú Sơn, ngày …… tháng …… năm 2025"


@pytest.mark.parametrize("closing,last", [
    ("Đề nghị các đơn vị triển khai thực hiện./", "Đề nghị các đơn vị triển khai thực hiện./."),  # the source's slip
    ("Đề nghị các đơn vị triển khai thực hiện.", "Đề nghị các đơn vị triển khai thực hiện./."),
    ("Đề nghị các đơn vị triển khai thực hiện./.", "Đề nghị các đơn vị triển khai thực hiện./."),
    ("Đề nghị các đơn vị triển khai thực hiện", "Đề nghị các đơn vị triển khai thực hiện./."),
])
def test_the_body_ends_with_the_closing_mark(closing, last):
    assert closing_lines(f"Trên đây là Kế hoạch.\n{closing}") == ["Trên đây là Kế hoạch.", last]


def test_the_word_file_and_the_page_end_the_body_with_the_closing_mark(as_user, document):
    body = [p.text for p in document.paragraphs if p.text.strip()]
    assert body[-1].endswith("triển khai thực hiện./.")
    page = as_user("front@phu-son").get(URL).get_data(as_text=True)
    assert "triển khai thực hiện./.</p>" in page
