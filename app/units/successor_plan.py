"""The plan of a unit made by a merge, for the rest of the year, from the plans of the units merged
into it: their tasks side by side, the same task of several plans on one row (by the template task it
came from, else by its words), and the person picks which to keep.

Read and written under a scope that reaches the successor and its predecessors (the caller checks
that the person may create the successor's plan, and passes only the units merged into it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Plan, PlanSection, Task, Unit
from app.plans.instantiate import copy_indicators, document_words, name_substitution
from app.plans.outline import SectionNode, iter_nodes, plan_outline
from app.search import fold
from app.service_errors import ServiceError


class SuccessorPlanError(ServiceError):
    """The plan cannot be made as asked; the message says why."""


def _task_key(task: Task) -> Hashable:
    return ("template", task.template_task_id) if task.template_task_id else ("words", fold(task.text))


def _section_key(section: PlanSection) -> Hashable:
    if section.template_section_id:
        return ("template", section.template_section_id)
    return ("words", section.number, fold(section.title))


@dataclass
class TaskRow:
    """One task as the merged plans have it: each predecessor's version (if it has one)."""

    key: Hashable
    section: Hashable
    heading: str  # the section it sits in, "II.1 Tuyên truyền …"
    tasks: dict[int, Task] = field(default_factory=dict)  # predecessor unit id → its task

    @property
    def choice_id(self) -> str:
        """The row's name in the form: the same in every process (unlike `hash`)."""
        return hashlib.sha1(repr(self.key).encode()).hexdigest()[:12]


@dataclass
class MergedPlans:
    successor: Unit
    year: int
    units: list[Unit]  # the predecessors with a plan for the year
    plans: dict[int, Plan]
    rows: list[TaskRow]

    def default_picks(self) -> dict[str, str]:
        """Row → "unit:task" of the version kept unless the person says otherwise: the first plan's."""
        picks = {}
        for row in self.rows:
            unit_id = next(u.id for u in self.units if u.id in row.tasks)
            picks[row.choice_id] = f"{unit_id}:{row.tasks[unit_id].id}"
        return picks


def merged_plans(session: Session, successor: Unit, predecessors: list[Unit], year: int) -> MergedPlans:
    """The predecessors' plans of `year` and their tasks, matched row by row (in the first plan's order,
    then what only the others have)."""
    plans = {p.unit_id: p for p in session.scalars(select(Plan).where(
        Plan.unit_id.in_([u.id for u in predecessors]), Plan.year == year, Plan.is_template.is_(False)))}
    units = [u for u in predecessors if u.id in plans]
    rows: dict[Hashable, TaskRow] = {}
    for unit in units:
        for node in iter_nodes(plan_outline(session, plans[unit.id])):
            heading = f"{node.section.number} {node.section.title}".strip()
            for task in node.tasks:
                key = _task_key(task)
                row = rows.setdefault(key, TaskRow(key, _section_key(node.section), heading))
                row.tasks.setdefault(unit.id, task)
    return MergedPlans(successor, year, units, plans, list(rows.values()))


def create_from_merged(session: Session, merged: MergedPlans, base_unit_id: int, picks: dict[str, str]) -> Plan:
    """The successor's draft plan of the year: the document words and sections of the plan of
    `base_unit_id`, with the task versions `picks` names (row → "unit:task", "" for none), each in its
    section (a section only another plan has goes at the end)."""
    if session.scalar(select(Plan.id).where(Plan.unit_id == merged.successor.id, Plan.year == merged.year,
                                            Plan.is_template.is_(False))) is not None:
        raise SuccessorPlanError(_l("Đơn vị đã có kế hoạch năm %(year)s.", year=merged.year))
    base = merged.plans.get(base_unit_id)
    if base is None:
        raise SuccessorPlanError(_l("Chọn kế hoạch làm khung trong số kế hoạch của các đơn vị đã sáp nhập."))
    chosen: dict[Hashable, list[tuple[Unit, Task]]] = {}
    units = {u.id: u for u in merged.units}
    for row in merged.rows:
        pick = picks.get(row.choice_id, "")
        unit_id, _, task_id = pick.partition(":")
        task = row.tasks.get(int(unit_id)) if unit_id.isdigit() else None
        if task is not None and str(task.id) == task_id:
            chosen.setdefault(row.section, []).append((units[int(unit_id)], task))
    base_unit = units[base_unit_id]
    plan = Plan(unit_id=merged.successor.id, year=merged.year, is_template=False, template_id=base.template_id,
                template_revision=base.template_revision,
                **document_words(base, name_substitution(base_unit, merged.successor, base.year, merged.year)))
    session.add(plan)
    session.flush()
    placed: set[Hashable] = set()
    _copy(session, plan_outline(session, base), plan, None, chosen, placed, merged.successor)
    extra = [key for key in chosen if key not in placed]
    if extra:
        tail = PlanSection(unit_id=plan.unit_id, plan_id=plan.id, position=1000, number="",
                           title=str(_l("Nhiệm vụ khác từ kế hoạch của các đơn vị đã sáp nhập")), kind="contents")
        session.add(tail)
        session.flush()
        _add_tasks(session, plan, tail, [item for key in extra for item in chosen[key]], merged.successor)
    copy_indicators(session, base, plan, name_substitution(base_unit, merged.successor, base.year, merged.year))
    session.flush()
    return plan


def _copy(session: Session, nodes: list[SectionNode], plan: Plan, parent: PlanSection | None,
          chosen: dict[Hashable, list[tuple[Unit, Task]]], placed: set[Hashable], successor: Unit) -> None:
    for node in nodes:
        source = node.section
        key = _section_key(source)
        section = PlanSection(unit_id=plan.unit_id, plan_id=plan.id, parent_id=parent.id if parent else None,
                              position=source.position, number=source.number, title=source.title, body=source.body,
                              kind=source.kind, template_section_id=source.template_section_id)
        session.add(section)
        session.flush()
        _add_tasks(session, plan, section, chosen.get(key, []), successor)
        placed.add(key)
        _copy(session, node.children, plan, section, chosen, placed, successor)


def _add_tasks(session: Session, plan: Plan, section: PlanSection, items: list[tuple[Unit, Task]],
               successor: Unit) -> None:
    for position, (unit, task) in enumerate(items, start=1):
        sub = name_substitution(unit, successor, plan.year, plan.year)
        session.add(Task(unit_id=plan.unit_id, plan_id=plan.id, section_id=section.id, position=position,
                         key=task.key, style=task.style, text=sub(task.text), owner_role=task.owner_role,
                         schedule=task.schedule, template_task_id=task.template_task_id))
    session.flush()
