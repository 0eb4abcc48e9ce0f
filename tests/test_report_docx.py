"""A periodic report as Word (issue 5 item 1): the file is opened with python-docx and checked
against the format of Nghị định 30/2020/NĐ-CP; its indicator table is what the report page shows."""

from __future__ import annotations

import html
import re
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from docx import Document
from docx.shared import Mm, Pt

from app.documents.nd30 import number_line
from app.documents.report_docx import report_subject
from app.models import Reception, Report, ReportKind, ReportStatus
from tests.conftest import everything
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

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NARRATIVE = {
    "title": "Báo cáo sơ kết công tác dân vận chính quyền 6 tháng đầu năm 2025",
    "number": "07/BC-UBND",
    "due_on": "15/06/2025",
    "results": "Tổ chức 26 buổi tiếp công dân.\nĐối thoại với Nhân dân khu phố 3.",
    "strengths_shortcomings": "",
    "direction": "Đẩy mạnh đối thoại",
    "proposals": "Đề nghị thị xã bố trí kinh phí",
}


def _report(session, unit) -> Report:  # type: ignore[no-untyped-def]
    """The ward's six-month review of the baseline (a draft with results only)."""
    with everything(session):
        return session.scalar(sa.select(Report).where(Report.unit_id == unit.id, Report.kind == ReportKind.SIX_MONTH))


def _url(report: Report, slug: str = "phu-son") -> str:
    return f"/u/{slug}/reports/{report.id}"


def _edit(as_user, session, report: Report, **changes: str) -> None:  # type: ignore[no-untyped-def]
    session.expire_all()
    with everything(session):
        version = session.get(Report, report.id).version
    response = as_user("office@phu-son").post(f"{_url(report)}/edit", data={**NARRATIVE, **changes, "version": version})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _send(as_user, report: Report) -> None:  # type: ignore[no-untyped-def]
    assert as_user("chairman@phu-son").post(f"{_url(report)}/send").status_code == 302


def _backdate(session, report: Report, sent_on: date) -> None:  # type: ignore[no-untyped-def]
    """As if it had been sent on `sent_on` (an UPDATE statement: no audit entry left pending)."""
    with everything(session):
        session.execute(sa.update(Report).where(Report.id == report.id).values(sent_on=sent_on))


def _docx(client, report: Report, slug: str = "phu-son"):  # type: ignore[no-untyped-def]
    response = client.get(f"{_url(report, slug)}.docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    return Document(BytesIO(response.data))


@pytest.fixture
def report(session, units) -> Report:  # type: ignore[no-untyped-def]
    return _report(session, units["phu-son"])


@pytest.fixture
def drafted(as_user, session, report) -> Report:  # type: ignore[no-untyped-def]
    _edit(as_user, session, report)
    return report


@pytest.fixture
def complete(as_user, session, report) -> Report:  # type: ignore[no-untyped-def]
    """Every section written: what sending asks for."""
    _edit(as_user, session, report, strengths_shortcomings="Ưu điểm: kịp thời.")
    return report


@pytest.fixture
def document(as_user, drafted):  # type: ignore[no-untyped-def]
    return _docx(as_user("office@phu-son"), drafted)


def _texts(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs]


def test_page_is_a4_portrait_with_the_decree_margins(document):
    assert_a4_portrait_with_decree_margins(document)


def test_body_is_times_new_roman_14_justified_with_a_1_cm_first_line_indent(document):
    body = {p.text for p in body_paragraphs(document)}
    assert {"Tổ chức 26 buổi tiếp công dân.", "Đối thoại với Nhân dân khu phố 3.", "Đẩy mạnh đối thoại"} <= body


def test_the_two_column_header(document):
    header = document.tables[0]
    assert "w:tblBorders" in header._tbl.tblPr.xml and 'w:val="single"' not in header._tbl.tblPr.xml
    left, right = header.rows[0].cells
    left_lines, right_lines = cell_paragraphs(left), cell_paragraphs(right)
    # The issuing body in full over two lines, and no governing body's line unless the unit sets one (ND30).
    assert [p.text for p in left_lines] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚ SƠN", "Số: 07/BC-UBND"]
    committee, ward, number = left_lines
    assert bold(committee) and bold(ward) and size(committee) == size(ward) == Pt(13)
    assert not bold(number) and size(number) == Pt(13)
    assert Mm(15) < rule_after(left, "PHƯỜNG PHÚ SƠN", left.width) < Mm(35)

    motto = para(right_lines, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert bold(motto) and size(motto) == Pt(13)
    slogan = para(right_lines, "Độc lập - Tự do - Hạnh phúc")
    assert bold(slogan) and size(slogan) == Pt(14)
    assert Mm(55) < rule_after(right, "Độc lập - Tự do - Hạnh phúc", right.width) < Mm(80)
    unsent = para(right_lines, "Phú Sơn, ngày …… tháng …… năm 2025")  # not sent yet: blank to fill in
    assert italic(unsent) and size(unsent) == Pt(14)


def test_the_number_line():
    assert number_line("07/BC-UBND", "BC-UBND") == "Số: 07/BC-UBND"
    assert number_line(" 07 ", "BC-UBND") == "Số: 07/BC-UBND"
    assert number_line(None, "BC-UBND") == "Số:       /BC-UBND"
    assert number_line("", "KH-UBND") == "Số:       /KH-UBND"


def test_without_a_number_the_number_is_left_blank(as_user, session, report):
    _edit(as_user, session, report, number="")  # a draft may have none yet; sending asks for it
    left = _docx(as_user("front@phu-son"), report).tables[0].rows[0].cells[0]
    assert "Số:       /BC-UBND" in [p.text for p in left.paragraphs]


@pytest.mark.parametrize(
    "sent_on,expected",
    [
        (date(2025, 1, 5), "Phú Sơn, ngày 05 tháng 01 năm 2025"),
        (date(2025, 2, 28), "Phú Sơn, ngày 28 tháng 02 năm 2025"),
        (date(2025, 6, 9), "Phú Sơn, ngày 09 tháng 6 năm 2025"),
    ],
)
def test_place_and_date_is_the_day_it_was_sent(as_user, session, complete, sent_on, expected):
    _send(as_user, complete)
    _backdate(session, complete, sent_on)
    right = _docx(as_user("front@phu-son"), complete).tables[0].rows[0].cells[1]
    assert italic(para(cell_paragraphs(right), expected))


def test_type_name_and_subject(document):
    texts = _texts(document)
    heading = para(document.paragraphs, "BÁO CÁO")
    subject = para(document.paragraphs, "Sơ kết công tác dân vận chính quyền 6 tháng đầu năm 2025")
    for paragraph in (heading, subject):
        assert bold(paragraph) and paragraph.alignment == 1  # centred
    assert texts.index("BÁO CÁO") + 1 == texts.index(subject.text)


def test_the_subject_does_not_repeat_the_type_name():
    assert report_subject("Báo cáo tổng kết công tác năm 2025") == "Tổng kết công tác năm 2025"
    assert report_subject("Kết quả công tác quý III") == "Kết quả công tác quý III"
    assert report_subject("Báo cáo") == "Báo cáo"


def test_sections_skip_empty_ones_and_keep_numbering_consecutive(document, as_user, session, report):
    headings = [p for p in document.paragraphs if re.match(r"^[IV]+\. ", p.text)]
    assert [p.text for p in headings] == [
        "I. KẾT QUẢ THỰC HIỆN",  # "ưu điểm, hạn chế" is empty: left out
        "II. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        "III. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    assert all(bold(p) for p in headings)
    _edit(as_user, session, report, strengths_shortcomings="Ưu điểm: kịp thời.", direction="", proposals="")
    full = _docx(as_user("office@phu-son"), report)
    assert [p.text for p in full.paragraphs if re.match(r"^[IV]+\. ", p.text)] == [
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ƯU ĐIỂM, HẠN CHẾ VÀ NGUYÊN NHÂN",
    ]
    assert "Ưu điểm: kịp thời." in _texts(full)


def _page_rows(page: str) -> list[list[str]]:
    """The report page's indicator rows: name, value, unit, target, as displayed."""
    rows = re.findall(
        r'<tr data-code="[^"]+"><td>(.*?)</td><td class="num">(.*?)</td><td>(.*?)</td>\s*<td class="num">(.*?)</td></tr>',
        page,
    )
    assert rows
    return [[html.unescape(cell).strip() for cell in row] for row in rows]


def _table_rows(document) -> tuple[list[str], list[list[str]]]:  # type: ignore[no-untyped-def]
    table = document.tables[1]
    assert 'w:val="single"' in table._tbl.tblPr.xml  # a bordered table
    header, *rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert all(bold(p) for cell in table.rows[0].cells for p in cell_paragraphs(cell))
    return header, rows


def _assert_table_is_the_page(document, page: str) -> None:  # type: ignore[no-untyped-def]
    header, rows = _table_rows(document)
    shown = _page_rows(page)
    with_target = any(target for *_, target in shown)
    assert header == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"] + (["Chỉ tiêu năm"] if with_target else [])
    expected = [[str(i), name, unit, value] + ([target] if with_target else [])
                for i, (name, value, unit, target) in enumerate(shown, start=1)]
    assert rows == expected


def test_the_indicator_table_is_what_the_report_page_shows(as_user, session, units, complete):
    office = as_user("office@phu-son")
    document = _docx(office, complete)
    texts = _texts(document)
    assert texts.index("Đối thoại với Nhân dân khu phố 3.") < texts.index("II. ƯU ĐIỂM, HẠN CHẾ VÀ NGUYÊN NHÂN")
    _assert_table_is_the_page(document, office.get(_url(complete)).get_data(as_text=True))
    _header, rows = _table_rows(document)
    assert any(row[3] not in ("", "0", "—") for row in rows)  # real values, not an empty shell

    # Sent: the frozen values, which a reception recorded afterwards does not change.
    _send(as_user, complete)
    front = as_user("front@phu-son")
    with everything(session):
        session.add(Reception(unit_id=units["phu-son"].id, held_on=date(2025, 4, 2), host="Chủ tịch UBND",
                              citizens=2, cases=1))
        session.flush()
    frozen = _docx(front, complete)
    _assert_table_is_the_page(frozen, front.get(_url(complete)).get_data(as_text=True))
    assert _table_rows(frozen) == _table_rows(document)


def test_signature_block_and_recipients(document):
    left, right = document.tables[-1].rows[0].cells
    recipients = cell_paragraphs(left)
    title = recipients[0]
    assert title.text == "Nơi nhận:" and bold(title) and italic(title) and size(title) == Pt(12)
    assert [p.text for p in recipients[1:]] == ["- UBND thị xã;", "- Lưu: VT."]
    assert all(size(p) == Pt(11) for p in recipients[1:])
    signer = cell_paragraphs(right)
    assert [p.text for p in signer] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Xuân Lâm"]
    assert all(bold(p) for p in signer)


def test_page_numbers_from_page_two(document):
    assert_page_numbers_from_page_two(document)


def _draft_marks(document) -> list:  # type: ignore[no-untyped-def]
    return [p for p in document.paragraphs if p.text.strip() == "DỰ THẢO"]


def test_draft_mark_until_sent(as_user, session, complete):
    office = as_user("office@phu-son")
    draft = _docx(office, complete)
    marks = _draft_marks(draft)
    assert len(marks) == 1 and bold(marks[0])
    body = draft.element.body
    assert list(body).index(marks[0]._p) < list(body).index(draft.tables[0]._tbl)  # above the header
    _send(as_user, complete)
    assert _draft_marks(_docx(office, complete)) == []
    assert as_user("admin@bim-son").post(f"{_url(complete)}/return", data={"comment": "Bổ sung"}).status_code == 302
    assert len(_draft_marks(_docx(office, complete))) == 1  # returned: a draft again
    _send(as_user, complete)
    assert as_user("admin@bim-son").post(f"{_url(complete)}/acknowledge", data={"comment": ""}).status_code == 302
    session.expire_all()
    with everything(session):
        assert session.get(Report, complete.id).status == ReportStatus.ACKNOWLEDGED
    assert _draft_marks(_docx(office, complete)) == []


@pytest.mark.parametrize("account", ["front@phu-son", "front@bim-son", "culture@phu-son", "admin@bim-son"])
def test_everyone_who_sees_the_report_downloads_it(as_user, report, account):
    response = as_user(account).get(f"{_url(report)}.docx")
    assert response.status_code == 200 and response.mimetype == DOCX_TYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="bao-cao-phu-son-{report.id}.docx"'
    page = as_user(account).get(_url(report)).get_data(as_text=True)
    assert f'href="{_url(report)}.docx"' in page and "Tải bản Word" in page


def test_another_wards_report_answers_404(as_user, session, units, report):
    for account in ("chairman@quang-trung", "chairman@truong-son", "admin@sam-son"):
        assert as_user(account).get(f"{_url(report)}.docx").status_code == 404
    other = _report(session, units["quang-trung"])
    # Own ward in the URL, a sibling ward's report id: still 404.
    assert as_user("chairman@phu-son").get(f"{_url(other)}.docx").status_code == 404
    assert as_user("chairman@phu-son").get("/u/phu-son/reports/999999.docx").status_code == 404


def test_the_number_is_saved_shown_and_optional(as_user, session, report):
    _edit(as_user, session, report, number=" 07/BC-UBND ")
    session.expire_all()
    with everything(session):
        assert session.get(Report, report.id).number == "07/BC-UBND"
    page = as_user("front@phu-son").get(_url(report)).get_data(as_text=True)
    assert '<span id="report-number">07/BC-UBND</span>' in page
    form = as_user("office@phu-son").get(f"{_url(report)}/edit").get_data(as_text=True)
    assert 'value="07/BC-UBND"' in form and "Số văn bản" in form

    with everything(session):
        version = session.get(Report, report.id).version
    too_long = as_user("office@phu-son").post(f"{_url(report)}/edit",
                                             data={**NARRATIVE, "number": "1" * 41, "version": version})
    assert too_long.status_code == 400 and "40 ký tự" in too_long.get_data(as_text=True)

    _edit(as_user, session, report, number="")
    session.expire_all()
    with everything(session):
        assert session.get(Report, report.id).number is None
    assert 'id="report-number"' not in as_user("front@phu-son").get(_url(report)).get_data(as_text=True)



def test_the_word_file_has_the_headings_of_the_page(as_user, complete):
    """Issue 16: one set of section headings for the report's page and its Word file (capitals there)."""
    office = as_user("office@phu-son")
    page = office.get(_url(complete)).get_data(as_text=True)
    on_page = [h.upper() for h in re.findall(r"<h2>([IV]+\. [^<]+)</h2>", page)]
    printed = [p.text for p in _docx(office, complete).paragraphs if re.match(r"^[IV]+\. ", p.text)]
    assert on_page == printed and len(printed) == 4
    office.get("/lang/en")  # the page in English; the document stays in Vietnamese
    assert [p.text for p in _docx(office, complete).paragraphs if re.match(r"^[IV]+\. ", p.text)] == printed
