"""What a new template revision changes, offered to each ward plan as a proposal it accepts or declines.

Template tasks keep their `key` across revisions, so the difference between two revisions is
computed by key: added, removed, or changed (text, owner, schedule). Ward tasks link to the
template task they were copied from (`template_task_id`); accepting a proposal applies the
difference through those links and moves every link to the new revision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import name_action
from app.local_time import local_today
from app.models import Plan, PlanProposal, PlanSection, ProposalStatus, Role, Schedule, Task, TaskUpdate, Unit
from app.plans.errors import PlanError, PlanLocked
from app.plans.instantiate import copy_indicators, name_substitution
from app.plans.outline import SectionNode, iter_nodes, plan_outline
from app.plans.services import lock_plan
from app.signals import proposal_made
from app.vocabulary import DOCUMENT_LABELS


@dataclass
class Placed:
    """A template task with the numbered path of its section ("II.3")."""

    task: Task
    path: str
    section: PlanSection


def section_paths(nodes: list[SectionNode], prefix: str = "") -> dict[int, str]:
    """Section id → its numbers from the top joined by dots ("II.3"); a section without a number
    counts by position."""
    paths: dict[int, str] = {}
    for node in nodes:
        path = prefix + (node.section.number or f"#{node.section.position}")
        paths[node.section.id] = path
        paths.update(section_paths(node.children, path + "."))
    return paths


def placed_tasks(session: Session, plan: Plan) -> tuple[dict[str, Placed], dict[str, PlanSection]]:
    """The plan's tasks by key (in outline order) and its sections by path."""
    outline = plan_outline(session, plan)
    paths = section_paths(outline)
    tasks: dict[str, Placed] = {}
    sections: dict[str, PlanSection] = {}
    for node in iter_nodes(outline):
        sections[paths[node.section.id]] = node.section
        for task in node.tasks:
            if task.key:
                tasks[task.key] = Placed(task, paths[node.section.id], node.section)
    return tasks, sections


_WORDS = ("text", "old_text", "section_title", "value", "old_value")  # a change's fields in the unit's names


def revision_changes(
    session: Session, old: Plan, new: Plan, sub: Callable[[str], str] = lambda text: text
) -> list[dict[str, Any]]:
    """The tasks `new` adds, removes or changes against `old`, texts passed through `sub`."""
    before, _ = placed_tasks(session, old)
    after, sections = placed_tasks(session, new)
    changes: list[dict[str, Any]] = []
    for key, now in after.items():
        task = now.task
        fields = dict(
            key=key, task_id=task.id, section=now.path, text=sub(task.text),
            owner_role=task.owner_role.value, schedule=task.schedule.value, style=task.style,
        )
        was = before.get(key)
        if was is None:
            parent = now.path.rpartition(".")[0]
            changes.append(dict(
                op="add", section_number=now.section.number, section_title=sub(now.section.title),
                parent_section=parent if parent in sections else "", **fields,
            ))
        elif (was.task.text, was.task.owner_role, was.task.schedule) != (task.text, task.owner_role, task.schedule):
            changes.append(dict(
                op="change", old_task_id=was.task.id, old_text=sub(was.task.text),
                old_owner_role=was.task.owner_role.value, old_schedule=was.task.schedule.value, **fields,
            ))
    for key, was in before.items():
        if key not in after:
            changes.append(dict(op="remove", key=key, old_task_id=was.task.id, section=was.path, text=sub(was.task.text)))
    for name in DOCUMENT_FIELDS:
        was_value, value = getattr(old, name), getattr(new, name)
        if was_value != value:
            changes.append(dict(op="document", field=name, old_value=_words_of(was_value, sub), value=_words_of(value, sub)))
    return changes


# The document's own words a revision may change, offered to the wards like its tasks.
DOCUMENT_FIELDS = ("title", "preamble", "legal_bases", "closing", "recipients")


def _words_of(value: str | list[str], sub: Callable[[str], str]) -> str | list[str]:
    return [sub(item) for item in value] if isinstance(value, list) else sub(value)


def ward_substitution(session: Session, template: Plan, plan: Plan) -> Callable[[str], str]:
    source = session.get(Unit, template.source_unit_id) if template.source_unit_id else None
    unit = session.get(Unit, plan.unit_id)
    assert unit is not None
    return name_substitution(source, unit, template.year, plan.year)


def offer_to_wards(session: Session, template: Plan, actor: str) -> int:
    """A proposal for each ward plan that follows an earlier revision of `template`'s code; an
    older pending proposal of that plan is superseded. Returns how many were made."""
    earlier = {
        r.id: r
        for r in session.scalars(
            select(Plan).where(
                Plan.is_template.is_(True),
                Plan.unit_id == template.unit_id,
                Plan.code == template.code,
                Plan.revision < template.revision,
            )
        )
    }
    if not earlier:
        return 0
    plans = session.scalars(
        select(Plan)
        .where(Plan.is_template.is_(False), Plan.year == template.year, Plan.template_id.in_(earlier))
        .order_by(Plan.unit_id)
    ).all()
    pending = session.scalars(
        select(PlanProposal).where(
            PlanProposal.plan_id.in_([p.id for p in plans]), PlanProposal.status == ProposalStatus.PENDING
        )
    ).all()
    for proposal in pending:
        proposal.status = ProposalStatus.SUPERSEDED
        proposal.decided_by = actor
        proposal.decided_at = datetime.now(UTC)
        name_action(session, proposal, "proposal.supersede")
    # The wards' units in one query, so naming each ward's texts reads none.
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({p.unit_id for p in plans} | {template.source_unit_id})))}
    made = 0
    differences: dict[int, list[dict[str, Any]]] = {}  # computed once per earlier revision, not per ward
    for plan in plans:
        old = earlier[plan.template_id]  # type: ignore[index]
        if old.id not in differences:
            differences[old.id] = revision_changes(session, old, template)
        sub = name_substitution(units.get(template.source_unit_id or 0), units[plan.unit_id], template.year, plan.year)
        changes = [
            {k: _words_of(v, sub) if k in _WORDS else v for k, v in change.items()} for change in differences[old.id]
        ]
        session.add(PlanProposal(
            unit_id=plan.unit_id, plan_id=plan.id, template_id=template.id,
            from_revision=old.revision, to_revision=template.revision, changes=changes,
        ))
        proposal_made.send(plan, session=session, today=local_today())
        made += 1
    session.flush()
    return made


# --- the ward's answer ----------------------------------------------------------------------------


@dataclass
class Outcome:
    applied: int = 0
    kept: list[str] = field(default_factory=list)  # tasks kept because progress was recorded on them
    own: list[str] = field(default_factory=list)  # the ward's own wording, kept instead of the template's
    left: int = 0  # changes the ward chose not to take


def decline(session: Session, proposal: PlanProposal, actor: str) -> None:
    _require_pending(proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.DECLINED, actor, datetime.now(UTC)
    name_action(session, proposal, "proposal.decline")
    session.flush()


def accept(
    session: Session, proposal: PlanProposal, plan: Plan, actor: str, chosen: set[int] | None = None
) -> Outcome:
    """Apply the proposal's changes the ward chose (all, if `chosen` is None) to its draft plan and
    follow the new revision from now on; a change left out is recorded as such and the plan keeps
    its own version of that part (the difference view then shows it)."""
    if chosen is not None and not chosen:
        raise PlanError(_l("Hãy chọn ít nhất một thay đổi để nhận, hoặc bấm Từ chối."))
    lock_plan(session, plan)
    _require_pending(proposal)
    if not plan.editable:
        raise PlanLocked(_l(
            "Kế hoạch đã trình hoặc đã ban hành: Chủ tịch cần trả lại hoặc mở lại kế hoạch trước khi nhận thay đổi của mẫu."
        ))
    if plan.template_revision != proposal.from_revision:
        raise PlanError(_l("Đề xuất này đã cũ: kế hoạch đã theo một bản mẫu khác. Vui lòng tải lại trang."))
    template = session.get(Plan, proposal.template_id)
    old = session.get(Plan, plan.template_id) if plan.template_id else None
    assert template is not None and old is not None
    outcome = Outcome()
    ward_tasks = session.scalars(select(Task).where(Task.plan_id == plan.id)).all()
    linked = {t.template_task_id: t for t in ward_tasks if t.template_task_id}
    answered = []
    for index, change in enumerate(proposal.changes):
        taken = chosen is None or index in chosen
        if taken:
            outcome.applied += _apply(session, plan, change, linked, old, outcome)
        else:
            outcome.left += 1
        answered.append({**change, "taken": taken})
    proposal.changes = answered  # a new list, so the JSON column is written
    _relink(session, plan, old, template)
    plan.template_id, plan.template_revision = template.id, template.revision
    copy_indicators(session, template, plan)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.ACCEPTED, actor, datetime.now(UTC)
    name_action(session, proposal, "proposal.accept")
    session.flush()
    return outcome


def _require_pending(proposal: PlanProposal) -> None:
    if proposal.status != ProposalStatus.PENDING:
        raise PlanError(_l("Đề xuất này đã được trả lời."))


def _apply(
    session: Session, plan: Plan, change: dict[str, Any], linked: dict[int, Task], old: Plan, outcome: Outcome
) -> int:
    op = change["op"]
    if op == "document":
        return _apply_document(plan, change, outcome)
    if op == "add":
        section = _ward_section(session, plan, old, change)
        last = session.scalar(select(func.max(Task.position)).where(Task.section_id == section.id))
        session.add(Task(
            unit_id=plan.unit_id, plan_id=plan.id, section_id=section.id, position=(last or 0) + 1,
            key=change["key"], style=change.get("style", "bullet"), text=change["text"],
            owner_role=Role(change["owner_role"]), schedule=Schedule(change["schedule"]),
            template_task_id=change["task_id"],
        ))
        session.flush()
        return 1
    task = linked.get(change["old_task_id"])
    if task is None:  # the ward had already removed it
        return 0
    if op == "change":
        if not ward_kept_template(task, change):
            outcome.own.append(task.text)
            return 0
        task.text, task.owner_role, task.schedule = change["text"], Role(change["owner_role"]), Schedule(change["schedule"])
        return 1
    if session.scalar(select(func.count(TaskUpdate.id)).where(TaskUpdate.task_id == task.id)):
        outcome.kept.append(task.text)
        return 0
    session.delete(task)
    session.flush()
    return 1


def ward_kept_template(task: Task, change: dict[str, Any]) -> bool:
    """Does the ward's task still say what the old revision said (words, owner, schedule)? If the
    ward rewrote it, its own version is kept rather than overwritten by the template's."""
    return (
        same_words(task.text, change["old_text"])
        and task.owner_role.value == change.get("old_owner_role", task.owner_role.value)
        and task.schedule.value == change.get("old_schedule", task.schedule.value)
    )


def _apply_document(plan: Plan, change: dict[str, Any], outcome: Outcome) -> int:
    name = change["field"]
    current = getattr(plan, name)
    unchanged = current == change["old_value"] if isinstance(current, list) else same_words(current, change["old_value"])
    if not unchanged:
        outcome.own.append(str(DOCUMENT_LABELS[name]))
        return 0
    setattr(plan, name, list(change["value"]) if isinstance(current, list) else change["value"])
    return 1


def same_words(a: str, b: str) -> bool:
    """The same text but for spacing and line breaks."""
    return " ".join(a.split()) == " ".join(b.split())


def _ward_section(session: Session, plan: Plan, old: Plan, change: dict[str, Any]) -> PlanSection:
    """The ward's section for a template section path: through the link to the old revision's
    section of that path, else the ward's section of the same numbers, else a new one."""
    _, old_sections = placed_tasks(session, old)
    ward_outline = plan_outline(session, plan)
    ward_paths = section_paths(ward_outline)
    ward_sections = {node.section.id: node.section for node in iter_nodes(ward_outline)}
    template_section = old_sections.get(change["section"])
    if template_section is not None:
        for section in ward_sections.values():
            if section.template_section_id == template_section.id:
                return section
    by_path = {path: ward_sections[sid] for sid, path in ward_paths.items()}
    if change["section"] in by_path:
        return by_path[change["section"]]
    parent = by_path.get(change.get("parent_section") or "")
    last = session.scalar(
        select(func.max(PlanSection.position)).where(
            PlanSection.plan_id == plan.id,
            PlanSection.parent_id.is_(None) if parent is None else PlanSection.parent_id == parent.id,
        )
    )
    section = PlanSection(
        unit_id=plan.unit_id, plan_id=plan.id, parent_id=parent.id if parent else None, position=(last or 0) + 1,
        number=change.get("section_number", ""), title=change.get("section_title", ""),
        kind=parent.kind if parent else "contents",
    )
    session.add(section)
    session.flush()
    return section


def _relink(session: Session, plan: Plan, old: Plan, new: Plan) -> None:
    """Point the ward's links at the new revision: tasks by key, sections by path."""
    before, old_sections = placed_tasks(session, old)
    after, new_sections = placed_tasks(session, new)
    task_ids = {placed.task.id: (after[key].task.id if key in after else None) for key, placed in before.items()}
    section_ids = {s.id: (new_sections[path].id if path in new_sections else None) for path, s in old_sections.items()}
    for task in session.scalars(select(Task).where(Task.plan_id == plan.id)):
        if task.template_task_id in task_ids:
            task.template_task_id = task_ids[task.template_task_id]
    for section in session.scalars(select(PlanSection).where(PlanSection.plan_id == plan.id)):
        if section.template_section_id in section_ids:
            section.template_section_id = section_ids[section.template_section_id]
