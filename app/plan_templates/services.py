"""Template revisions: a draft copy of the published one, edited with the plan editor, published.

A template is a family of `Plan` rows with `is_template` and the same `code`, one per revision.
At most one revision of a code is a draft; the others are published (issued) and never change.
Publishing a revision offers its changes to every ward plan that follows an earlier revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import name_action
from app.local_time import local_today
from app.models import Plan, PlanStatus, Unit
from app.plan_templates.changes import offer_to_wards
from app.plan_templates.rollover import YearShift
from app.plans.errors import PlanError
from app.plans.instantiate import copy_indicators, copy_outline, document_words
from app.plans.outline import plan_outline
from app.plans.services import lock_plan


class TemplateError(PlanError):
    """A refused template operation."""


@dataclass
class TemplateFamily:
    """All revisions of one template code, newest first."""

    code: str
    revisions: list[Plan]

    @property
    def latest(self) -> Plan:
        return self.revisions[0]

    @property
    def published(self) -> Plan | None:
        return next((r for r in self.revisions if r.published), None)

    @property
    def draft(self) -> Plan | None:
        return next((r for r in self.revisions if not r.published), None)


def template_in(session: Session, unit: Unit, template_id: int) -> Plan | None:
    """The template revision `template_id` if `unit` publishes it (else it does not exist here)."""
    template = session.get(Plan, template_id)
    if template is None or not template.is_template or template.unit_id != unit.id:
        return None
    return template


def families(session: Session, unit: Unit) -> list[TemplateFamily]:
    """The templates `unit` publishes, newest year first, each with its revisions."""
    rows = session.scalars(
        select(Plan)
        .where(Plan.is_template.is_(True), Plan.unit_id == unit.id)
        .order_by(Plan.year.desc(), Plan.code, Plan.revision.desc())
    ).all()
    grouped: dict[str, list[Plan]] = {}
    for row in rows:
        grouped.setdefault(row.code or "", []).append(row)
    return [TemplateFamily(code, revisions) for code, revisions in grouped.items()]


def family_of(session: Session, template: Plan) -> TemplateFamily:
    """Every revision of `template`'s code (of the same publisher), newest first."""
    revisions = session.scalars(
        select(Plan)
        .where(Plan.is_template.is_(True), Plan.code == template.code, Plan.unit_id == template.unit_id)
        .order_by(Plan.revision.desc())
    ).all()
    return TemplateFamily(template.code or "", list(revisions))


def _copy(session: Session, source: Plan, *, code: str, revision: int, year: int) -> Plan:
    """A draft template copied from `source` (its year's words moved to `year`)."""
    sub = YearShift(source.year) if year != source.year else (lambda text: text)  # same names; dates move
    copy = Plan(
        unit_id=source.unit_id,
        is_template=True,
        code=code,
        name=sub(source.name),
        revision=revision,
        source_unit_id=source.source_unit_id,
        year=year,
        signer_name=source.signer_name,
        **document_words(source, sub),
    )
    session.add(copy)
    session.flush()
    copy_outline(session, plan_outline(session, source), copy, None, sub)
    copy_indicators(session, source, copy, sub)
    session.flush()
    return copy


def new_revision(session: Session, template: Plan) -> Plan:
    """Start the next revision of the template as a draft to edit, from its newest published revision
    (whichever revision the user was looking at)."""
    family = family_of(session, template)
    if family.draft is not None or family.published is None:
        raise TemplateError(_l("Mẫu này đã có một bản nháp đang sửa; hãy sửa hoặc công bố bản nháp đó."))
    source = family.published
    return _copy(session, source, code=family.code, revision=family.latest.revision + 1, year=source.year)


def next_year_code(code: str, year: int, next_year: int) -> str:
    """`dan-van-2025` → `dan-van-2026`; a code without the year gets it appended."""
    if re.search(rf"{year}(?!.*\d)", code):
        return re.sub(rf"{year}(?!.*\d)", str(next_year), code)
    return f"{code}-{next_year}"


def next_year(session: Session, template: Plan) -> Plan:
    """Start next year's template from the newest published revision of this one: a draft, its
    year's words and dates moved on by one year."""
    template = family_of(session, template).published or template
    year = template.year + 1
    code = next_year_code(template.code or "template", template.year, year)
    if session.scalar(select(func.count(Plan.id)).where(Plan.is_template.is_(True), Plan.code == code)):
        raise TemplateError(_l("Đã có mẫu kế hoạch năm %(year)s (%(code)s).", year=year, code=code))
    return _copy(session, template, code=code, revision=1, year=year)


def publish(session: Session, template: Plan, actor: str) -> int:
    """Publish a draft revision: it can no longer change, wards get it for new plans, and each ward
    plan on an earlier revision is offered the difference. Returns how many offers were made."""
    lock_plan(session, template)
    if template.published:
        raise TemplateError(_l("Bản mẫu này đã được công bố."))
    template.status = PlanStatus.ISSUED
    template.issued_on = local_today()
    name_action(session, template, "template.publish")
    session.flush()
    return offer_to_wards(session, template, actor)


def discard(session: Session, template: Plan) -> None:
    """Delete a draft revision nobody has used."""
    lock_plan(session, template)
    if template.published:
        raise TemplateError(_l("Bản mẫu đã công bố không thể xóa."))
    session.delete(template)
    session.flush()
