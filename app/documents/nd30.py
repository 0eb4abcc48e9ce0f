"""The administrative document format of Nghị định 30/2020/NĐ-CP, shared by plans and reports.

A4 portrait; margins 20/20/30/15 mm; Times New Roman, body 14 pt, justified with a 1 cm first-line
indent; the two-column header (a governing body's line if the unit has one, the issuing body in
full, number | national motto, place and date) with short rules beneath the issuing body and the motto; the type name and subject; the
signature block beside "Nơi nhận:"; page numbers in the header from page 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from app.models import Unit

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
TABLE_PT = 13
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
LEFT_MARGIN, RIGHT_MARGIN, TOP_MARGIN, BOTTOM_MARGIN = Mm(30), Mm(15), Mm(20), Mm(20)
TEXT_WIDTH = Length(PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN)
HEADER_LEFT_WIDTH = Mm(62)
CELL_PADDING = Mm(1.9)  # Word's default left and right cell margin
# The short rules: a third of the issuing body's column, the width of "Độc lập - Tự do - Hạnh phúc".
ISSUER_RULE, MOTTO_RULE = Mm(22), Mm(63)
RETENTION = "Lưu: VT."
ON_BEHALF = "TM. ỦY BAN NHÂN DÂN"  # above the signer's title: the committee signs collectively
SIGNATURE_BLANK_LINES = 4

Builder = Callable[[DocxDocument], None]


def place_and_date(place: str, issued_on: date | None, year: int) -> str:
    """"Phú Sơn, ngày 05 tháng 01 năm 2025": day two digits, month two digits for 1 and 2 only."""
    if issued_on is None:
        return f"{place}, ngày …… tháng …… năm {year}"
    month = f"{issued_on.month:02d}" if issued_on.month < 3 else str(issued_on.month)
    return f"{place}, ngày {issued_on.day:02d} tháng {month} năm {issued_on.year}"


def issuer_lines(unit: Unit) -> list[str]:
    """The issuing body, written in full as Nghị định 30 requires ("ỦY BAN NHÂN DÂN" / "PHƯỜNG PHÚ SƠN",
    only a governing body's name may be abbreviated), or the one line its admin set."""
    if unit.issuer_name.strip():
        return [unit.issuer_name.strip()]
    return ["ỦY BAN NHÂN DÂN", f"{unit.kind_word.upper()} {unit.name.upper()}"]


def body_name(unit: Unit) -> str:
    """The issuing body on one line (the file's author)."""
    return " ".join(issuer_lines(unit))


def governing_body_line(issuer: Unit) -> str:
    """The governing body's line above the issuer, if the unit's admin set one (by default none)."""
    return issuer.issuer_parent_name.strip()


def number_line(number: str | None, code: str) -> str:
    """"Số: 15/KH-UBND"; a bare "15" gets the `code`, and no number leaves the blank to fill by hand."""
    number = (number or "").strip()
    if not number:
        return f"Số:       /{code}"
    return f"Số: {number if '/' in number else f'{number}/{code}'}"


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a text, stripped: one paragraph each."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def closing_lines(text: str | None) -> list[str]:
    """The closing paragraphs, the last ending the body with the mark "./." as ND30 has it (a final
    "." or a mistyped "./" becomes "./.")."""
    found = lines(text)
    if found and not found[-1].endswith("./."):
        found[-1] = found[-1].removesuffix("./").rstrip(".") + "./."
    return found


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document, its number line and its place and date."""

    issuer: Unit
    number: str
    place_date: str


@dataclass(frozen=True)
class Signature:
    """The signature block and, beside it, the recipients."""

    title: str
    name: str
    recipients: Sequence[str]


def nd30_docx(letterhead: Letterhead, type_name: str, subject: str, content: Builder, signature: Signature,
              *, draft: bool = False) -> bytes:
    """The .docx bytes of a document: header, type name and subject, `content`, signature."""
    document = Document()
    _properties(document, letterhead, f"{type_name} {subject}")
    _page_setup(document)
    _default_font(document)
    _page_numbers(document)
    if draft:
        _draft_mark(document)
    _header_table(document, letterhead)
    _centred(document, type_name, bold=True, space_before=12)
    _centred(document, subject, bold=True, space_after=12)
    content(document)
    _signature_table(document, signature)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- page, styles, page numbers ----------------------------------------------------------------


def _properties(document: DocxDocument, letterhead: Letterhead, title: str) -> None:
    """The file's own properties: its title and author (the issuing body), made now, in Vietnamese
    (so Word checks the spelling as Vietnamese, not as the template's English)."""
    properties = document.core_properties
    properties.title, properties.author = title[:255], body_name(letterhead.issuer)
    properties.last_modified_by, properties.language = body_name(letterhead.issuer), "vi-VN"
    properties.created = properties.modified = datetime.now(UTC).replace(tzinfo=None)
    properties.revision = 1
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    rpr = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if rpr is not None:
        language = rpr.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            rpr.append(language)
        language.set(qn("w:val"), "vi-VN")


def _page_setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP_MARGIN, BOTTOM_MARGIN
    section.left_margin, section.right_margin = LEFT_MARGIN, RIGHT_MARGIN
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def _default_font(document: DocxDocument) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0


def _page_numbers(document: DocxDocument) -> None:
    """A centred PAGE field in the header of every page but the first, whose header stays empty."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", placeholder="2")


def _element(tag: str, **attributes: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="begin"))
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="end"))


# --- paragraphs ----------------------------------------------------------------------------------


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         size: int | None = None) -> Run:
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.font.name = FONT
    if size is not None:
        run.font.size = Pt(size)
    return run


def body(document: DocxDocument, text: str, *, bold: bool = False) -> Paragraph:
    """A body paragraph: justified, 1 cm first-line indent, 14 pt."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(1)
    fmt.space_before, fmt.space_after = Pt(3), Pt(3)
    _run(paragraph, text, bold=bold)
    return paragraph


def _centred(document: DocxDocument, text: str, *, bold: bool = False, space_before: int = 0,
            space_after: int = 0) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(space_after)
    _run(paragraph, text, bold=bold)
    return paragraph


def _draft_mark(document: DocxDocument) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, "DỰ THẢO", bold=True)


# --- tables ----------------------------------------------------------------------------------------


def _table(document: DocxDocument, widths: Sequence[Length], rows: int = 1, *, borders: str = "nil") -> Table:
    """A centred table of fixed column widths; `borders` "nil" (none) or "single"."""
    table = document.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    edges = _element("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        attributes = {"val": borders} if borders == "nil" else {"val": borders, "sz": "4", "space": "0", "color": "000000"}
        edges.append(_element(f"w:{edge}", **attributes))
    table._tbl.tblPr.append(edges)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def _cell_line(cell: _Cell, text: str, *, first: bool = False, bold: bool = False, italic: bool = False,
              size: int | None = None, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER) -> Paragraph:
    """A line of text in a table cell (`first`: reuse the cell's initial empty paragraph)."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    if text:
        _run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _rule(cell: _Cell, cell_width: Length, length: Length) -> Paragraph:
    """A real short centred line: an empty, hairline-high paragraph with a bottom border, indented
    on both sides so that the border is `length` long."""
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    indent = Length((cell_width - 2 * CELL_PADDING - length) // 2)
    fmt.left_indent = fmt.right_indent = indent
    fmt.line_spacing = Pt(1)  # exact: the line sits right under the text above
    borders = _element("w:pBdr")
    borders.append(_element("w:bottom", val="single", sz="6", space="1", color="000000"))
    paragraph._p.get_or_add_pPr().append(borders)
    return paragraph


def data_table(document: DocxDocument, headers: Sequence[str], rows: Sequence[Sequence[str]],
               widths: Sequence[Length], aligns: Sequence[WD_ALIGN_PARAGRAPH]) -> Table:
    """A bordered table, 13 pt: a bold centred header row (repeated on each page), then `rows`
    aligned by column."""
    table = _table(document, widths, rows=len(rows) + 1, borders="single")
    # No row breaks across pages; the header row repeats on every page the table runs onto.
    for row in table.rows:
        row._tr.get_or_add_trPr().append(_element("w:cantSplit", val="true"))
    table.rows[0]._tr.get_or_add_trPr().append(_element("w:tblHeader", val="true"))
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell_line(cell, header, first=True, bold=True, size=TABLE_PT)
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value, align in zip(row.cells, values, aligns, strict=True):
            _cell_line(cell, value, first=True, size=TABLE_PT, align=align)
    return table


def _header_table(document: DocxDocument, letterhead: Letterhead) -> None:
    right_width = Length(TEXT_WIDTH - HEADER_LEFT_WIDTH)
    left, right = _table(document, [HEADER_LEFT_WIDTH, right_width]).rows[0].cells
    governing = governing_body_line(letterhead.issuer)
    if governing:
        _cell_line(left, governing, first=True, size=HEADER_PT)
    for index, line in enumerate(issuer_lines(letterhead.issuer)):
        _cell_line(left, line, first=not governing and index == 0, bold=True, size=HEADER_PT)
    _rule(left, HEADER_LEFT_WIDTH, ISSUER_RULE)
    _cell_line(left, letterhead.number, size=HEADER_PT).paragraph_format.space_before = Pt(6)

    _cell_line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", first=True, bold=True, size=HEADER_PT)
    _cell_line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=BODY_PT)
    _rule(right, right_width, MOTTO_RULE)
    _cell_line(right, letterhead.place_date, italic=True, size=BODY_PT).paragraph_format.space_before = Pt(6)


def signature_lines(title: str | None) -> list[str]:
    """Above the signer's name: on behalf of the committee, then the signer's title ("CHỦ TỊCH")."""
    return [ON_BEHALF, *(lines(title) or ["CHỦ TỊCH"])]


def recipient_lines(recipients: Sequence[str]) -> list[str]:
    """The recipients with the filing line ("Lưu: VT." unless one is given) moved to the end."""
    kept = [r.strip() for r in recipients if r.strip()]
    retention = [r for r in kept if r.startswith("Lưu")] or [RETENTION]
    return [r for r in kept if not r.startswith("Lưu")] + retention


def _signature_table(document: DocxDocument, signature: Signature) -> None:
    document.add_paragraph()
    half = Length(TEXT_WIDTH // 2)
    left, right = _table(document, [half, Length(TEXT_WIDTH - half)]).rows[0].cells
    _cell_line(left, "Nơi nhận:", first=True, bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for recipient in recipient_lines(signature.recipients):
        _cell_line(left, f"- {recipient}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)

    for index, line in enumerate(signature_lines(signature.title)):
        _cell_line(right, line, first=index == 0, bold=True)
    for _ in range(SIGNATURE_BLANK_LINES):
        _cell_line(right, "")
    _cell_line(right, signature.name, bold=True)
