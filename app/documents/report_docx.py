"""A periodic report as a Word file in the format of Nghị định 30/2020/NĐ-CP (DESIGN §6): "BÁO
CÁO" and its subject, the results with a table of the indicator values the report page shows,
strengths and shortcomings, direction, proposals; "DỰ THẢO" at the top until it is sent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Length, Mm
from flask_babel import force_locale

from app.documents.nd30 import (
    TEXT_WIDTH,
    Letterhead,
    Signature,
    body,
    data_table,
    lines,
    nd30_docx,
    number_line,
    place_and_date,
)
from app.documents.plan_lines import roman
from app.models import Plan, Report, Unit
from app.periods import parse_period
from app.vocabulary import REPORT_SECTIONS, number

INDICATOR_HEADERS = ("STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả")
TARGET_HEADER = "Chỉ tiêu năm"
# Column widths besides the indicator's name, which takes what is left.
STT_WIDTH, UNIT_WIDTH, VALUE_WIDTH = Mm(14), Mm(28), Mm(25)
LEFT, CENTRE = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
_LEADING_TYPE_NAME = re.compile(r"^báo cáo\s+", re.IGNORECASE)

Indicator = Mapping[str, Any]


def report_subject(title: str) -> str:
    """The subject beneath "BÁO CÁO": the title without a leading "Báo cáo", which the type
    name already says ("Báo cáo sơ kết công tác …" → "Sơ kết công tác …")."""
    rest = _LEADING_TYPE_NAME.sub("", title.strip())
    return rest[:1].upper() + rest[1:] if rest else title.strip()


def report_docx(report: Report, plan: Plan | None, unit: Unit, parent: Unit | None,
                indicators: Sequence[Indicator]) -> bytes:
    """The .docx bytes of `report` of `unit` (under `parent`) with the `indicators` its page shows."""
    sent = not report.editable
    letterhead = Letterhead(
        issuer=unit,
        number=number_line(report.number, "BC-UBND"),
        place_date=place_and_date(unit.name, report.sent_on if sent else None, parse_period(report.period).year),
    )
    signature = Signature(
        title="CHỦ TỊCH",
        name=plan.signer_name if plan is not None else "",
        recipients=[f"UBND {parent.kind_word};"] if parent is not None else [],
    )
    with force_locale("vi"):  # a document of the committee: its headings are the page's, in Vietnamese
        sections: list[tuple[str, str, Sequence[Indicator]]] = [
            (str(label).upper(), getattr(report, name), indicators if name == "results" else ())
            for name, label in REPORT_SECTIONS
        ]

    def content(document: DocxDocument) -> None:
        # An empty section is left out; the numbering stays consecutive.
        shown = [(heading, text, rows) for heading, text, rows in sections if lines(text) or rows]
        for position, (heading, text, rows) in enumerate(shown, start=1):
            body(document, f"{roman(position)}. {heading}", bold=True)
            for paragraph in lines(text):
                body(document, paragraph)
            if rows:
                body(document, "Kết quả thực hiện các chỉ tiêu:")
                _indicator_table(document, rows)

    return nd30_docx(letterhead, "BÁO CÁO", report_subject(report.title), content, signature, draft=not sent)


def _indicator_table(document: DocxDocument, indicators: Sequence[Indicator]) -> None:
    """STT, name, unit, value (and the year's target when any indicator has one), as the page shows them."""
    with_target = any(row.get("target") is not None for row in indicators)
    headers = [*INDICATOR_HEADERS, *([TARGET_HEADER] if with_target else [])]
    figures: list[Length] = [VALUE_WIDTH] * (len(headers) - 3)  # the value, and the target
    name_width = Length(TEXT_WIDTH - STT_WIDTH - UNIT_WIDTH - sum(figures))
    rows = []
    for index, row in enumerate(indicators, start=1):
        cells = [str(index), str(row["name"]), str(row.get("unit") or ""), number(row["value"])]
        if with_target:
            cells.append(number(row["target"]) if row.get("target") is not None else "")
        rows.append(cells)
    aligns = [CENTRE, LEFT, CENTRE, *[CENTRE] * len(figures)]
    data_table(document, headers, rows, [STT_WIDTH, name_width, UNIT_WIDTH, *figures], aligns)
