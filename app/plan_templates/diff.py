"""How a ward's plan departs from the template revision it follows: tasks added, removed, changed.

For one ward the difference is listed task by task; for all wards below a unit it is counted per
ward in a fixed number of queries (templates, plans, their tasks, units, proposals) whatever the
number of wards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Plan, PlanProposal, Task, Unit
from app.models.unit import tenant_units_below, year_span
from app.plan_templates.changes import same_words, ward_substitution


@dataclass
class TaskDifference:
    kind: str  # "added" | "removed" | "changed"
    ward: Task | None
    template: Task | None
    template_text: str = ""  # the template's words with the ward's names


@dataclass
class PlanDifference:
    plan: Plan
    template: Plan
    items: list[TaskDifference] = field(default_factory=list)
    same: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def removed(self) -> int:
        return self.count("removed")

    @property
    def changed(self) -> int:
        return self.count("changed")


def compare(session: Session, plan: Plan, template: Plan, ward_tasks: list[Task], template_tasks: list[Task]) -> PlanDifference:
    """The difference of `plan` (its tasks) against `template` (its tasks), task by task."""
    sub = ward_substitution(session, template, plan)
    difference = PlanDifference(plan, template)
    by_template_task = {t.template_task_id: t for t in ward_tasks if t.template_task_id}
    template_ids = {t.id for t in template_tasks}
    for original in template_tasks:
        ward = by_template_task.get(original.id)
        words = sub(original.text)
        if ward is None:
            difference.items.append(TaskDifference("removed", None, original, words))
        elif not same_words(ward.text, words) or (ward.owner_role, ward.schedule) != (original.owner_role, original.schedule):
            difference.items.append(TaskDifference("changed", ward, original, words))
        else:
            difference.same += 1
    difference.items += [
        TaskDifference("added", task, None) for task in ward_tasks if task.template_task_id not in template_ids
    ]
    return difference


def _tasks_by_plan(session: Session, plan_ids: list[int]) -> dict[int, list[Task]]:
    grouped: dict[int, list[Task]] = defaultdict(list)
    for task in session.scalars(
        select(Task).where(Task.plan_id.in_(plan_ids)).order_by(Task.plan_id, Task.section_id, Task.position, Task.id)
    ):
        grouped[task.plan_id].append(task)
    return grouped


def plan_difference(session: Session, plan: Plan) -> PlanDifference | None:
    """One ward plan against the template revision it follows (None if it follows none visible)."""
    template = session.get(Plan, plan.template_id) if plan.template_id else None
    if template is None:
        return None
    tasks = _tasks_by_plan(session, [plan.id, template.id])
    return compare(session, plan, template, tasks[plan.id], tasks[template.id])


@dataclass
class WardRow:
    unit: Unit
    plan: Plan | None
    difference: PlanDifference | None
    proposal: PlanProposal | None  # the latest proposal made to this ward for this template


def wards_difference(session: Session, parent: Unit, template: Plan) -> list[WardRow]:
    """Every ward below `parent`: its plan of the template's year and code, and how it departs."""
    wards = tenant_units_below(session, parent, during=year_span(template.year))
    revisions = {
        r.id: r
        for r in session.scalars(
            select(Plan).where(Plan.is_template.is_(True), Plan.code == template.code, Plan.unit_id == template.unit_id)
        )
    }
    plans = {
        p.unit_id: p
        for p in session.scalars(
            select(Plan).where(
                Plan.is_template.is_(False),
                Plan.unit_id.in_([w.id for w in wards]),
                Plan.year == template.year,  # a plan of another year copied from it is that year's business
                Plan.template_id.in_(revisions),
            )
        )
    }
    tasks = _tasks_by_plan(session, [*revisions, *(p.id for p in plans.values())])
    proposals: dict[int, PlanProposal] = {}
    for proposal in session.scalars(
        select(PlanProposal)
        .where(PlanProposal.template_id.in_(revisions), PlanProposal.plan_id.in_([p.id for p in plans.values()]))
        .order_by(PlanProposal.to_revision, PlanProposal.id)
    ):
        proposals[proposal.unit_id] = proposal
    rows = []
    for ward in wards:
        plan = plans.get(ward.id)
        difference = None
        if plan is not None and plan.template_id in revisions:
            original = revisions[plan.template_id]
            difference = compare(session, plan, original, tasks[plan.id], tasks[original.id])
        rows.append(WardRow(ward, plan, difference, proposals.get(ward.id)))
    return rows


@dataclass
class TaskAcrossWards:
    """One template task and the wards whose plans changed or removed it."""

    task: Task
    changed: list[Unit] = field(default_factory=list)
    removed: list[Unit] = field(default_factory=list)


def across_wards(rows: list[WardRow]) -> list[TaskAcrossWards]:
    """The template tasks wards departed from, most departed first (from rows already computed)."""
    found: dict[int, TaskAcrossWards] = {}
    for row in rows:
        for item in row.difference.items if row.difference else []:
            if item.template is None:
                continue
            entry = found.setdefault(item.template.id, TaskAcrossWards(item.template))
            (entry.changed if item.kind == "changed" else entry.removed).append(row.unit)
    return sorted(found.values(), key=lambda e: (-(len(e.changed) + len(e.removed)), e.task.section_id, e.task.position))
