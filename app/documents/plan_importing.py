"""An imported plan (parsed from a Word or text file) stored as a new draft plan or template.

A ward's imported plan follows the newest template visible to it: each imported task that says
the same as a template task (after the ward's names are put in) is linked to it and takes its
owner and schedule, so the difference view and the indicators work as for a copied plan. Other
tasks get an owner and a schedule guessed from their words, which the ward can correct.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import name_action
from app.documents.plan_import import ParsedPlan, ParsedSection, ParsedTask
from app.documents.plan_lines import roman
from app.models import Plan, PlanSection, PlanStatus, Role, Schedule, Task, Unit
from app.plans.errors import PlanError, PlanExists
from app.plans.instantiate import copy_indicators, latest_template, name_substitution
from app.plans.outline import iter_nodes, plan_outline
from app.plans.services import find_plan, issue_date_error

_YEAR_IN_TITLE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
SAME_TASK = 0.85  # SequenceMatcher ratio from which an imported task is the template's task

_OWNER_WORDS: list[tuple[Role, tuple[str, ...]]] = [
    (Role.CULTURE, ("văn hóa", "văn hoá", "tuyên truyền", "đăng tin", "dân vận khéo")),
    (Role.CHAIRMAN, ("chủ tịch", "đối thoại", "tiếp công dân", "người đứng đầu")),
]
_SCHEDULE_WORDS: list[tuple[Schedule, tuple[str, ...]]] = [
    (Schedule.MONTHLY, ("hằng tháng", "hàng tháng", "mỗi tháng")),
    (Schedule.QUARTERLY, ("hằng quý", "hàng quý", "mỗi quý")),
    (Schedule.ONCE, ("sơ kết", "tổng kết", "xây dựng kế hoạch")),
]


def guess_owner(text: str) -> Role:
    lowered = text.lower()
    return next((role for role, words in _OWNER_WORDS if any(w in lowered for w in words)), Role.OFFICE)


def guess_schedule(text: str) -> Schedule:
    lowered = text.lower()
    return next((s for s, words in _SCHEDULE_WORDS if any(w in lowered for w in words)), Schedule.ONGOING)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().lower()


@dataclass
class Match:
    """An imported task and the template task it was recognised as (if any)."""

    text: str
    style: str
    owner_role: Role
    schedule: Schedule
    template_task: Task | None = None


@dataclass
class Preview:
    parsed: ParsedPlan
    template: Plan | None
    matches: dict[int, Match] = field(default_factory=dict)  # id(ParsedTask) → match
    keys: set[str] = field(default_factory=set)  # template task keys given while storing
    year: int = 0
    corrected: list[tuple[str, str]] = field(default_factory=list)  # (as written, as the plan has it)

    @property
    def title_years(self) -> list[int]:
        """The years the plan's title names when none is the year it is imported for ("… năm 2025" for
        a 2026 plan): the preview warns of them."""
        named = sorted({int(y) for y in _YEAR_IN_TITLE.findall(self.parsed.title)})
        return [] if not named or self.year in named else named

    @property
    def number(self) -> str | None:
        """The file's "Số: …", carried into a ward's draft (the issue form starts with it)."""
        return self.parsed.number

    @property
    def issued_on(self) -> date | None:
        """The file's date of issue, carried into a ward's draft when it can be the date of a plan of
        the year imported for."""
        issued = self.parsed.issued_on
        return issued if issued is not None and issue_date_error(self.year, issued) is None else None

    @property
    def recognised(self) -> int:
        return sum(1 for m in self.matches.values() if m.template_task is not None)

    def match(self, task: object) -> Match:
        return self.matches[id(task)]


def fit_columns(parsed: ParsedPlan) -> None:
    """Move what is too long for its column where nothing is lost: a long section number into its
    title, a long heading into the title, a long signer line to the lines the user must place."""
    number_size = PlanSection.number.type.length or 20
    for section in _walk(parsed.sections):
        if len(section.number) > number_size:
            section.title = f"{section.number}. {section.title}".strip()
            section.number = ""
    if len(parsed.heading) > (Plan.heading.type.length or 120):
        parsed.title, parsed.heading = f"{parsed.heading} {parsed.title}".strip(), "KẾ HOẠCH"
    if parsed.number and len(parsed.number) > (Plan.number.type.length or 40):
        parsed.unplaced.append(f"Số: {parsed.number}")
        parsed.number = None
    for name in ("signer_title", "signer_name"):
        if len(getattr(parsed, name)) > (getattr(Plan, name).type.length or 120):
            parsed.unplaced.append(getattr(parsed, name))
            setattr(parsed, name, "")


def preview(session: Session, unit: Unit, parsed: ParsedPlan, year: int,
            corrections: Iterable[tuple[str, str]] = ()) -> Preview:
    """What would be created, each task matched to the newest template visible if it can be (a new
    template then keeps the task keys of the old one, so wards stay comparable). Parts are numbered by
    position and the known slips of the built-in templates' sources (`corrections`: as written, as it
    should be) corrected, as the templates do; the preview says what was changed."""
    fit_columns(parsed)
    template = latest_template(session, year, unit)
    result = Preview(parsed, template, year=year)
    result.corrected = number_by_position(parsed) + correct_known_slips(parsed, corrections)
    candidates: list[_Candidate] = []
    if template is not None:
        source = session.get(Unit, template.source_unit_id) if template.source_unit_id else None
        # A ward's text has its own names; a template's is compared as it is.
        sub = name_substitution(source, unit, template.year, year) if unit.is_tenant else (lambda text: text)
        for node in iter_nodes(plan_outline(session, template)):
            candidates += [_Candidate.of(_words(sub(t.text)), t) for t in node.tasks]
    matcher = _TemplateMatcher(candidates)
    for section in _walk(parsed.sections):
        for task in section.tasks:
            found = matcher.best(_words(task.text))
            if found is not None:
                result.matches[id(task)] = Match(task.text, style_of(task), found.owner_role, found.schedule, found)
            else:
                result.matches[id(task)] = Match(task.text, style_of(task), guess_owner(task.text), guess_schedule(task.text))
    return result


def number_by_position(parsed: ParsedPlan) -> list[tuple[str, str]]:
    """Number the parts I, II, III… by position where the text skips one ("I, II, IV"): the changes."""
    expected_numbers = [roman(position) for position in range(1, len(parsed.sections) + 1)]
    known = {roman(position) for position in range(1, 40)}
    if not parsed.sections or any(section.number not in known for section in parsed.sections):
        return []
    changed = []
    for section, expected in zip(parsed.sections, expected_numbers, strict=True):
        if section.number != expected:
            changed.append((f"{section.number}. {section.title}".strip(), f"{expected}. {section.title}".strip()))
            section.number = expected
    return changed


def correct_known_slips(parsed: ParsedPlan, corrections: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Make the known corrections in every text of the plan: the ones made."""
    made: list[tuple[str, str]] = []

    def fix(text: str) -> str:
        for wrong, right in corrections:
            if wrong in text and right not in text:
                text = text.replace(wrong, right)
                if (wrong, right) not in made:
                    made.append((wrong, right))
        return text

    parsed.title, parsed.preamble, parsed.closing = fix(parsed.title), fix(parsed.preamble), fix(parsed.closing)
    for section in _walk(parsed.sections):
        section.title, section.body = fix(section.title), fix(section.body)
        for task in section.tasks:
            task.text = fix(task.text)
    return made


def style_of(task: ParsedTask) -> str:
    """A numbered item marked with a letter ("a)", "b.") is kept lettered."""
    return "lettered" if task.style == "numbered" and task.marker.isalpha() else task.style


def _walk(sections: list[ParsedSection]) -> Iterator[ParsedSection]:
    for section in sections:
        yield section
        yield from _walk(section.children)


_BUCKETS = 64


def _letter_counts(words: str) -> tuple[int, ...]:
    """How many characters of `words` fall in each of 64 buckets (by code point): the characters
    two texts share are at most the sum of the smaller count of each bucket."""
    counts = [0] * _BUCKETS
    for character, count in Counter(words).items():
        counts[ord(character) % _BUCKETS] += count
    return tuple(counts)


@dataclass(frozen=True)
class _Candidate:
    """A template task as compared: its words, and their characters counted."""

    words: str
    letters: tuple[int, ...]
    task: Task

    @classmethod
    def of(cls, words: str, task: Task) -> _Candidate:
        return cls(words, _letter_counts(words), task)


class _TemplateMatcher:
    """Each imported task's template task: the same words, else the most like it (SequenceMatcher's
    ratio at least SAME_TASK), each template task taken once.

    Bounds of the ratio are tried from the cheapest (the lengths alone, then the characters in
    common), so a text is compared letter by letter only with tasks it may match. The work has a
    ceiling: MAX_CHECKS pairs looked at and MAX_COMPARISONS compared letter by letter, where a real
    plan (a few hundred tasks against a template's hundred) stays far below, while a file of
    thousands of look-alike paragraphs would take minutes. Past it, only the same words match."""

    MAX_CHECKS = 20_000
    MAX_COMPARISONS = 2_000

    def __init__(self, candidates: list[_Candidate]) -> None:
        self.candidates = candidates
        self.exact = {c.words: c for c in reversed(candidates)}  # the first of equal texts
        self.taken: set[int] = set()
        self.checks = self.comparisons = 0

    def best(self, words: str) -> Task | None:
        exact = self.exact.get(words)
        found = exact.task if exact is not None and exact.task.id not in self.taken else self._most_like(words)
        if found is not None:
            self.taken.add(found.id)
        return found

    def _most_like(self, words: str) -> Task | None:
        if self.checks >= self.MAX_CHECKS or self.comparisons >= self.MAX_COMPARISONS:
            return None
        self.checks += len(self.candidates)
        best, score = None, SAME_TASK
        letters: tuple[int, ...] | None = None
        matcher: SequenceMatcher[str] | None = None
        for candidate in self.candidates:
            if candidate.task.id in self.taken:
                continue
            total = len(candidate.words) + len(words)
            if not total or 2 * min(len(candidate.words), len(words)) < score * total:
                continue
            letters = letters or _letter_counts(words)
            if 2 * sum(map(min, candidate.letters, letters)) < score * total:
                continue
            if matcher is None:
                matcher = SequenceMatcher(None, "", words, autojunk=False)  # `words` indexed once
            matcher.set_seq1(candidate.words)
            self.comparisons += 1
            if (ratio := matcher.ratio()) >= score:
                best, score = candidate.task, ratio
        return best


def create(session: Session, unit: Unit, result: Preview, year: int, *, as_template: bool) -> Plan:
    """Store the previewed plan as a new draft: the ward's plan for `year`, or a template of `unit`."""
    parsed = result.parsed
    if not parsed.sections:
        raise PlanError(_l("Không tìm thấy mục hoặc nhiệm vụ nào trong văn bản. Vui lòng kiểm tra lại nội dung."))
    if not as_template and find_plan(session, unit, year) is not None:
        raise PlanExists(_l("Đơn vị đã có kế hoạch năm %(year)s.", year=year))
    template = None if as_template else result.template
    plan = Plan(
        unit_id=unit.id,
        is_template=as_template,
        year=year,
        heading=parsed.heading or "KẾ HOẠCH",
        title=parsed.title or str(_l("Kế hoạch năm %(year)s", year=year)),
        preamble=parsed.preamble,
        legal_bases=list(parsed.legal_bases),
        closing=parsed.closing,
        recipients=list(parsed.recipients),
        signer_title=parsed.signer_title or "CHỦ TỊCH",
        signer_name=parsed.signer_name,
        status=PlanStatus.DRAFT,
        number=None if as_template else result.number,
        issued_on=None if as_template else result.issued_on,
        template_id=template.id if template else None,
        template_revision=template.revision if template else None,
    )
    if as_template:
        plan.code = _template_code(session, unit, year)
        plan.name = plan.title
        plan.source_unit_id = None
    session.add(plan)
    session.flush()
    _store(session, plan, None, parsed.sections, result, "")
    if template is not None:
        copy_indicators(session, template, plan)
    name_action(session, plan, "plan.import")
    session.flush()
    return plan


def _template_code(session: Session, unit: Unit, year: int) -> str:
    """`nhap-bim-son-2025-3`: the publisher's own series, one past the highest number it has used."""
    prefix = f"nhap-{unit.slug}-{year}-"
    used = session.scalars(select(Plan.code).where(Plan.is_template.is_(True), Plan.code.like(f"{prefix}%")))
    numbers = [int(code[len(prefix):]) for code in used if code and code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _store(
    session: Session, plan: Plan, parent: PlanSection | None, sections: list[ParsedSection], result: Preview, prefix: str
) -> None:
    for position, item in enumerate(sections, start=1):
        path = prefix + (item.number or str(position))
        section = PlanSection(
            unit_id=plan.unit_id, is_template=plan.is_template, plan_id=plan.id,
            parent_id=parent.id if parent else None, position=position, number=item.number,
            title=item.title, body=item.body, kind=item.kind,
        )
        session.add(section)
        session.flush()
        for index, task in enumerate(item.tasks, start=1):
            match = result.match(task)
            original = match.template_task
            if original is not None and not plan.is_template and section.template_section_id is None:
                section.template_section_id = original.section_id
            key = original.key if original is not None else (f"{path}.{index}" if plan.is_template else None)
            if key is not None and key in result.keys:
                key = f"{path}.{index}.{len(result.keys)}"
            if key is not None:
                result.keys.add(key)
            session.add(Task(
                unit_id=plan.unit_id, is_template=plan.is_template, plan_id=plan.id, section_id=section.id,
                position=index, style=match.style, text=task.text, owner_role=match.owner_role,
                schedule=match.schedule, key=key,
                template_task_id=original.id if original is not None and not plan.is_template else None,
            ))
        session.flush()
        _store(session, plan, section, item.children, result, path + ".")
