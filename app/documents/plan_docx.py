"""An issued plan as a Word file in the format of Nghị định 30/2020/NĐ-CP (DESIGN §6).

A4 portrait; margins 20/20/30/15 mm; Times New Roman, body 14 pt, justified with a 1 cm
first-line indent; the two-column header (parent body, issuing body, number | national motto,
place and date); the type name and subject; preamble, sections, tasks and closing; the signature
block with "Nơi nhận:"; page numbers in the header from page 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from app.models import Plan, Unit
from app.plans.outline import SectionNode

FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH = Mm(210 - 30 - 15)
RETENTION = "Lưu: VT."


def place_and_date(place: str, issued_on: date | None, year: int) -> str:
    """"Phú Sơn, ngày 05 tháng 01 năm 2025": day two digits, month two digits for 1 and 2 only."""
    if issued_on is None:
        return f"{place}, ngày …… tháng …… năm {year}"
    month = f"{issued_on.month:02d}" if issued_on.month < 3 else str(issued_on.month)
    return f"{place}, ngày {issued_on.day:02d} tháng {month} năm {issued_on.year}"


def body_name(unit: Unit) -> str:
    """The body a unit's documents come from, e.g. "UBND PHƯỜNG PHÚ SƠN"."""
    return f"UBND {unit.kind_word.upper()} {unit.name.upper()}"


def plan_docx(plan: Plan, outline: list[SectionNode], unit: Unit, parent: Unit | None) -> bytes:
    """The .docx bytes of `plan` issued by `unit` (under `parent`, if any)."""
    document = Document()
    _page_setup(document)
    _default_font(document)
    _page_numbers(document)

    _header_table(document, plan, unit, parent)
    _centred(document, plan.heading or "KẾ HOẠCH", bold=True, space_before=12)
    _centred(document, plan.title, bold=True, space_after=12)
    for text in _lines(plan.preamble):
        _body(document, text)
    for node in outline:
        _section(document, node)
    for text in _lines(plan.closing):
        _body(document, text)
    _signature_table(document, plan)

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- page, styles, page numbers ----------------------------------------------------------------


def _page_setup(document) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def _default_font(document) -> None:  # type: ignore[no-untyped-def]
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.0


def _page_numbers(document) -> None:  # type: ignore[no-untyped-def]
    """A centred PAGE field in the header of every page but the first."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    _field(paragraph, "PAGE", placeholder="2")


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    def char(kind: str):  # type: ignore[no-untyped-def]
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run._r.append(char("begin"))
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(char("end"))


# --- paragraphs ----------------------------------------------------------------------------------


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None):  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.font.name = FONT
    if size is not None:
        run.font.size = Pt(size)
    return run


def _body(document, text: str, *, bold: bool = False) -> Paragraph:  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(1)
    fmt.space_before, fmt.space_after = Pt(3), Pt(3)
    _run(paragraph, text, bold=bold)
    return paragraph


def _centred(document, text: str, *, bold: bool = False, space_before: int = 0, space_after: int = 0) -> Paragraph:  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(space_after)
    _run(paragraph, text, bold=bold)
    return paragraph


def _section(document, node: SectionNode) -> None:  # type: ignore[no-untyped-def]
    section = node.section
    prefix = f"{section.number}. " if section.number else ""
    if section.title:
        _body(document, prefix + section.title, bold=True)
        for text in _lines(section.body):
            _body(document, text)
    else:
        for index, text in enumerate(_lines(section.body)):
            _body(document, (prefix if index == 0 else "") + text)
    for number, task in enumerate(node.tasks, start=1):
        if task.style == "bullet":
            _body(document, f"- {task.text}")
        elif task.style == "numbered":
            _body(document, f"{number}. {task.text}")
        else:
            _body(document, task.text)
    for child in node.children:
        _section(document, child)


# --- the two tables --------------------------------------------------------------------------------


def _borderless_table(document, widths: Iterable[int]) -> Table:  # type: ignore[no-untyped-def]
    widths = list(widths)
    table = document.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    return table


def _cell_line(cell: _Cell, text: str, *, first: bool = False, bold: bool = False, italic: bool = False,
               size: int | None = None, align=WD_ALIGN_PARAGRAPH.CENTER) -> Paragraph:  # type: ignore[no-untyped-def]
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    if text:
        _run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _header_table(document, plan: Plan, unit: Unit, parent: Unit | None) -> None:  # type: ignore[no-untyped-def]
    left_width = Mm(62)
    table = _borderless_table(document, [left_width, TEXT_WIDTH - left_width])
    left, right = table.rows[0].cells
    issuer = body_name(unit)
    if parent is not None:
        _cell_line(left, body_name(parent), first=True, size=13)
        _cell_line(left, issuer, bold=True, size=13)
    else:
        _cell_line(left, issuer, first=True, bold=True, size=13)
    _cell_line(left, "—————", size=10)
    _cell_line(left, f"Số: {plan.number or '      /KH-UBND'}", size=13)

    _cell_line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", first=True, bold=True, size=13)
    _cell_line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14)
    _cell_line(right, "———————————", size=10)
    _cell_line(right, place_and_date(unit.name, plan.issued_on, plan.year), italic=True, size=14)


def _signature_table(document, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    document.add_paragraph()
    half = TEXT_WIDTH // 2
    table = _borderless_table(document, [half, TEXT_WIDTH - half])
    left, right = table.rows[0].cells
    _cell_line(left, "Nơi nhận:", first=True, bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    recipients = list(plan.recipients or [])
    if not any(r.strip().startswith("Lưu") for r in recipients):
        recipients.append(RETENTION)
    for recipient in recipients:
        _cell_line(left, f"- {recipient}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)

    _cell_line(right, "TM. ỦY BAN NHÂN DÂN", first=True, bold=True)
    _cell_line(right, plan.signer_title or "CHỦ TỊCH", bold=True)
    for _ in range(4):
        _cell_line(right, "")
    _cell_line(right, plan.signer_name or "", bold=True)
