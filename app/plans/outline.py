"""A plan's sections and tasks as an ordered tree, read in two queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Plan, PlanSection, Task


@dataclass
class SectionNode:
    section: PlanSection
    children: list[SectionNode] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def plan_outline(session: Session, plan: Plan) -> list[SectionNode]:
    """Top-level sections of `plan`, each with its sub-sections and tasks, in order."""
    sections = session.scalars(
        select(PlanSection).where(PlanSection.plan_id == plan.id).order_by(PlanSection.position, PlanSection.id)
    ).all()
    tasks = session.scalars(
        select(Task).where(Task.plan_id == plan.id).order_by(Task.position, Task.id)
    ).all()
    nodes = {s.id: SectionNode(s) for s in sections}
    for task in tasks:
        nodes[task.section_id].tasks.append(task)
    roots: list[SectionNode] = []
    for section in sections:
        node = nodes[section.id]
        if section.parent_id is None:
            roots.append(node)
        else:
            nodes[section.parent_id].children.append(node)
    return roots


def iter_nodes(nodes: list[SectionNode]) -> Iterator[SectionNode]:
    """Every node of the tree, depth first."""
    for node in nodes:
        yield node
        yield from iter_nodes(node.children)


def task_marker(style: str, number: int) -> str:
    """What stands before a task's words: "- " (bullet), "2. " (numbered), "b) " (lettered), or nothing."""
    if style == "bullet":
        return "- "
    if style == "numbered":
        return f"{number}. "
    if style == "lettered":
        return f"{chr(ord('a') + (number - 1) % 26)}) "
    return ""
