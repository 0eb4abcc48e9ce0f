"""Files built to hurt (issue 15, defects 1 and 2): zip bombs and files no real plan is like are
refused with a message in Vietnamese, in bounded memory and work, and nothing is stored."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from docx import Document

from app.documents.import_text import MAX_LINES, ImportFileError, read_upload
from app.models import Plan
from app.progress.evidence import EvidenceRefused, Upload, check_file
from app.units.archive import ArchiveError, read_archive
from tests.conftest import everything
from tests.hostile import WORD_TYPES, bomb, word_of_paragraphs
from tests.test_plan_import_screens import WARD_IMPORT, _upload

MB = 1024 * 1024


def peak_memory(action: Callable[[], object]) -> int:
    """The most memory Python held while `action` ran (its exception, if any, is let through)."""
    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def _refused(action: Callable[[], object], error: type[Exception]) -> tuple[Exception, int]:
    caught: list[Exception] = []

    def run() -> None:
        try:
            action()
        except error as refused:
            caught.append(refused)

    peak = peak_memory(run)
    assert caught, "the file was accepted"
    return caught[0], peak


# --- zip bombs ------------------------------------------------------------------------------------


def test_a_word_file_that_inflates_to_gigabytes_is_refused_before_anything_is_read_whole(app) -> None:
    """The issue's bomb: a small .docx whose [Content_Types].xml inflates to 1 GB took the server from
    187 MB to 2.26 GB. Now it is refused on its declared size, holding a few MB at most."""
    data = bomb(1024 * MB, others=(("word/document.xml", b"<w:document/>"),))
    assert len(data) < 2 * MB
    with app.test_request_context():
        error, peak = _refused(lambda: read_upload("ke-hoach.docx", data), ImportFileError)
        assert "Tệp quá lớn" in str(error.message)
    assert peak < 16 * MB


def test_a_word_file_that_lies_about_its_size_is_refused_after_bounded_work(app) -> None:
    """Headers that say 1 KB for 300 MB of zeros: inflating stops at what the headers declare."""
    data = bomb(300 * MB, declared=1024, others=(("word/document.xml", b"<w:document/>"),))
    with app.test_request_context():
        error, peak = _refused(lambda: read_upload("ke-hoach.docx", data), ImportFileError)
        assert str(error.message) == "Không đọc được tệp Word này."
    assert peak < 16 * MB


def test_a_bomb_hidden_in_another_part_of_a_word_file_is_refused(app) -> None:
    data = bomb(300 * MB, "word/media/image1.png", others=(("[Content_Types].xml", WORD_TYPES),))
    with app.test_request_context():
        error, peak = _refused(lambda: read_upload("ke-hoach.docx", data), ImportFileError)
        assert "Tệp quá lớn" in str(error.message)
    assert peak < 16 * MB


@pytest.mark.parametrize("name,main", [("bien-ban.docx", "word/document.xml"), ("so-lieu.xlsx", "xl/workbook.xml")])
def test_an_evidence_file_that_is_a_zip_bomb_is_refused_with_its_name(app, name: str, main: str) -> None:
    kind = "wordprocessingml.document" if name.endswith("docx") else "spreadsheetml.sheet"
    types = f'<Types><Override PartName="/{main}" ContentType="{kind}.main+xml"/></Types>'.encode()
    data = bomb(600 * MB, others=(("[Content_Types].xml", types), (main, b"<x/>")), member="docProps/big.xml")
    with app.test_request_context():
        error, peak = _refused(lambda: check_file(Upload(name, data), 10 * MB), EvidenceRefused)
        assert f"“{name}”" in str(error.message) and "giải nén lớn bất thường" in str(error.message)
    assert peak < 16 * MB


def test_a_unit_archive_that_is_a_zip_bomb_is_refused() -> None:
    data = bomb(1024 * MB, "archive.json")
    error, peak = _refused(lambda: read_archive(data), ArchiveError)
    assert "inflates too much" in str(error)
    assert peak < 16 * MB


def test_an_ordinary_word_file_still_reads(app) -> None:
    document = Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Công tác dân vận chính quyền năm 2026")
    buffer = io.BytesIO()
    document.save(buffer)
    with app.test_request_context():
        assert read_upload("ke-hoach.docx", buffer.getvalue()).splitlines() == [
            "KẾ HOẠCH", "Công tác dân vận chính quyền năm 2026"]


# --- files no real plan is like ---------------------------------------------------------------------


def test_a_small_word_file_of_880000_empty_paragraphs_is_refused_at_once(app) -> None:
    """The issue's file: 171 KB, 880,000 empty paragraphs, more than 7 minutes of CPU."""
    data = word_of_paragraphs(880_000)
    assert len(data) < 400 * 1024
    with app.test_request_context(), pytest.raises(ImportFileError) as refused:
        read_upload("ke-hoach.docx", data)
    assert "tối đa 5.000 dòng" in str(refused.value.message)


def test_a_text_file_of_more_lines_than_a_plan_has_is_refused(app) -> None:
    lines = "\n".join(f"- Nhiệm vụ số {number}" for number in range(MAX_LINES + 1))
    with app.test_request_context():
        with pytest.raises(ImportFileError) as refused:
            read_upload("ke-hoach.txt", lines.encode())
        assert "tối đa 5.000 dòng và 2 MB chữ" in str(refused.value.message)
        # One line fewer is a plan (a long one) and reads; blank lines do not count.
        accepted = "\n\n".join(f"- Nhiệm vụ số {number}" for number in range(MAX_LINES))
        assert read_upload("ke-hoach.txt", accepted.encode()).count("Nhiệm vụ") == MAX_LINES


def test_text_corrected_in_the_preview_has_the_same_limit_and_nothing_is_created(as_user, session) -> None:
    client = as_user("chairman@phu-son")
    with everything(session):
        plans_before = session.scalar(sa.select(sa.func.count(Plan.id)))
    text = "II. NHIỆM VỤ\n" + "\n".join(f"{number}. Tuyên truyền" for number in range(1, MAX_LINES + 1))
    response = client.post(WARD_IMPORT, data={"text": text, "year": "2026", "action": "create"})
    assert response.status_code == 400
    assert "tối đa 5.000 dòng" in response.get_data(as_text=True)
    with everything(session):
        assert session.scalar(sa.select(sa.func.count(Plan.id))) == plans_before


def test_an_upload_of_too_many_lines_gets_the_message_on_the_import_page(as_user) -> None:
    data = "\n".join(f"{number}. Việc" for number in range(MAX_LINES + 1)).encode()
    response = _upload(as_user("chairman@phu-son"), WARD_IMPORT, "ke-hoach.txt", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "tối đa 5.000 dòng" in page and "Nhập kế hoạch từ tệp" in page
