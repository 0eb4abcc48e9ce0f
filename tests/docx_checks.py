"""Reading a generated Word file in tests: paragraphs by text, their weight, slant and size, the
short rules of the header, and the page, body and page-number rules of Nghị định 30."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Length, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def cell_paragraphs(cell: _Cell) -> list[Paragraph]:
    return [p for p in cell.paragraphs if p.text.strip()]


def para(paragraphs: list[Paragraph], text: str) -> Paragraph:
    found = [p for p in paragraphs if p.text.strip() == text]
    assert found, f"{text!r} not in {[p.text for p in paragraphs]}"
    return found[0]


def _runs(paragraph: Paragraph):  # type: ignore[no-untyped-def]
    return [r for r in paragraph.runs if r.text.strip()]


def bold(paragraph: Paragraph) -> bool:
    runs = _runs(paragraph)
    return bool(runs) and all(r.bold for r in runs)


def italic(paragraph: Paragraph) -> bool:
    runs = _runs(paragraph)
    return bool(runs) and all(r.italic for r in runs)


def size(paragraph: Paragraph) -> Length:
    sizes = {r.font.size for r in _runs(paragraph)}
    assert len(sizes) == 1, sizes
    return sizes.pop()


def rule_after(cell: _Cell, text: str, cell_width: Length) -> Length:
    """The length of the short rule right under the line `text` of a header cell: an empty
    paragraph with a single bottom border, centred by equal indents. Fails if there is none."""
    paragraphs = cell.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p.text.strip() == text)
    rule = paragraphs[index + 1]
    assert rule.text == ""
    bottom = rule._p.find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert bottom is not None and bottom.get(f"{W}val") == "single"
    fmt = rule.paragraph_format
    assert fmt.left_indent == fmt.right_indent
    return Length(cell_width - fmt.left_indent - fmt.right_indent)


def assert_a4_portrait_with_decree_margins(document: DocxDocument) -> None:
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert section.page_height > section.page_width
    for margin, mm in (("top_margin", 20), ("bottom_margin", 20), ("left_margin", 30), ("right_margin", 15)):
        assert abs(getattr(section, margin) - Mm(mm)) < Mm(0.5), margin


def body_paragraphs(document: DocxDocument) -> list[Paragraph]:
    """The body paragraphs (those with a first-line indent), each checked: Times New Roman 14
    (the Normal style), justified, indented 1 cm."""
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)  # type: ignore[attr-defined]
    body = [p for p in document.paragraphs if p.text.strip() and p.paragraph_format.first_line_indent]
    for paragraph in body:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert abs(paragraph.paragraph_format.first_line_indent - Cm(1)) < Mm(0.1)
        for run in paragraph.runs:
            assert run.font.name in (None, "Times New Roman") and run.font.size in (None, Pt(14))
    return body


def assert_page_numbers_from_page_two(document: DocxDocument) -> None:
    section = document.sections[0]
    assert section.different_first_page_header_footer is True
    header = section.header._element.xml
    assert "PAGE" in header and "fldChar" in header
    first = section.first_page_header._element.xml
    assert "PAGE" not in first and "fldChar" not in first
