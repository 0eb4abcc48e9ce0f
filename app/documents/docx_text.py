"""The text of a Word document, line by line, as a reader sees it.

Body paragraphs and tables in document order (content controls opened). A layout table (one
or two columns: the ND30 header and signature blocks) gives each cell's lines in turn; a data
table gives one line per row, cells joined by " | ". Automatic list numbering is written out
("1.", "a)", "•") since it is not in the paragraph's text. Runs set in a TCVN3 font (".Vn…";
capitals for ".Vn…H") or a VNI font ("VNI-…") are converted run by run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from app.documents.plan_lines import roman
from app.text_repair import has_unicode_vietnamese, tcvn3_to_unicode, vni_to_unicode

__all__ = ["document_lines"]

_NAMESPACES = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
# Compiled once: python-docx's own xpath() compiles its expression on every call.
_RUNS = etree.XPath("./w:r | ./*/w:r | ./*/*/w:r", namespaces=_NAMESPACES)
_RUN_FONTS = etree.XPath("w:rPr/w:rFonts", namespaces=_NAMESPACES)
_NUM_ID = etree.XPath("w:pPr/w:numPr/w:numId", namespaces=_NAMESPACES)
_NUM_LEVEL = etree.XPath("w:pPr/w:numPr/w:ilvl", namespaces=_NAMESPACES)

# Bullet characters of Word's lists (Symbol, Wingdings, Courier "o") as plain ones.
_BULLET_CHARACTERS = {"\uf0b7": "•", "\uf0a7": "▪", "§": "▪", "o": "◦", "\uf0d8": "➢", "\uf076": "❖"}
_PLAIN_BULLETS = "-+•*–—●○▪■◦➢►✓"


def document_lines(document: DocxDocument) -> Iterator[str]:
    """The lines of `document`'s body (legacy-font runs converted, not yet repaired)."""
    reader = _Reader(document)
    yield from reader.blocks(document.element.body, document)


class _Reader:
    def __init__(self, document: DocxDocument) -> None:
        styles = _Styles(document)
        self.fonts = _FontResolver(document, styles)
        self.numbering = _ListNumbering(document, styles)

    def blocks(self, container: Any, parent: Any) -> Iterator[str]:
        """Paragraphs and tables of a body or a cell in order; content controls are opened."""
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                paragraph = Paragraph(child, parent)
                prefix = self.numbering.prefix(paragraph)
                yield from (prefix + self.paragraph_text(paragraph)).split("\n")
            elif child.tag == qn("w:tbl"):
                yield from self.table_lines(Table(child, parent))
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from self.blocks(content, parent)

    def table_lines(self, table: Table) -> Iterator[str]:
        rows = [_unique_cells(row.cells) for row in table.rows]
        if max((len(cells) for cells in rows), default=0) <= 2:
            for cells in rows:
                for cell in cells:
                    yield from self.blocks(cell._tc, cell)
            return
        for cells in rows:
            texts = [" ".join(line.strip() for line in self.blocks(c._tc, c) if line.strip()) for c in cells]
            if any(texts):
                yield " | ".join(texts)

    def paragraph_text(self, paragraph: Paragraph) -> str:
        """The paragraph's text, each run converted from the legacy encoding of its font."""
        parts = []
        # Runs of the paragraph, also inside hyperlinks, insertions, fields and smart tags, but
        # not those of text boxes nested deeper in a drawing.
        for element in _RUNS(paragraph._p):
            run = Run(element, paragraph)
            parts.append(_convert_run(run.text, self.fonts.font_of(run, paragraph)))
        return "".join(parts)


def _unique_cells(cells: list[_Cell]) -> list[_Cell]:
    """The cells of a row, a merged cell once."""
    seen: set[int] = set()
    unique = []
    for cell in cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            unique.append(cell)
    return unique


def _convert_run(text: str, font: str) -> str:
    name = font.strip().lower()
    if text.isascii() or has_unicode_vietnamese(text):  # already Unicode, whatever the font says
        return text
    if name.startswith(".vn"):
        return tcvn3_to_unicode(text, uppercase=name.endswith("h"))
    if name.startswith(("vni-", "vni ")):
        return vni_to_unicode(text)
    return text


# --- fonts ---------------------------------------------------------------------------------------


class _Styles:
    """A paragraph's or run's style, each style looked up once per document: python-docx looks for
    the default style among all of them on every call, which made a file of many plain paragraphs
    take about 1.7 ms each."""

    def __init__(self, document: DocxDocument) -> None:
        self._part = document.part
        self._found: dict[tuple[str | None, WD_STYLE_TYPE], Any] = {}

    def of(self, item: Run | Paragraph) -> Any:
        if isinstance(item, Paragraph):
            key = (item._p.style, WD_STYLE_TYPE.PARAGRAPH)
        else:
            key = (item._r.style, WD_STYLE_TYPE.CHARACTER)
        if key not in self._found:
            try:
                self._found[key] = self._part.get_style(*key)
            except (KeyError, ValueError, AttributeError):
                self._found[key] = None
        return self._found[key]


class _FontResolver:
    """The font a run is set in: its own, its character style's, its paragraph style's (with
    their base styles), else the document default."""

    def __init__(self, document: DocxDocument, styles: _Styles) -> None:
        defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")
        self._default = _fonts_name(defaults[0]) if defaults else ""
        self._styles = styles
        self._by_styles: dict[tuple[str | None, str | None], str] = {}

    def font_of(self, run: Run, paragraph: Paragraph) -> str:
        own = run._r.rPr.rFonts if run._r.rPr is not None else None
        name = _fonts_name(own) if own is not None else ""
        return name or self._of_styles(run, paragraph)

    def _of_styles(self, run: Run, paragraph: Paragraph) -> str:
        """The font the run's and paragraph's styles give (once per pair of styles)."""
        key = (run._r.style, paragraph._p.style)
        if key not in self._by_styles:
            name = ""
            for style in (self._styles.of(run), self._styles.of(paragraph)):
                name = name or _style_value(style, _RUN_FONTS, _fonts_name)
            self._by_styles[key] = name or self._default
        return self._by_styles[key]


def _style_value(style: Any, find: Any, read: Any) -> str:
    """The first value `read` gives for an element `find` finds in `style` or its base styles."""
    for _ in range(10):
        if style is None:
            break
        found = find(style.element)
        value = read(found[0]) if found else ""
        if value:
            return str(value)
        style = style.base_style
    return ""


def _fonts_name(fonts: Any) -> str:
    """The Latin font of a w:rFonts element (ascii, else hAnsi)."""
    return str(fonts.get(qn("w:ascii")) or fonts.get(qn("w:hAnsi")) or "")


# --- automatic list numbering -------------------------------------------------------------------


class _ListNumbering:
    """The numbers Word draws before list paragraphs ("1.", "a)", "II.", "•"), counted in
    document order per list and level (a level restarts after a higher one)."""

    def __init__(self, document: DocxDocument, styles: _Styles) -> None:
        self._styles = styles
        self._by_style: dict[str | None, tuple[str, str]] = {}
        self._levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (format, text, start)
        self._counters: dict[str, dict[int, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is not None:
                self._levels[num.get(qn("w:numId"))] = _levels_of(definition)

    def prefix(self, paragraph: Paragraph) -> str:
        num_id, level = self._list_of(paragraph)
        levels = self._levels.get(num_id or "")
        if not levels or level not in levels:
            return ""
        counters = self._counters.setdefault(num_id or "", {})
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        counters[level] = counters.get(level, levels[level][2] - 1) + 1
        number_format, text, _ = levels[level]
        if number_format == "bullet":
            bullet = _BULLET_CHARACTERS.get(text, text)
            return f"{bullet if bullet in _PLAIN_BULLETS else '•'} "
        for index in range(level + 1):
            if f"%{index + 1}" in text and index in levels:
                number = _format_number(counters.get(index, levels[index][2]), levels[index][0])
                text = text.replace(f"%{index + 1}", number)
        return f"{text} " if text else ""

    def _list_of(self, paragraph: Paragraph) -> tuple[str | None, int]:
        """The list (numId) and level of a paragraph, from itself or its style."""
        p_pr = paragraph._p.pPr
        found = p_pr.numPr if p_pr is not None else None
        num_id = _val(found, "w:numId") if found is not None else None
        level = _val(found, "w:ilvl") if found is not None else None
        if num_id is None or level is None:
            style_num_id, style_level = self._list_of_style(paragraph)
            num_id = style_num_id if num_id is None else num_id
            level = style_level if level is None else level
        if not num_id or num_id == "0":
            return None, 0
        return num_id, int(level) if level and level.isdigit() else 0

    def _list_of_style(self, paragraph: Paragraph) -> tuple[str, str]:
        """The list and level a paragraph's style gives (once per style)."""
        key = paragraph._p.style
        if key not in self._by_style:
            style = self._styles.of(paragraph)
            self._by_style[key] = (
                _style_value(style, _NUM_ID, lambda e: e.get(qn("w:val"))),
                _style_value(style, _NUM_LEVEL, lambda e: e.get(qn("w:val"))),
            )
        return self._by_style[key]


def _val(element: Any, tag: str) -> str | None:
    child = element.find(qn(tag))
    return child.get(qn("w:val")) if child is not None else None


def _levels_of(definition: Any) -> dict[int, tuple[str, str, int]]:
    levels = {}
    for level in definition.findall(qn("w:lvl")):
        start = _val(level, "w:start")
        levels[int(level.get(qn("w:ilvl"), "0"))] = (
            _val(level, "w:numFmt") or "decimal",
            _val(level, "w:lvlText") or "",
            int(start) if start and start.isdigit() else 1,
        )
    return levels


def _format_number(value: int, number_format: str) -> str:
    if number_format in ("upperRoman", "lowerRoman"):
        numeral = roman(value)
        return numeral if number_format == "upperRoman" else numeral.lower()
    if number_format in ("upperLetter", "lowerLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if number_format == "upperLetter" else letter
    return str(value)
