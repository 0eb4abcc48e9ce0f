"""A parsed plan written back as clean numbered text, one paragraph a line, in the conventions
app.documents.plan_import reads: the preview shows it for the user to correct and parse again
(parse_plan(plan_to_text(plan)) == plan)."""

from __future__ import annotations

from app.documents.plan_lines import legal_bases_of
from app.documents.plan_parsed import ParsedPlan, ParsedSection

__all__ = ["plan_to_text"]


def plan_to_text(plan: ParsedPlan) -> str:
    """The plan as clean numbered text, one paragraph a line; `parse_plan` reads it back."""
    out: list[str] = []
    header = bool(plan.issuer or plan.number or plan.place)
    if plan.heading:
        out.extend(plan.unplaced)
    if header:
        out.extend(plan.issuer)
        out.extend(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"])
        if plan.number:
            out.append(f"Số: {plan.number}")
        if plan.place:
            out.append(_place_date(plan))
        out.append("")
    out.extend(line for line in (plan.heading, plan.title) if line)
    out.append("")
    cited = {basis for paragraph in plan.preamble.splitlines() for basis in legal_bases_of(paragraph)[0]}
    bases = [basis for basis in plan.legal_bases if basis not in cited]
    out.extend(f"Căn cứ {basis}{'.' if index == len(bases) - 1 else ';'}" for index, basis in enumerate(bases))
    out.extend(plan.preamble.splitlines())
    for section in plan.sections:
        out.append("")
        out.extend(_section_lines(section))
    out.append("")
    out.extend(plan.closing.splitlines())
    out.append("")
    if plan.recipients:
        out.append("Nơi nhận:")
        out.extend(f"- {recipient}" for recipient in plan.recipients)
    out.extend(plan.signer_title.splitlines())
    if plan.signer_name:
        out.append(plan.signer_name)
    if not plan.heading:
        out.extend(plan.unplaced)
    return "\n".join(out).strip() + "\n"


def _place_date(plan: ParsedPlan) -> str:
    if plan.issued_on is None:
        return f"{plan.place}, ngày …… tháng …… năm {plan.year}"
    issued = plan.issued_on
    return f"{plan.place}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}"


def _marker(number: str) -> str:
    """How a section or task number is written: "I.", "1.", "1.1.", "a)", "PHẦN I."."""
    if len(number) == 1 and number.islower():
        return f"{number})"
    return f"{number}."


def _section_lines(section: ParsedSection) -> list[str]:
    prefix = f"{_marker(section.number)} " if section.number else ""
    body = section.body.splitlines()
    lines = []
    if section.title:
        lines.append(prefix + section.title)
    elif body:
        lines.append(prefix + body.pop(0))
    elif prefix:
        lines.append(prefix.strip())
    lines.extend(body)
    for task in section.tasks:
        if task.style == "bullet":
            lines.append(f"{task.marker or '-'} {task.text}")
        elif task.style == "numbered":
            lines.append(f"{_marker(task.marker)} {task.text}" if task.marker else task.text)
        else:
            lines.append(task.text)
    for child in section.children:
        lines.extend(_section_lines(child))
    return lines
