"""A plan as parsed from an imported text: what app.documents.plan_import returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["SECTION_KINDS", "TASK_STYLES", "ParsedPlan", "ParsedSection", "ParsedTask"]

TASK_STYLES = ("paragraph", "bullet", "numbered")
SECTION_KINDS = ("purpose", "contents", "organisation")


@dataclass
class ParsedTask:
    """A task: its text, its style, and the marker it was written with ("1", "a", "-", "+";
    empty for a paragraph)."""

    text: str
    style: str = "paragraph"
    marker: str = ""


@dataclass
class ParsedSection:
    number: str
    title: str = ""
    body: str = ""
    kind: str = "contents"
    tasks: list[ParsedTask] = field(default_factory=list)
    children: list[ParsedSection] = field(default_factory=list)


@dataclass
class ParsedPlan:
    heading: str = ""
    title: str = ""
    preamble: str = ""
    legal_bases: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    closing: str = ""
    recipients: list[str] = field(default_factory=list)
    signer_title: str = ""
    signer_name: str = ""
    number: str | None = None
    issued_on: date | None = None
    place: str | None = None
    year: int | None = None
    unplaced: list[str] = field(default_factory=list)
    issuer: list[str] = field(default_factory=list)  # the header's issuing body, line by line
