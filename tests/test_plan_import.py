"""Importing an existing plan: reading .txt/.docx uploads and parsing them into a plan."""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from app.documents.plan_import import (
    ImportFileError,
    ParsedPlan,
    ParsedSection,
    ParsedTask,
    join_wrapped_lines,
    parse_plan,
    plan_to_text,
    read_upload,
)
from app.documents.plan_importing import correct_known_slips, number_by_position
from tests.test_text_repair import encode_tcvn3

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt"
TEMPLATE_PATH = ROOT / "tenants" / "plan_templates" / "dan-van-chinh-quyen-2025.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
QUANG_TRUNG = FIXTURES / "ke-hoach-xa-quang-trung-2025.tcvn3.txt"  # TCVN3 bytes, a paragraph a line
BAC_SON = FIXTURES / "ke-hoach-phuong-bac-son-2025.vni.txt"  # VNI bytes, hard-wrapped like a PDF
HA_LONG = FIXTURES / "ke-hoach-xa-ha-long-2025.utf8.txt"  # UTF-8 with BOM, "Phần thứ nhất"
DONG_TIEN = FIXTURES / "ke-hoach-xa-dong-tien-2025.pdf.txt"  # a PDF's text: "|" columns, broken lines


def normalise(text: str | None) -> str:
    """YAML folded text and parsed text compare with whitespace runs collapsed."""
    return re.sub(r"\s+", " ", text or "").strip()


def read_fixture(path: Path) -> str:
    return read_upload(path.name, path.read_bytes())


def seed_plan() -> ParsedPlan:
    return parse_plan(read_upload(SEED_PATH.name, SEED_PATH.read_bytes()))


def all_sections(sections: list[ParsedSection]) -> list[ParsedSection]:
    return [s for section in sections for s in [section, *all_sections(section.children)]]


# --- the seed reproduces the built-in template ------------------------------------------------


def fix_seed_typo(text: str) -> str:
    """The one fix the template applies to the seed's words ("xây dưng" -> "xây dựng")."""
    return text.replace("xây dưng", "xây dựng")


def assert_section_matches(parsed: ParsedSection, expected: dict[str, Any], kind: str, where: str) -> None:
    """`parsed` is the template section `expected` (sub-sections inherit the `kind`)."""
    where = f"{where}/{expected['number']}"
    kind = expected.get("kind", kind)
    assert (parsed.number, parsed.kind) == (str(expected["number"]), kind), where
    assert parsed.title == normalise(expected.get("title")), where
    assert parsed.body == normalise(expected.get("body")), where
    assert [(t.text, t.style) for t in parsed.tasks] == [
        (normalise(t["text"]), t["style"]) for t in expected.get("tasks") or []
    ], where
    children = expected.get("sections") or []
    assert len(parsed.children) == len(children), where
    for child, expected_child in zip(parsed.children, children, strict=True):
        assert_section_matches(child, expected_child, kind, where)


def test_seed_parses_to_the_built_in_template() -> None:
    """Heading, title, preamble, every section, task, style and kind, closing, recipients and
    signer of the seed are those of the template built from it by hand."""
    template = yaml.safe_load(TEMPLATE_PATH.read_text(encoding="utf-8"))
    plan = seed_plan()

    assert plan.heading == template["heading"]
    assert plan.title == template["title"]
    # Parsing repairs only the encoding: the seed's slips and its numbering stay as written...
    assert "xây dưng Kế hoạch" in plan.preamble
    assert [s.number for s in plan.sections] == ["I", "II", "IV"]
    # ...then the import numbers by position and makes the template's corrections, and says so.
    slips = [(c["source"], c["corrected"]) for c in template["source_corrections"] if c["where"] != "Số mục"]
    corrected = number_by_position(plan) + correct_known_slips(plan, slips)
    assert corrected == [("IV. TỔ CHỨC THỰC HIỆN", "III. TỔ CHỨC THỰC HIỆN"), ("xây dưng", "xây dựng"),
                         ("các bộ, công chức", "cán bộ, công chức"), ("triển khai thực hiện./", "triển khai thực hiện./.")]
    assert plan.preamble == normalise(template["preamble"])
    assert [s.kind for s in plan.sections] == ["purpose", "contents", "organisation"]
    for section, expected in zip(plan.sections, template["sections"], strict=True):
        assert_section_matches(section, expected, "contents", "")
    assert plan.closing == normalise(template["closing"])
    assert plan.recipients == template["recipients"]
    assert plan.signer_title == template["signer_title"]
    assert plan.signer_name == template["signer_name"]
    # The preamble's own "Căn cứ" is the template's only legal basis, as in the source (issue 16).
    assert plan.legal_bases == template["legal_bases"]
    assert (plan.number, plan.issued_on, plan.place, plan.year) == (None, None, None, 2025)
    assert plan.unplaced == [] and plan.issuer == []


def test_seed_task_counts_follow_the_sentence_rule() -> None:
    """Paragraphs are split into a task per sentence, bullets and numbered items are not."""
    contents = seed_plan().sections[1]
    assert [len(s.tasks) for s in contents.children] == [1, 4, 3, 4, 1, 2]
    assert [t.style for t in contents.children[1].tasks] == ["paragraph"] * 3 + ["bullet"]
    organisation = seed_plan().sections[2]
    assert organisation.tasks[0].text.count(". ") == 1  # IV.1 keeps its two sentences
    assert "114-KL/TW" in contents.children[0].tasks[0].text  # rejoined across a line break


def test_seed_round_trips_through_plan_to_text() -> None:
    plan = seed_plan()
    text = plan_to_text(plan)
    assert parse_plan(text) == plan
    assert "\n5. Triển khai có hiệu quả phong trào thi đua “Dân vận khéo”\n" in text
    assert "\nIV. TỔ CHỨC THỰC HIỆN\n1. UBND phường triển khai" in text


# --- other units' plans -------------------------------------------------------------------------


def test_tcvn3_plan_of_a_commune() -> None:
    plan = parse_plan(read_fixture(QUANG_TRUNG))
    assert plan.issuer == ["UBND THỊ XÃ BỈM SƠN", "UBND XÃ QUANG TRUNG"]  # .VnTimeH capitals
    assert plan.number == "08/KH-UBND"
    assert (plan.place, plan.issued_on, plan.year) == ("Quang Trung", date(2025, 1, 10), 2025)
    assert (plan.heading, plan.title) == ("KẾ HOẠCH", "Công tác dân vận chính quyền năm 2025")
    assert plan.legal_bases == [
        "Luật Thực hiện dân chủ ở cơ sở năm 2022",
        ("Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về tiếp tục tăng cường và đổi mới "
         "công tác dân vận của cơ quan hành chính nhà nước, chính quyền các cấp trong tình hình mới"),
        "Kế hoạch số 25/KH-UBND ngày 06/01/2025 của UBND thị xã Bỉm Sơn về công tác dân vận chính quyền năm 2025",
    ]
    assert plan.preamble == "UBND xã Quang Trung xây dựng Kế hoạch công tác dân vận chính quyền năm 2025 như sau:"
    purpose, tasks, funding, organisation = plan.sections
    assert [(s.number, s.title, s.kind) for s in plan.sections] == [
        ("I", "MỤC ĐÍCH, YÊU CẦU", "purpose"),
        ("II", "NHIỆM VỤ, GIẢI PHÁP", "contents"),
        ("III", "KINH PHÍ THỰC HIỆN", "contents"),
        ("IV", "TỔ CHỨC THỰC HIỆN", "organisation"),
    ]
    # "1. Mục đích" + bullets: a titled purpose sub-section whose body keeps the bullets.
    assert [(c.title, c.body.count("\n- ") + 1) for c in purpose.children] == [("Mục đích", 2), ("Yêu cầu", 2)]
    assert purpose.children[0].body.startswith("- Nâng cao nhận thức")
    propaganda, procedures = tasks.children
    assert propaganda.title == "Công tác tuyên truyền, quán triệt"
    assert [(t.marker, t.style) for t in propaganda.tasks] == [("a", "numbered")]
    loudspeakers = propaganda.children[0]  # "b)" has "+" bullets under it: a sub-section
    assert (loudspeakers.number, loudspeakers.kind) == ("b", "contents")
    assert [(t.text, t.style, t.marker) for t in loudspeakers.tasks] == [
        ("Luật Thực hiện dân chủ ở cơ sở;", "bullet", "+"),
        ("Quy chế dân chủ trong hoạt động của cơ quan.", "bullet", "+"),
    ]
    assert [t.text for t in procedures.tasks] == [
        "Bộ phận Một cửa tiếp nhận, giải quyết hồ sơ đúng hạn, không để tồn đọng.",
        "Công khai đầy đủ thủ tục hành chính tại trụ sở UBND xã.",
        "Tiếp tục thực hiện tiếp công dân định kỳ vào ngày 15 hằng tháng.",
    ]
    assert [t.style for t in funding.tasks] == ["paragraph"]
    assert [(t.marker, t.style) for t in organisation.tasks] == [("2", "numbered"), ("3", "numbered")]
    office = organisation.children[0]
    assert (office.number, office.title, office.kind) == ("1", "Văn phòng - Thống kê:", "organisation")
    assert [t.style for t in office.tasks] == ["bullet", "bullet"]
    assert plan.closing == "Trên đây là Kế hoạch công tác dân vận chính quyền năm 2025 của UBND xã Quang Trung./."
    assert plan.recipients == ["UBND thị xã (để b/c);", "Đảng ủy, HĐND xã;", "Lưu: VT."]
    assert (plan.signer_title, plan.signer_name) == ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "Lê Thị Hoa")
    assert plan.unplaced == []


def test_vni_plan_extracted_from_a_pdf() -> None:
    plan = parse_plan(read_fixture(BAC_SON))
    assert plan.issuer == ["UBND THỊ XÃ BỈM SƠN", "UBND PHƯỜNG BẮC SƠN"]
    assert (plan.number, plan.place, plan.issued_on) == ("11/KH-UBND", "Bắc Sơn", date(2025, 1, 8))
    # The title wrapped over two lines is one again; the preamble has no "Căn cứ" but carries out the town's
    # plan: that document is its legal basis, and the paragraph stays as written (issue 16 §5).
    assert plan.title == "Triển khai thực hiện công tác dân vận chính quyền năm 2025 trên địa bàn phường"
    assert plan.legal_bases == [
        "Kế hoạch số 25/KH-UBND ngày 06/01/2025 của UBND thị xã Bỉm Sơn về công tác dân vận chính quyền năm 2025"]
    assert plan.preamble.startswith("Thực hiện Kế hoạch số 25/KH-UBND") and plan.preamble.endswith("như sau:")
    assert [(s.number, s.kind) for s in plan.sections] == [("A", "purpose"), ("B", "contents"), ("C", "organisation")]
    assert plan.sections[0].body.splitlines() == [
        ("• Tiếp tục nâng cao nhận thức của cán bộ, công chức phường về vị trí, vai trò của công tác dân vận "
         "trong tình hình mới."),
        "• Bảo đảm mọi chủ trương, chính sách đến được với Nhân dân kịp thời, đầy đủ, đúng quy định.",
    ]
    dialogue, models = plan.sections[1].children
    assert [(c.number, c.title) for c in dialogue.children] == [("1.1", "Tiếp công dân"), ("1.2", "Đối thoại với Nhân dân")]
    assert [(t.style, t.marker) for t in dialogue.children[0].tasks] == [("bullet", "–"), ("bullet", "–")]
    assert [t.text for t in dialogue.children[1].tasks] == [
        "Tổ chức ít nhất 01 hội nghị đối thoại giữa người đứng đầu chính quyền với Nhân dân trong năm 2025.",
        "Kết quả đối thoại được thông báo công khai tại nhà văn hóa các khu phố.",
    ]
    assert models.title == "Xây dựng và nhân rộng mô hình “Dân vận khéo” ở các khu phố"
    assert [t.style for t in plan.sections[2].tasks] == ["numbered", "numbered"]
    assert plan.recipients == [
        "UBND thị xã;", "Thường trực Đảng ủy phường;", "MTTQ và các đoàn thể phường (phối hợp);", "Lưu: VT.",
    ]
    # "TM. ỦY BAN NHÂN DÂN" is recognised (the Word export adds it back); the signer's title is
    # what follows it.
    assert (plan.signer_title, plan.signer_name) == ("CHỦ TỊCH", "Trần Văn Nam")
    assert plan.unplaced == ["DỰ THẢO", "(Đã ký)"]


def test_utf8_plan_in_parts() -> None:
    plan = parse_plan(read_fixture(HA_LONG))
    assert (plan.number, plan.place, plan.issued_on) == ("05/KH-UBND", "Hà Long", date(2025, 1, 15))
    assert plan.legal_bases == [
        ("Kết luận số 114-KL/TW ngày 14/7/2015 của Ban Bí thư về nâng cao hiệu quả công tác dân vận của cơ quan "
         "nhà nước các cấp"),
        "Chương trình công tác năm 2025 của UBND xã",
    ]
    # A "Căn cứ …, UBND xã … như sau:" sentence stays the preamble.
    assert plan.preamble == "Căn cứ Chương trình công tác năm 2025 của UBND xã, UBND xã Hà Long xây dựng Kế hoạch như sau:"
    first, second = plan.sections
    assert (first.number, first.title, first.kind) == ("Phần thứ nhất", "MỤC ĐÍCH, YÊU CẦU", "purpose")
    assert first.body.count("\n* ") == 1
    assert (second.number, second.kind) == ("Phần thứ hai", "contents")
    reform, countryside, organisation = second.children
    assert [(s.number, s.kind) for s in second.children] == [("I", "contents"), ("II", "contents"), ("III", "organisation")]
    assert [(t.marker, t.style) for t in reform.tasks] == [("1", "numbered"), ("2", "numbered")]
    assert countryside.children[0].title == "Vận động Nhân dân hiến đất làm đường giao thông nông thôn:"
    assert [t.marker for t in countryside.children[0].tasks] == ["+", "+"]
    # A numbered item with nothing under it is one task, its two sentences kept together.
    assert countryside.tasks == [
        ParsedTask("Duy trì phong trào “Ngày Chủ nhật xanh” tại các thôn. Mỗi tháng tổ chức ít nhất một lần ra "
                   "quân vệ sinh môi trường.", "numbered", "2")
    ]
    assert [(t.marker, t.style) for t in organisation.tasks] == [("a", "numbered"), ("b", "numbered")]
    assert plan.closing == "Yêu cầu các bộ phận, các thôn nghiêm túc thực hiện./."
    assert (plan.recipients, plan.signer_title, plan.signer_name) == (["Như mục III;", "Lưu: VT."], "CHỦ TỊCH", "Phạm Văn Đức")


@pytest.mark.parametrize("path", [QUANG_TRUNG, BAC_SON, HA_LONG, DONG_TIEN], ids=lambda p: p.name)
def test_fixtures_round_trip_through_plan_to_text(path: Path) -> None:
    plan = parse_plan(read_fixture(path))
    assert parse_plan(plan_to_text(plan)) == plan


# --- structure rules on small texts ------------------------------------------------------------------


def test_plain_text_without_numbering_is_one_contents_section() -> None:
    plan = parse_plan(
        "KẾ HOẠCH\nTuyên truyền về công tác dân vận năm 2025\n"
        "UBND phường xây dựng kế hoạch như sau:\n"
        "Tuyên truyền trên loa truyền thanh hằng tuần. Tổ chức hội nghị ở các khu phố.\n"
        "- Phát tờ rơi đến từng hộ gia đình.\n"
    )
    assert plan.preamble == "UBND phường xây dựng kế hoạch như sau:"
    assert plan.sections == [
        ParsedSection(number="", kind="contents", tasks=[
            ParsedTask("Tuyên truyền trên loa truyền thanh hằng tuần."),
            ParsedTask("Tổ chức hội nghị ở các khu phố."),
            ParsedTask("Phát tờ rơi đến từng hộ gia đình.", "bullet", "-"),
        ])
    ]
    assert parse_plan(plan_to_text(plan)) == plan


def test_heading_words_decide_the_kind_of_top_sections() -> None:
    plan = parse_plan(
        "KẾ HOẠCH\nCông tác năm 2025\n"
        "I. MỤC ĐÍCH - YÊU CẦU\n1. Làm tốt công tác dân vận.\n"
        "II. KINH PHÍ THỰC HIỆN\nKinh phí do ngân sách phường bảo đảm.\n"
        "III. TỔ CHỨC THỰC HIỆN\n1. Văn phòng theo dõi. Báo cáo hằng quý.\n"
    )
    assert [s.kind for s in plan.sections] == ["purpose", "contents", "organisation"]
    assert plan.sections[0].children[0].body == "Làm tốt công tác dân vận."
    assert plan.sections[2].tasks == [ParsedTask("Văn phòng theo dõi. Báo cáo hằng quý.", "numbered", "1")]


def test_deputy_signer_and_stray_lines() -> None:
    plan = parse_plan(
        "KẾ HOẠCH\nCông tác năm 2025\nI. NỘI DUNG\n1. Tuyên truyền.\n"
        "Nơi nhận:\tKT. CHỦ TỊCH\n- Như trên;\tPHÓ CHỦ TỊCH\n- Lưu: VT.\n\n"
        "Ghi chú: bản chụp\n\tNguyễn Văn An\n"
    )
    assert plan.signer_title == "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    assert plan.signer_name == "Nguyễn Văn An"
    assert plan.recipients == ["Như trên;", "Lưu: VT."]
    assert plan.unplaced == ["Ghi chú: bản chụp"]


def test_text_before_the_heading_that_is_no_header_is_kept() -> None:
    plan = parse_plan("Bản sao gửi kèm công văn\nKẾ HOẠCH\nCông tác năm 2025\nI. NỘI DUNG\n1. Tuyên truyền.\n")
    assert plan.unplaced == ["Bản sao gửi kèm công văn"]
    assert parse_plan(plan_to_text(plan)) == plan


def test_title_in_capitals_over_two_lines() -> None:
    plan = parse_plan(
        "UBND XÃ AN LẠC\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nKẾ HOẠCH\nTHỰC HIỆN CÔNG TÁC DÂN VẬN\nNĂM 2025\n"
        "I. NỘI DUNG\n1. Tuyên truyền vào ngày 15 tháng 3 năm 2025.\n"
    )
    assert (plan.title, plan.year, plan.issuer) == ("THỰC HIỆN CÔNG TÁC DÂN VẬN NĂM 2025", 2025, ["UBND XÃ AN LẠC"])
    assert [s.number for s in plan.sections] == ["I"]
    assert plan.issued_on is None  # a date in the body is no date of issue


def test_plan_without_a_heading_line() -> None:
    plan = parse_plan("UBND PHƯỜNG AN LẠC\nSố: 3/KH-UBND\nKế hoạch tuyên truyền năm 2025\nI. NỘI DUNG\n1. Tuyên truyền.\n")
    assert (plan.heading, plan.title, plan.number, plan.issuer) == (
        "", "Kế hoạch tuyên truyền năm 2025", "3/KH-UBND", ["UBND PHƯỜNG AN LẠC"],
    )
    assert plan.sections[0].tasks == [ParsedTask("Tuyên truyền.", "numbered", "1")]
    assert parse_plan(plan_to_text(plan)) == plan


@pytest.mark.parametrize(
    ("line", "number"),
    [("PHẦN I. KẾT QUẢ", "PHẦN I"), ("Phần thứ hai: NHIỆM VỤ", "Phần thứ hai"), ("B. NỘI DUNG", "B"),
     ("IV. TỔ CHỨC", "IV"), ("12. Việc khác", "12"), ("1.2. Việc con", "1.2"), ("c) Việc nhỏ", "c"),
     ("d. Việc nhỏ", "d")],
)
def test_numbering_styles_are_read(line: str, number: str) -> None:
    plan = parse_plan(f"KẾ HOẠCH\nCông tác năm 2025\n{line}\nNội dung cụ thể.\n")
    assert plan.sections[0].number == number


@pytest.mark.parametrize("bullet", ["-", "+", "•", "*", "–"])
def test_bullet_styles_are_tasks(bullet: str) -> None:
    plan = parse_plan(f"KẾ HOẠCH\nCông tác năm 2025\nI. NỘI DUNG\n1. Tuyên truyền\n{bullet} Phát tờ rơi.\n")
    assert plan.sections[0].children[0].tasks == [ParsedTask("Phát tờ rơi.", "bullet", bullet)]


# --- joining wrapped lines ---------------------------------------------------------------------------


def test_join_wrapped_lines() -> None:
    text = (
        "Tăng cường chỉ đạo, tuyên truyền, quán triệt các văn bản của Trung ương,\n\n"
        "của Tỉnh về công tác dân vận, trọng   tâm là Kết luận số 114-\n\n"
        "KL/TW ngày 14/7/2015 của Ban Bí thư về nâng cao hiệu quả công tác dân vận\n\n"
        "- 2 -\n"
        "của cơ quan nhà nước các cấp.\n"
        "- Duy trì xây dựng và nhân rộng các mô hình, điển hình “Dân vận khéo”,\n"
        "nhất là các mô hình tự quản ở khu dân cư.\n"
        "5. Triển khai có hiệu quả phong trào thi đua “Dân vận khéo”\n"
        "Tích cực triển khai các phong trào thi đua “Dân vận khéo” trên các lĩnh\n"
        "vực của đời sống xã hội.\n"
    )
    assert join_wrapped_lines(text) == [
        ("Tăng cường chỉ đạo, tuyên truyền, quán triệt các văn bản của Trung ương, của Tỉnh về công tác dân vận, "
         "trọng tâm là Kết luận số 114-KL/TW ngày 14/7/2015 của Ban Bí thư về nâng cao hiệu quả công tác dân vận "
         "của cơ quan nhà nước các cấp."),
        "- Duy trì xây dựng và nhân rộng các mô hình, điển hình “Dân vận khéo”, nhất là các mô hình tự quản ở khu dân cư.",
        "5. Triển khai có hiệu quả phong trào thi đua “Dân vận khéo”",
        "Tích cực triển khai các phong trào thi đua “Dân vận khéo” trên các lĩnh vực của đời sống xã hội.",
    ]


def test_join_keeps_paragraph_per_line_text_apart() -> None:
    long = "Tổ chức tuyên truyền sâu rộng " * 8
    text = f"1. Công tác tuyên truyền\n{long.strip()}\nKinh phí do ngân sách bảo đảm\nnăm 2025 và các nguồn khác.\n"
    assert join_wrapped_lines(text) == [
        "1. Công tác tuyên truyền", long.strip(), "Kinh phí do ngân sách bảo đảm năm 2025 và các nguồn khác.",
    ]


# --- reading uploads -----------------------------------------------------------------------------------


def test_read_txt_encodings() -> None:
    text = "Kế hoạch công tác dân vận\n"
    assert read_upload("a.txt", text.encode("utf-8")) == text
    assert read_upload("a.TXT", codecs.BOM_UTF8 + text.encode("utf-8")) == text
    assert read_upload("a.txt", text.encode("utf-16")) == text  # with its BOM
    assert read_upload("a.txt", "Chủ trƣơng\r\n".encode()) == "Chủ trương\n"
    assert read_upload("a.txt", unicodedata.normalize("NFD", text).encode("utf-8")) == text


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("ke-hoach.pdf", b"%PDF-1.4", "Tệp không phải .txt hoặc .docx."),
        ("ke-hoach", b"abc", "Tệp không phải .txt hoặc .docx."),
        ("ke-hoach.doc", b"\xd0\xcf\x11\xe0", "Tệp .doc (Word 97-2003) chưa được hỗ trợ"),
        ("ke-hoach.txt", b"", "Tệp trống."),
        ("ke-hoach.txt", b" \r\n\t\n", "Tệp trống."),
        ("ke-hoach.docx", b"this is not a zip file", "Không đọc được tệp Word này."),
        ("ke-hoach.docx", b"PK\x03\x04broken", "Không đọc được tệp Word này."),
        ("ke-hoach.txt", b"x" * 2_000_001, "Tệp quá lớn"),
        ("ke-hoach.txt", b"\x00\x01binary\x00", "Tệp không phải văn bản thuần"),
    ],
)
def test_bad_uploads_raise_a_message(filename: str, data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_upload(filename, data)
    assert caught.value.message.startswith(message)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zips_that_are_not_word_documents_are_refused() -> None:
    with pytest.raises(ImportFileError, match="Không đọc được tệp Word này."):
        read_upload("a.docx", _zip({"hello.txt": b"hi"}))
    # A Word content type but no document part: python-docx's own error is not let out.
    content_types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
        b'.wordprocessingml.document.main+xml"/></Types>'
    )
    with pytest.raises(ImportFileError, match="Không đọc được tệp Word này."):
        read_upload("a.docx", _zip({"[Content_Types].xml": content_types}))
    with pytest.raises(ImportFileError, match="Tệp quá lớn"):
        read_upload("a.docx", _zip({"[Content_Types].xml": content_types, "word/big.xml": b"0" * 60_000_000}))


def test_empty_word_document_is_empty() -> None:
    buffer = BytesIO()
    Document().save(buffer)
    with pytest.raises(ImportFileError, match="Tệp trống."):
        read_upload("a.docx", buffer.getvalue())


# --- Word documents ----------------------------------------------------------------------------------


def _bold(paragraph: Any, text: str, font: str | None = None) -> Any:
    run = paragraph.add_run(text)
    run.bold = True
    if font:
        run.font.name = font
    return run


def build_word_plan() -> bytes:
    """An ND30-like plan: header and signature tables, bold headings, a .VnTime run holding
    TCVN3 text, a .VnTimeH run, a paragraph whose style is a .VnTime font, "ƣ" letters and a
    data table."""
    document = Document()
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    left.paragraphs[0].add_run("UBND THỊ XÃ BỈM SƠN")
    _bold(left.add_paragraph(), "UBND PHƯỜNG NGỌC TRẠO")
    left.add_paragraph("Số: 20/KH-UBND")
    _bold(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    _bold(right.add_paragraph(), "Độc lập - Tự do - Hạnh phúc")
    right.add_paragraph().add_run("Ngọc Trạo, ngày 20 tháng 02 năm 2025").italic = True

    _bold(document.add_paragraph(), "KẾ HOẠCH")
    _bold(document.add_paragraph(), "Thực hiện công tác dân vận chính quyền năm 2025")
    basis = document.add_paragraph("Căn cứ ")
    basis.add_run(encode_tcvn3("Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ;")).font.name = ".VnTime"
    document.add_paragraph("Căn cứ Kế hoạch số 25/KH-UBND ngày 06/01/2025 của UBND thị xã Bỉm Sơn.")
    document.add_paragraph("UBND phường Ngọc Trạo xây dựng Kế hoạch thực hiện như sau:")
    heading = document.add_paragraph()
    _bold(heading, "I. MỤC ĐÍCH, ")
    _bold(heading, encode_tcvn3("yêu cầu"), ".VnTimeH")  # lowercase bytes, drawn as capitals
    document.add_paragraph("1. Nâng cao chất lượng, hiệu quả công tác dân vận của chính quyền phường.")
    document.add_paragraph("2. Cán bộ, công chức gần dân, trọng dân, có trách nhiệm với Nhân dân.")
    _bold(document.add_paragraph(), "II. NỘI DUNG THỰC HIỆN")
    _bold(document.add_paragraph(), "1. Tuyên truyền các Chủ trƣơng của Đảng, Chính sách của Nhà nƣớc")
    document.add_paragraph(
        "Tổ chức tuyên truyền trên hệ thống loa truyền thanh của phường mỗi tuần hai lần về công tác dân vận "
        "chính quyền và các chính sách mới. Cập nhật thường xuyên tin, bài trên trang thông tin điện tử của "
        "phường, nhất là các thủ tục hành chính liên quan trực tiếp đến người dân và doanh nghiệp."
    )
    document.add_paragraph("- Phối hợp với MTTQ phường tổ chức hội nghị tuyên truyền ở các khu phố.")
    _bold(document.add_paragraph(), "2. Tiếp công dân và đối thoại với Nhân dân")
    legacy_style = document.styles.add_style("Legacy body", WD_STYLE_TYPE.PARAGRAPH)
    legacy_style.font.name = ".VnTime"
    document.add_paragraph(encode_tcvn3("Chủ tịch UBND phường tiếp công dân vào thứ Năm hằng tuần."), style=legacy_style)
    schedule = document.add_table(rows=2, cols=3)
    for cell, text in zip(schedule.rows[0].cells + schedule.rows[1].cells,
                          ["STT", "Nội dung", "Thời gian", "1", "Đối thoại với Nhân dân", "Quý III"], strict=True):
        cell.text = text
    _bold(document.add_paragraph(), "III. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("1. Công chức Văn phòng - Thống kê tham mưu, theo dõi, tổng hợp kết quả thực hiện Kế hoạch.")
    document.add_paragraph("2. Các khu phố triển khai Kế hoạch đến từng hộ gia đình.")
    document.add_paragraph("Trên đây là Kế hoạch thực hiện công tác dân vận chính quyền năm 2025 của UBND phường Ngọc Trạo./.")

    document.add_paragraph()
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    label = left.paragraphs[0].add_run("Nơi nhận:")
    label.bold = label.italic = True
    left.add_paragraph("- UBND thị xã;")
    left.add_paragraph("- Lưu: VT.")
    _bold(right.paragraphs[0], "KT. CHỦ TỊCH")
    _bold(right.add_paragraph(), "PHÓ CHỦ TỊCH")
    right.add_paragraph()
    right.add_paragraph()
    _bold(right.add_paragraph(), "Hoàng Thị Mai")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_plan_is_read_and_parsed() -> None:
    text = read_upload("ke-hoach.docx", build_word_plan())
    assert "ƣ" not in text and unicodedata.is_normalized("NFC", text)
    assert "1 | Đối thoại với Nhân dân | Quý III" in text  # a data table: one line a row
    plan = parse_plan(text)
    assert plan.issuer == ["UBND THỊ XÃ BỈM SƠN", "UBND PHƯỜNG NGỌC TRẠO"]
    assert (plan.number, plan.place, plan.issued_on) == ("20/KH-UBND", "Ngọc Trạo", date(2025, 2, 20))
    assert (plan.heading, plan.title) == ("KẾ HOẠCH", "Thực hiện công tác dân vận chính quyền năm 2025")
    assert plan.legal_bases == [
        "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ",  # from the .VnTime run
        "Kế hoạch số 25/KH-UBND ngày 06/01/2025 của UBND thị xã Bỉm Sơn",
    ]
    assert plan.preamble == "UBND phường Ngọc Trạo xây dựng Kế hoạch thực hiện như sau:"
    purpose, contents, organisation = plan.sections
    assert purpose.title == "MỤC ĐÍCH, YÊU CẦU"  # .VnTimeH run in capitals
    assert [c.body for c in purpose.children] == [
        "Nâng cao chất lượng, hiệu quả công tác dân vận của chính quyền phường.",
        "Cán bộ, công chức gần dân, trọng dân, có trách nhiệm với Nhân dân.",
    ]
    propaganda, reception = contents.children
    assert propaganda.title == "Tuyên truyền các Chủ trương của Đảng, Chính sách của Nhà nước"
    assert [t.style for t in propaganda.tasks] == ["paragraph", "paragraph", "bullet"]
    assert reception.tasks[0] == ParsedTask("Chủ tịch UBND phường tiếp công dân vào thứ Năm hằng tuần.")
    assert [t.style for t in organisation.tasks] == ["numbered", "numbered"]
    assert plan.closing.startswith("Trên đây là Kế hoạch")
    assert plan.recipients == ["UBND thị xã;", "Lưu: VT."]
    assert (plan.signer_title, plan.signer_name) == ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "Hoàng Thị Mai")
    assert parse_plan(plan_to_text(plan)) == plan


def test_sections_and_tasks_use_the_known_kinds_and_styles() -> None:
    for plan in (seed_plan(), *(parse_plan(read_fixture(p)) for p in (QUANG_TRUNG, BAC_SON, HA_LONG))):
        for section in all_sections(plan.sections):
            assert section.kind in ("purpose", "contents", "organisation")
            assert all(t.style in ("paragraph", "bullet", "numbered") and t.text for t in section.tasks)


def _word_list(document: Any) -> None:
    """A three-level list (I., 1., bullet) as Word stores it, in numbering.xml."""
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))


def _listed(document: Any, text: str, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
    )


def test_word_automatic_numbering_is_written_out() -> None:
    """Word draws list numbers that are not in the paragraph text; they are read back."""
    document = Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Công tác dân vận năm 2025")
    _word_list(document)
    for text, level in [
        ("MỤC ĐÍCH, YÊU CẦU", 0), ("Nâng cao chất lượng công tác dân vận.", 1),
        ("NỘI DUNG THỰC HIỆN", 0), ("Tuyên truyền", 1), ("Phát tờ rơi đến các hộ.", 2), ("Đối thoại", 2),
        ("Tổ chức đối thoại hằng quý.", 1),
        ("TỔ CHỨC THỰC HIỆN", 0), ("Văn phòng theo dõi, báo cáo.", 1),
    ]:
        _listed(document, text, level)
    document.add_paragraph("Gạch đầu dòng kiểu Word.", style="List Bullet")
    buffer = BytesIO()
    document.save(buffer)
    text = read_upload("a.docx", buffer.getvalue())
    assert text.splitlines()[2:] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Nâng cao chất lượng công tác dân vận.",
        "II. NỘI DUNG THỰC HIỆN", "1. Tuyên truyền", "• Phát tờ rơi đến các hộ.", "• Đối thoại",
        "2. Tổ chức đối thoại hằng quý.",
        "III. TỔ CHỨC THỰC HIỆN", "1. Văn phòng theo dõi, báo cáo.", "• Gạch đầu dòng kiểu Word.",
    ]
    plan = parse_plan(text)
    assert [(s.number, s.kind) for s in plan.sections] == [("I", "purpose"), ("II", "contents"), ("III", "organisation")]
    assert [t.style for t in plan.sections[1].children[0].tasks] == ["bullet", "bullet"]


def test_a_document_carried_out_is_a_legal_basis_and_its_paragraph_stays_as_written() -> None:
    """Issue 16 §5: plans from elsewhere introduce their bases with "Thực hiện …" as well as "Căn cứ …"."""
    text = ("KẾ HOẠCH\nCông tác dân vận chính quyền năm 2025\n"
            "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ;\n"
            "Thực hiện Kế hoạch số 25/KH-UBND ngày 06/01/2025 của UBND thị xã Bỉm Sơn về công tác dân vận "
            "chính quyền năm 2025, UBND phường An Lạc xây dựng Kế hoạch như sau:\n"
            "I. MỤC ĐÍCH, YÊU CẦU\n1. Thực hiện Kế hoạch số 10/KH-ĐU của Đảng ủy phường về tiếp dân.\n")
    plan = parse_plan(text)
    assert plan.legal_bases == [
        "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ",
        "Kế hoạch số 25/KH-UBND ngày 06/01/2025 của UBND thị xã Bỉm Sơn về công tác dân vận chính quyền năm 2025"]
    assert plan.preamble.startswith("Thực hiện Kế hoạch số 25/KH-UBND") and plan.preamble.endswith("như sau:")
    # A document the body carries out stays cited in the body, not as a legal basis.
    assert "10/KH-ĐU" in plan_to_text(plan) and not any("10/KH-ĐU" in basis for basis in plan.legal_bases)


# --- plans extracted from PDF (issue 16 §5) ------------------------------------------------------------


def test_plan_extracted_from_a_pdf_with_its_lines_and_columns_broken() -> None:
    """The header's two columns come through a line at a time with "|" between them, the date is broken
    over two lines, headings over two lines, and the preamble at the PDF's line width."""
    plan = parse_plan(read_fixture(DONG_TIEN))
    assert plan.issuer == ["UBND HUYỆN YÊN ĐỊNH", "UBND XÃ ĐÔNG TIẾN"]
    assert (plan.number, plan.place, plan.issued_on, plan.year) == ("12/KH-UBND", "Đông Tiến", date(2025, 1, 16), 2025)
    assert plan.legal_bases == [
        "Kế hoạch số 25/KH-UBND ngày 10/01/2025 của UBND huyện Yên Định về công tác dân vận chính quyền năm 2025"]
    assert plan.preamble == (
        "Thực hiện Kế hoạch số 25/KH-UBND ngày 10/01/2025 của UBND huyện Yên Định về công tác dân vận chính quyền "
        "năm 2025; căn cứ tình hình thực tế của địa phương, UBND xã Đông Tiến xây dựng Kế hoạch thực hiện công tác "
        "dân vận chính quyền năm 2025 như sau:")  # one paragraph, as written
    assert [(s.number, s.title, s.kind) for s in plan.sections] == [
        ("I", "MỤC ĐÍCH, YÊU CẦU", "purpose"), ("II", "NỘI DUNG", "contents"),
        ("III", "TỔ CHỨC THỰC HIỆN", "organisation")]
    purpose = plan.sections[0]
    assert [c.body for c in purpose.children][1] == (
        "Gắn công tác dân vận chính quyền với cải cách hành chính, xây dựng nông thôn mới và chuyển đổi số ở các thôn.")
    assert [t.text for t in plan.sections[2].tasks][0].endswith("báo cáo UBND xã trước ngày 10 tháng 12 năm 2025.")
    assert plan.closing.endswith("của UBND xã Đông Tiến./.")
    assert (plan.recipients, plan.signer_title, plan.signer_name) == (
        ["UBND huyện (để b/c);", "Các thôn;", "Lưu: VT."], "CHỦ TỊCH", "Lê Văn Hùng")
    assert plan.unplaced == []


@pytest.mark.parametrize("header", [
    # Each column's lines taken in turn, one piece a line.
    "ỦY BAN NHÂN DÂN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ AN PHÚ\nĐộc lập - Tự do - Hạnh phúc\n"
    "Số: 7/KH-UBND\nAn Phú, ngày 05 tháng 02\nnăm 2025",
    # The columns run together with one space, the motto's first word left on the line before.
    "ỦY BAN NHÂN DÂN CỘNG\nHÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ AN PHÚ Độc lập - Tự do - Hạnh phúc\n"
    "Số: 7/KH-UBND An Phú, ngày 05\ntháng 02 năm 2025",
    # Cell borders, the number written with spaces.
    "| ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n| XÃ AN PHÚ | Độc lập - Tự do - Hạnh phúc |\n"
    "| Số: 7 /KH-UBND | An Phú, ngày 05 tháng 02 năm 2025 |",
], ids=["line-by-line", "single-spaces", "cell-borders"])
def test_an_interleaved_header_gives_the_issuer_without_the_motto(header: str) -> None:
    plan = parse_plan(f"{header}\nKẾ HOẠCH\nCông tác dân vận năm 2025\nI. NỘI DUNG\n- Tiếp công dân.\n")
    assert plan.issuer == ["ỦY BAN NHÂN DÂN", "XÃ AN PHÚ"]
    assert (plan.number, plan.place, plan.issued_on) == ("7/KH-UBND", "An Phú", date(2025, 2, 5))
    assert plan.unplaced == []


def test_a_short_preamble_broken_mid_phrase_is_one_paragraph() -> None:
    """Too few lines to tell the PDF's line width: a line ending in a comma or a linking word still runs on."""
    plan = parse_plan("KẾ HOẠCH\nCông tác dân vận năm 2025\nThực hiện Kế hoạch số 25/KH-UBND của UBND huyện,\n"
                      "UBND xã An Phú ban hành Kế hoạch của\nUBND xã như sau:\nI. NỘI DUNG\n- Tiếp công dân.\n")
    assert plan.preamble == ("Thực hiện Kế hoạch số 25/KH-UBND của UBND huyện, UBND xã An Phú ban hành Kế hoạch của "
                             "UBND xã như sau:")


@pytest.mark.parametrize(("lines", "title"), [
    ("I. MỤC ĐÍCH\nYÊU CẦU", "MỤC ĐÍCH YÊU CẦU"),
    ("I. MỤC ĐÍCH VÀ\nYÊU CẦU", "MỤC ĐÍCH VÀ YÊU CẦU"),
    ("I. TỔ CHỨC\nTHỰC HIỆN", "TỔ CHỨC THỰC HIỆN"),
])
def test_a_heading_broken_over_two_lines_is_one_heading(lines: str, title: str) -> None:
    plan = parse_plan(f"KẾ HOẠCH\nCông tác dân vận năm 2025\n{lines}\n1. Tiếp công dân.\n")
    assert [s.title for s in plan.sections] == [title]


def test_a_numbered_heading_followed_by_a_heading_of_its_own_stays_two() -> None:
    plan = parse_plan("KẾ HOẠCH\nCông tác dân vận năm 2025\nI. NỘI DUNG\nCÔNG TÁC TUYÊN TRUYỀN\n- Phát tờ rơi.\n")
    assert [(s.title, [c.title for c in s.children]) for s in plan.sections] == [("NỘI DUNG", ["CÔNG TÁC TUYÊN TRUYỀN"])]
