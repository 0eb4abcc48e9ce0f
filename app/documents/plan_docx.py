"""A plan as a Word file (issued, or its draft) in the format of Nghị định 30/2020/NĐ-CP (DESIGN §6): the legal
bases the preamble does not cite yet ("Căn cứ …;"), the preamble, sections, tasks and closing, in
the shared layout of app.documents.nd30."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docx.document import Document as DocxDocument

from app.documents.nd30 import (
    Letterhead,
    Signature,
    body,
    body_name,
    closing_lines,
    lines,
    nd30_docx,
    number_line,
    place_and_date,
)
from app.models import Plan, PlanStatus, Unit
from app.plans.outline import SectionNode, task_marker

__all__ = ["body_name", "citation_number", "cited_in", "legal_basis_lines", "place_and_date", "plan_docx"]

# "số 33/CT-TTg", "số 01"; or, without "số", a number holding a letter ("30/2020/NĐ-CP", not a date).
_AFTER_SO = re.compile(r"\bsố\s+([^\s,;]+)", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\b\d+[-/](?=[^\s,;]*[^\W\d_])[^\s,;]+")


def citation_number(basis: str) -> str | None:
    """The number of the document a legal basis cites ("33/CT-TTg"), None if it has none."""
    match = _AFTER_SO.search(basis)
    if match:
        return match.group(1).rstrip(".")
    match = _BARE_NUMBER.search(basis)
    return match.group(0).rstrip(".") if match else None


def cited_in(basis: str, text: str) -> bool:
    """Does `text` already cite `basis`? By its document number when it has one, else by its words."""
    number = citation_number(basis)
    if number is None:
        return _bare(basis).casefold() in text.casefold()
    return re.search(rf"(?<![\w/.-]){re.escape(number)}(?![\w/-])", text) is not None


def _bare(basis: str) -> str:
    return basis.strip().rstrip(";.").strip()


def legal_basis_lines(legal_bases: Sequence[str], preamble: str) -> list[str]:
    """A "Căn cứ …;" paragraph for each legal basis the preamble does not cite itself."""
    found = []
    for basis in legal_bases:
        text = _bare(basis)
        if text and not cited_in(text, preamble):
            found.append(f"{text};" if text.casefold().startswith("căn cứ") else f"Căn cứ {text};")
    return found


def plan_docx(plan: Plan, outline: list[SectionNode], unit: Unit) -> bytes:
    """The .docx bytes of `plan` issued by `unit`; a plan not issued yet is
    a draft: "DỰ THẢO" at the top, its number and date left blank to fill in once issued."""
    draft = plan.status != PlanStatus.ISSUED
    letterhead = Letterhead(
        issuer=unit,
        number=number_line(None if draft else plan.number, "KH-UBND"),
        place_date=place_and_date(unit.name, None if draft else plan.issued_on, plan.year),
    )
    signature = Signature(title=plan.signer_title or "CHỦ TỊCH", name=plan.signer_name or "",
                          recipients=plan.recipients or [])

    def content(document: DocxDocument) -> None:
        for text in legal_basis_lines(plan.legal_bases or [], plan.preamble or ""):
            body(document, text)
        for text in lines(plan.preamble):
            body(document, text)
        for node in outline:
            _section(document, node)
        for text in closing_lines(plan.closing):
            body(document, text)

    return nd30_docx(letterhead, plan.heading or "KẾ HOẠCH", plan.title, content, signature, draft=draft)


def _section(document: DocxDocument, node: SectionNode) -> None:
    section = node.section
    prefix = f"{section.number}. " if section.number else ""
    if section.title:
        body(document, prefix + section.title, bold=True)
        for text in lines(section.body):
            body(document, text)
    else:
        for index, text in enumerate(lines(section.body)):
            body(document, (prefix if index == 0 else "") + text)
    for number, task in enumerate(node.tasks, start=1):
        body(document, task_marker(task.style, number) + task.text)
    for child in node.children:
        _section(document, child)
