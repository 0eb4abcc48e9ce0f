"""Copy a plan template into a unit's plan for a year, with the unit's names substituted."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IndicatorDefinition, Plan, PlanSection, PlanStatus, Task, Unit
from app.models.unit import template_owner_ids
from app.plans.outline import SectionNode, plan_outline


def name_substitution(source: Unit | None, target: Unit, from_year: int, to_year: int) -> Callable[[str], str]:
    """A function rewriting template text written for `source` in `from_year` for `target`."""
    rules: list[tuple[re.Pattern[str], str]] = []
    if source is not None and source.id != target.id:
        rules.append((re.compile(re.escape(source.full_name)), target.full_name))
        rules.append((re.compile(rf"\b{re.escape(source.name)}\b"), target.name))
        if source.kind_word != target.kind_word:
            rules.append((re.compile(rf"\b{re.escape(source.kind_word)}\b"), target.kind_word))
            rules.append(
                (re.compile(rf"\b{re.escape(source.kind_word.capitalize())}\b"), target.kind_word.capitalize())
            )
    if from_year != to_year:
        rules.append((re.compile(rf"\bnăm {from_year}\b"), f"năm {to_year}"))

    def substitute(text: str) -> str:
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text

    return substitute


def document_words(source: Plan, sub: Callable[[str], str]) -> dict[str, object]:
    """The document's own words around its sections, copied from `source` through `sub`; a copy
    starts as a draft."""
    return dict(
        heading=source.heading,
        title=sub(source.title),
        preamble=sub(source.preamble),
        legal_bases=list(source.legal_bases),
        closing=sub(source.closing),
        recipients=[sub(r) for r in source.recipients],
        signer_title=source.signer_title,
        status=PlanStatus.DRAFT,
    )


def instantiate(session: Session, template: Plan, unit: Unit, year: int) -> Plan:
    """Deep-copy `template` into a new draft plan of `unit` for `year` (flushed, not committed)."""
    source = session.get(Unit, template.source_unit_id) if template.source_unit_id else None
    sub = name_substitution(source, unit, template.year, year)
    plan = Plan(
        unit_id=unit.id,
        year=year,
        is_template=False,
        template_id=template.id,
        template_revision=template.revision,
        signer_name=template.signer_name if source is not None and source.id == unit.id else "",
        **document_words(template, sub),
    )
    session.add(plan)
    session.flush()
    copy_outline(session, plan_outline(session, template), plan, None, sub)
    copy_indicators(session, template, plan, sub)
    session.flush()
    return plan


def copy_indicators(session: Session, template: Plan, plan: Plan, sub: Callable[[str], str] | None = None) -> int:
    """Copy the template's indicator definitions into `plan`, each linked to its original; codes the
    plan already has are kept as they are. Returns how many were added (flushed)."""
    have = set(session.scalars(select(IndicatorDefinition.code).where(IndicatorDefinition.plan_id == plan.id)))
    if sub is None:
        source = session.get(Unit, template.source_unit_id) if template.source_unit_id else None
        sub = name_substitution(source, session.get_one(Unit, plan.unit_id), template.year, plan.year)
    added = [
        IndicatorDefinition(
            unit_id=plan.unit_id,
            is_template=plan.is_template,
            plan_id=plan.id,
            position=d.position,
            code=d.code,
            name=sub(d.name),
            unit=d.unit,
            target=d.target,
            source=d.source,
            register=d.register,
            measure=d.measure,
            filter=dict(d.filter) if d.filter else None,
            task_keys=list(d.task_keys or []),
            template_indicator_id=d.id if d.is_template else d.template_indicator_id,
        )
        for d in session.scalars(
            select(IndicatorDefinition)
            .where(IndicatorDefinition.plan_id == template.id)
            .order_by(IndicatorDefinition.position, IndicatorDefinition.id)
        )
        if d.code not in have
    ]
    session.add_all(added)
    session.flush()
    return len(added)


def copy_outline(
    session: Session,
    nodes: list[SectionNode],
    plan: Plan,
    parent: PlanSection | None,
    sub: Callable[[str], str],
    link: Callable[[Task, Task], None] | None = None,
) -> None:
    """Copy sections and tasks under `parent` of `plan`; a ward plan's copies link to their template
    rows, a template revision's keep the same task keys; `link(source, copy)` adds more links."""
    for node in nodes:
        src = node.section
        section = PlanSection(
            unit_id=plan.unit_id,
            is_template=plan.is_template,
            plan_id=plan.id,
            parent_id=parent.id if parent else None,
            position=src.position,
            number=src.number,
            title=sub(src.title),
            body=sub(src.body),
            kind=src.kind,
            template_section_id=src.id if src.is_template and not plan.is_template else src.template_section_id,
        )
        session.add(section)
        session.flush()
        for t in node.tasks:
            task = Task(
                unit_id=plan.unit_id,
                is_template=plan.is_template,
                plan_id=plan.id,
                section_id=section.id,
                position=t.position,
                key=t.key,
                style=t.style,
                text=sub(t.text),
                owner_role=t.owner_role,
                schedule=t.schedule,
                template_task_id=t.id if t.is_template and not plan.is_template else t.template_task_id,
            )
            if link is not None:
                link(t, task)
            session.add(task)
        copy_outline(session, node.children, plan, section, sub, link)


def latest_template(session: Session, year: int, unit: Unit) -> Plan | None:
    """The template `unit` follows for `year`: the newest published one of the units above it (or
    its own, for a town; see template_owner_ids) for that year, else for the latest earlier year; the
    last published wins."""
    return session.scalar(
        select(Plan)
        .where(
            Plan.is_template.is_(True),
            Plan.status == PlanStatus.ISSUED,
            Plan.year <= year,
            Plan.unit_id.in_(template_owner_ids(session, unit)),
        )
        .order_by(Plan.year.desc(), Plan.id.desc())
        .limit(1)
    )
