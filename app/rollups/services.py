"""Side-by-side views over the wards and communes below a parent unit, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Plan, Task, Unit
from app.models.unit import tenant_units_below


@dataclass
class WardPlanRow:
    unit: Unit
    plan: Plan | None
    task_count: int


def ward_plan_statuses(session: Session, parent: Unit, year: int) -> list[WardPlanRow]:
    """Every ward/commune below `parent` with its plan for `year` (or None) and its task count."""
    units = tenant_units_below(session, parent)
    ids = [u.id for u in units]
    plans = {
        p.unit_id: p
        for p in session.scalars(
            select(Plan).where(Plan.unit_id.in_(ids), Plan.year == year, Plan.is_template.is_(False))
        )
    }
    counts = dict(
        session.execute(
            select(Task.plan_id, func.count(Task.id))
            .where(Task.plan_id.in_([p.id for p in plans.values()]))
            .group_by(Task.plan_id)
        ).all()
    )
    return [
        WardPlanRow(unit=u, plan=plans.get(u.id), task_count=counts.get(plans[u.id].id, 0) if u.id in plans else 0)
        for u in units
    ]


def years_with_plans(session: Session) -> list[int]:
    """Years for which any unit in the scope has a plan, newest first."""
    return list(
        session.scalars(
            select(Plan.year).where(Plan.is_template.is_(False)).distinct().order_by(Plan.year.desc())
        )
    )
