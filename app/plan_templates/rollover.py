"""Next year's plan of a ward: from its current plan or from the new template, with the year's
dates moved on and last year's unfinished tasks flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import name_action
from app.models import Plan, Task, Unit
from app.plan_templates.changes import section_paths
from app.plans.errors import PlanExists
from app.plans.instantiate import copy_indicators, copy_outline, document_words, instantiate, latest_template
from app.plans.outline import plan_outline
from app.plans.services import find_plan, no_template
from app.progress.services import task_summaries

FROM_PLAN = "plan"
FROM_TEMPLATE = "template"

# The date of a cited document never moves: "Chỉ thị số 33/CT-TTg ngày 26/11/2021", "Quyết định
# 2543-QĐ/TU ngày 10/3/2025", "Kế hoạch số 12/KH-UBND ngày 05 tháng 01 năm 2025".
_DOCUMENT = r"(?:số\s+\S+|\d+[\w./-]*[-/][A-ZĐ][\w./-]*)\s+ngày"
_CITED_BEFORE_DATE = re.compile(_DOCUMENT + r"\s*$", re.IGNORECASE)
_CITED_BEFORE_YEAR = re.compile(_DOCUMENT + r"\s+\d{1,2}\s+tháng\s+\d{1,2}\s*$", re.IGNORECASE)


class YearShift:
    """Moves the plan's own dates one year on: "năm 2025", "dd/mm/2025", "tháng 3/2025", "quý I/2025",
    both ends of "01/01/2025 - 31/12/2025"; dates of cited documents and ranges of years such as
    "2021-2025" or "năm 2025-2030" stay. Counts what it moved."""

    def __init__(self, year: int) -> None:
        self.year, self.moved = year, 0
        self._words = re.compile(rf"\b(năm|Năm|NĂM)(\s+){year}\b(?!\s*[-–]\s*\d)")
        self._dates = re.compile(rf"\b(\d{{1,2}})/(\d{{1,2}})/{year}\b")
        self._months = re.compile(rf"\b(tháng|Tháng|quý|Quý)(\s+[0-9IVX]+)/{year}\b")

    def __call__(self, text: str) -> str:
        text = self._words.sub(self._year, text)
        text = self._months.sub(lambda m: self._moved(f"{m[1]}{m[2]}/{self.year + 1}"), text)
        return self._dates.sub(self._date, text)

    def _moved(self, replacement: str) -> str:
        self.moved += 1
        return replacement

    @staticmethod
    def _cited(match: re.Match[str], before: re.Pattern[str]) -> bool:
        return bool(before.search(match.string[max(0, match.start() - 80) : match.start()]))

    def _year(self, match: re.Match[str]) -> str:
        if self._cited(match, _CITED_BEFORE_YEAR):
            return match[0]
        return self._moved(f"{match[1]}{match[2]}{self.year + 1}")

    def _date(self, match: re.Match[str]) -> str:
        if self._cited(match, _CITED_BEFORE_DATE):
            return match[0]
        day, month = int(match[1]), int(match[2])
        try:
            date(self.year, month, day)
        except ValueError:
            return match[0]  # not a date at all
        if (day, month) == (29, 2):
            day = 28  # the next year is not a leap year
        return self._moved(f"{day:0{len(match[1])}d}/{match[2]}/{self.year + 1}")


@dataclass
class Rollover:
    plan: Plan
    carried_over: int  # unfinished tasks of last year flagged in the new plan
    dates_moved: int


def unfinished_task_ids(session: Session, plan: Plan, today: date) -> set[int]:
    """Tasks of `plan` not done by the end of its year (or by today, if the year is not over)."""
    summaries = task_summaries(session, plan, min(today, date(plan.year, 12, 31)))
    tasks = session.scalars(select(Task.id).where(Task.plan_id == plan.id))
    return {task_id for task_id in tasks if not (summaries.get(task_id) and summaries[task_id].done)}


def roll_over(session: Session, plan: Plan, source: str, today: date) -> Rollover:
    """Create the ward's plan for the next year from `plan` (FROM_PLAN) or from the newest template."""
    unit = session.get(Unit, plan.unit_id)
    assert unit is not None
    year = plan.year + 1
    if find_plan(session, unit, year) is not None:
        raise PlanExists(_l("Đơn vị đã có kế hoạch năm %(year)s.", year=year))
    unfinished = unfinished_task_ids(session, plan, today)
    if source == FROM_TEMPLATE:
        template = latest_template(session, year, unit)
        if template is None:
            raise no_template(year)
        new = instantiate(session, template, unit, year)
        carried = _flag_from_template(session, plan, new, unfinished)
        moved = 0
    else:
        new, carried, moved = _copy_plan(session, plan, unit, unfinished)
    name_action(session, new, "plan.rollover")
    session.flush()
    return Rollover(new, carried, moved)


def _copy_plan(session: Session, plan: Plan, unit: Unit, unfinished: set[int]) -> tuple[Plan, int, int]:
    shift = YearShift(plan.year)
    new = Plan(
        unit_id=unit.id, year=plan.year + 1, is_template=False,
        template_id=plan.template_id, template_revision=plan.template_revision,
        signer_name=plan.signer_name, **document_words(plan, shift),
    )
    session.add(new)
    session.flush()
    carried = 0

    def link(source: Task, copy: Task) -> None:
        nonlocal carried
        copy.previous_task_id = source.id
        copy.carried_over = source.id in unfinished
        carried += copy.carried_over

    copy_outline(session, plan_outline(session, plan), new, None, shift, link)
    copy_indicators(session, plan, new, shift)
    return new, carried, shift.moved


def _flag_from_template(session: Session, plan: Plan, new: Plan, unfinished: set[int]) -> int:
    """Link the new plan's tasks to last year's by template key and flag the unfinished ones; an
    unfinished task of the ward's own (not in the template) is carried into the section of the same
    numbers, flagged."""
    old_tasks = session.scalars(select(Task).where(Task.plan_id == plan.id)).all()
    by_key = {t.key: t for t in old_tasks if t.key}
    carried = 0
    taken: set[int] = set()
    for task in session.scalars(select(Task).where(Task.plan_id == new.id)):
        previous = by_key.get(task.key) if task.key else None
        if previous is not None:
            task.previous_task_id, task.carried_over = previous.id, previous.id in unfinished
            carried += task.carried_over
            taken.add(previous.id)
    leftovers = [t for t in old_tasks if t.id in unfinished and t.id not in taken]
    if leftovers:
        old_paths = section_paths(plan_outline(session, plan))
        new_outline = plan_outline(session, new)
        new_by_path = {path: sid for sid, path in section_paths(new_outline).items()}
        fallback = new_outline[-1].section.id if new_outline else None
        for task in leftovers:
            section_id = new_by_path.get(old_paths.get(task.section_id, ""), fallback)
            if section_id is None:
                continue
            last = session.scalar(select(func.max(Task.position)).where(Task.section_id == section_id))
            session.add(Task(
                unit_id=new.unit_id, plan_id=new.id, section_id=section_id, position=(last or 0) + 1,
                style=task.style, text=task.text, owner_role=task.owner_role, schedule=task.schedule,
                previous_task_id=task.id, carried_over=True,
            ))
            session.flush()
            carried += 1
    session.flush()
    return carried

