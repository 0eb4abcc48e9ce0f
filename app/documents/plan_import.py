"""An existing plan (text from a .txt or .docx upload) parsed into the parts of a plan.

The text is cut into zones: the ND30 header (issuing body, national motto, "Số: …", place and
date), the heading ("KẾ HOẠCH") and title, the legal bases and preamble, the numbered body, the
closing ("Trên đây là …") and the signature block ("Nơi nhận:", recipients, signer). The body's
paragraphs are nested by their markers (app.documents.plan_lines) and then read by the kind of
their top-level section (DESIGN §4):

* purpose ("MỤC ĐÍCH, YÊU CẦU"): every numbered item is a sub-section holding its text as the
  body (a short heading item with content under it keeps the heading as its title);
* contents (any other heading): a numbered item with content under it is a sub-section titled
  by its first sentence (the rest of the item's text, and the paragraphs under it, are tasks,
  one per sentence: "paragraph"); each bullet is one task ("bullet", its sub-bullets kept in
  its text); a numbered item with nothing under it is one task ("numbered", not split);
* organisation ("TỔ CHỨC THỰC HIỆN"): the same rules, so its numbered items are usually
  "numbered" tasks (a heading item like "1. Văn phòng - Thống kê:" with bullets under it is a
  sub-section);
* a paragraph in capitals without a number is a sub-section heading; a sub-section titled
  exactly "Mục đích, yêu cầu" or "Tổ chức thực hiện" takes that kind, else it inherits.

Only the encoding is repaired; the words are kept as written. Text that fits nowhere goes to
`ParsedPlan.unplaced`. `plan_to_text` writes a parsed plan back as numbered text that parses
to the same plan.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.documents.import_text import ImportFileError, read_upload
from app.documents.plan_frame import (
    find_heading,
    find_tail,
    header_end,
    read_header,
    read_tail,
)
from app.documents.plan_lines import (
    Marker,
    classify,
    is_capitals,
    is_legal_basis,
    is_separator,
    join_wrapped_lines,
    legal_bases_of,
    letters_only,
    split_sentences,
)
from app.documents.plan_parsed import (
    SECTION_KINDS,
    TASK_STYLES,
    ParsedPlan,
    ParsedSection,
    ParsedTask,
)
from app.documents.plan_text import plan_to_text

__all__ = [
    "SECTION_KINDS",
    "TASK_STYLES",
    "ImportFileError",
    "ParsedPlan",
    "ParsedSection",
    "ParsedTask",
    "join_wrapped_lines",
    "parse_plan",
    "plan_to_text",
    "read_upload",
]

_CLOSING_RE = re.compile(r"(?:Trên đây|TRÊN ĐÂY)\b")
_YEAR_IN_TITLE_RE = re.compile(r"\bnăm\s+(\d{4})\b", re.IGNORECASE)


def parse_plan(text: str) -> ParsedPlan:
    """Parse the text of a plan (see the module docstring)."""
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).splitlines()]
    plan = ParsedPlan()
    heading = find_heading(lines)
    if heading is not None:
        heading_at, match = heading
        plan.heading, plan.title = match["heading"], match["rest"]
        body_from = heading_at + 1
    else:
        heading_at = body_from = header_end(lines)
    tail_at = find_tail(lines, body_from)
    read_header(lines[:heading_at], plan)
    paragraphs = [p for p in join_wrapped_lines("\n".join(lines[body_from:tail_at])) if not is_separator(p)]
    _read_content(paragraphs, plan)
    read_tail(lines[tail_at:], plan)
    if plan.year is None and (found := _YEAR_IN_TITLE_RE.search(plan.title)):
        plan.year = int(found.group(1))
    return plan


# --- title, legal bases, preamble, body, closing ---------------------------------------------------


def _read_content(paragraphs: list[str], plan: ParsedPlan) -> None:
    """Title, legal bases, preamble, sections and closing from the paragraphs between the
    heading and the signature block."""
    if not plan.title and paragraphs and _is_title(paragraphs[0]):
        plan.title = paragraphs.pop(0)
    while is_capitals(plan.title) and paragraphs and is_capitals(paragraphs[0]) and _is_title(paragraphs[0]):
        plan.title += " " + paragraphs.pop(0)  # a title in capitals set over two lines
    body_at = next((i for i, p in enumerate(paragraphs) if _opens_body(p)), None)
    closing_at = _closing_start(paragraphs, body_at or 0)
    plan.closing = "\n".join(paragraphs[closing_at:])
    front = paragraphs[:body_at] if body_at is not None else paragraphs[:closing_at]
    body = paragraphs[body_at:closing_at] if body_at is not None else []
    preamble = _read_front(front, plan)
    if body_at is None:
        preamble = _read_unnumbered(preamble, plan)
    else:
        plan.sections = [_top_section(node) for node in _outline(body).children]
    plan.preamble = "\n".join(preamble)


def _read_unnumbered(paragraphs: list[str], plan: ParsedPlan) -> list[str]:
    """A plan without numbered parts: the preamble runs to its "… như sau:" line (and past
    any "Căn cứ"); the rest is one contents section. Returns the preamble's paragraphs."""
    cut = next((i + 1 for i, p in enumerate(paragraphs[:2]) if p.endswith(":")), 0)
    cut = max([cut] + [i + 1 for i, p in enumerate(paragraphs) if is_legal_basis(p)])
    if paragraphs[cut:]:
        section = ParsedSection(number="", kind="contents")
        _fill(section, _outline(paragraphs[cut:]).children)
        plan.sections.append(section)
    return paragraphs[:cut]


def _is_title(paragraph: str) -> bool:
    marker = classify(paragraph)
    plain = marker is None or marker.kind == "caps"
    return plain and not is_legal_basis(paragraph) and not paragraph.endswith(":")


def _opens_body(paragraph: str) -> bool:
    marker = classify(paragraph)
    return marker is not None and not marker.is_bullet


def _closing_start(paragraphs: list[str], body_at: int) -> int:
    """The closing: from "Trên đây …", else a last plain paragraph ending with "./"."""
    for index in range(body_at, len(paragraphs)):
        if _CLOSING_RE.match(paragraphs[index]):
            return index
    last = len(paragraphs) - 1
    if last >= body_at and paragraphs and classify(paragraphs[last]) is None and paragraphs[last].endswith(("./", "/.")):
        return last
    return len(paragraphs)


def _read_front(paragraphs: list[str], plan: ParsedPlan) -> list[str]:
    """Legal bases into `plan.legal_bases`; returns the preamble's paragraphs."""
    preamble = []
    for paragraph in paragraphs:
        bases, runs_on = legal_bases_of(paragraph)
        if not bases:
            preamble.append(paragraph)
            continue
        plan.legal_bases.extend(bases)
        if runs_on:
            preamble.append(paragraph)
    return preamble


# --- body: nesting by markers ------------------------------------------------------------------------


@dataclass
class _Node:
    marker: Marker | None
    text: str
    children: list[_Node] = field(default_factory=list)

    @property
    def is_bullet(self) -> bool:
        return self.marker is not None and self.marker.is_bullet

    @property
    def is_item(self) -> bool:
        return self.marker is not None and not self.marker.is_bullet


def _outline(paragraphs: list[str]) -> _Node:
    """Paragraphs nested by their markers: a marker kind seen before closes the blocks opened
    since; a new kind nests under the open block. Bullets nest under the innermost numbered
    item (a different bullet under a bullet is a sub-bullet); plain paragraphs belong to the
    innermost numbered item."""
    root = _Node(None, "")
    stack: list[_Node] = []
    for paragraph in paragraphs:
        marker = classify(paragraph)
        if marker is None or not marker.is_bullet:
            while stack and stack[-1].is_bullet:
                stack.pop()
        if marker is None:
            (stack[-1] if stack else root).children.append(_Node(None, paragraph))
            continue
        keys = [node.marker.key for node in stack if node.marker is not None]
        if marker.key in keys:
            del stack[keys.index(marker.key):]
        node = _Node(marker, marker.text)
        (stack[-1] if stack else root).children.append(node)
        stack.append(node)
    return root


# --- body: sections and tasks --------------------------------------------------------------------------


def _kind_of(title: str, *, top: bool) -> str | None:
    letters = letters_only(title)
    if top:
        if letters.startswith(("mụcđích", "yêucầu")):
            return "purpose"
        if letters.startswith(("tổchứcthựchiện", "phâncông")):
            return "organisation"
        return None
    if letters in ("mụcđích", "yêucầu", "mụcđíchyêucầu", "mụcđíchvàyêucầu"):
        return "purpose"
    if letters == "tổchứcthựchiện":
        return "organisation"
    return None


def _title_and_rest(text: str) -> tuple[str, str]:
    sentences = split_sentences(text)
    return (sentences[0], " ".join(sentences[1:])) if sentences else ("", "")


def _top_section(node: _Node) -> ParsedSection:
    assert node.marker is not None
    title, rest = _title_and_rest(node.text)
    section = ParsedSection(number=node.marker.number, title=title, kind=_kind_of(title, top=True) or "contents")
    children = ([_Node(None, rest)] if rest else []) + node.children
    _fill(section, children)
    return section


def _fill(section: ParsedSection, nodes: list[_Node]) -> None:
    """Put `nodes` (what is under a section) into the section as body, tasks or sub-sections."""
    for node in nodes:
        if node.is_item:
            _item(section, node)
        elif section.kind == "purpose":
            _add_body(section, *_lines_of(node))
        elif node.is_bullet:
            assert node.marker is not None
            section.tasks.append(ParsedTask(_bullet_text(node), "bullet", node.marker.number))
        else:
            section.tasks.extend(ParsedTask(sentence) for sentence in split_sentences(node.text))


def _item(parent: ParsedSection, node: _Node) -> None:
    assert node.marker is not None
    number = node.marker.number
    kind = _kind_of(node.text, top=False) or parent.kind
    if kind == "purpose":
        if node.children and _is_heading(node.text):
            child = ParsedSection(number=number, title=node.text, kind=kind)
        else:
            child = ParsedSection(number=number, body=node.text, kind=kind)
        _fill(child, node.children)
        parent.children.append(child)
    elif node.children or node.marker.kind == "caps":
        title, rest = _title_and_rest(node.text)
        child = ParsedSection(number=number, title=title, kind=kind)
        _fill(child, ([_Node(None, rest)] if rest else []) + node.children)
        parent.children.append(child)
    else:
        parent.tasks.append(ParsedTask(node.text, "numbered", number))


def _is_heading(text: str) -> bool:
    """A short heading ("Mục đích", "Yêu cầu:") rather than a sentence."""
    return len(split_sentences(text)) == 1 and not text.endswith((".", ";")) and len(text.split()) <= 15


def _add_body(section: ParsedSection, *lines: str) -> None:
    section.body = "\n".join([section.body, *lines]) if section.body else "\n".join(lines)


def _lines_of(node: _Node) -> list[str]:
    """A paragraph or a bullet (with its sub-bullets) as body lines."""
    if node.marker is None:
        return [node.text]
    lines = [f"{node.marker.number} {node.text}"]
    for child in node.children:
        lines.extend(_lines_of(child))
    return lines


def _bullet_text(node: _Node) -> str:
    """A bullet's text, its sub-bullets on lines of their own ("…:\n+ …")."""
    lines = [node.text]
    for child in node.children:
        lines.extend(_lines_of(child))
    return "\n".join(lines)
