"""Periodic reports: create from the plan for a period, edit the narrative while a draft (or
returned), send up with the indicator values frozen, acknowledge or return at the parent, and the
parent's view of who sent on time, late, or not yet — in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from app.audit import name_action
from app.indicators.services import IndicatorResult, indicator_values
from app.law.book import LegalBook
from app.models import Plan, Report, ReportKind, ReportStatus, Unit
from app.models.unit import tenant_units_below, year_span
from app.periods import PeriodError, parse_period
from app.plans.services import find_plan
from app.service_errors import CONFLICT_MESSAGE, EditConflict, ServiceError
from app.signals import report_reviewed
from app.vocabulary import REPORT_SECTIONS


class ReportError(ServiceError):
    """A refused report operation (409 unless said otherwise)."""


class ReportLocked(ReportError):
    """The report was sent: it cannot change unless the parent returns it."""


class ReportInvalid(ReportError):
    status = 400




NOT_EDITABLE = _l(
    "Báo cáo đã gửi lên cấp trên nên không thể sửa. Chỉ khi cấp trên trả lại, báo cáo mới được sửa tiếp."
)

# Default due dates (day, month) of the reviews of a year; each report may override its own.
DEFAULT_DUE = {ReportKind.SIX_MONTH: (15, 6), ReportKind.ANNUAL: (15, 12)}
KIND_LABELS = {
    ReportKind.SIX_MONTH: _l("Sơ kết 6 tháng"),
    ReportKind.ANNUAL: _l("Tổng kết năm"),
    ReportKind.REQUESTED: _l("Báo cáo theo yêu cầu"),
}
STATUS_LABELS = {
    ReportStatus.DRAFT: _l("Dự thảo"),
    ReportStatus.SENT: _l("Đã gửi"),
    ReportStatus.ACKNOWLEDGED: _l("Cấp trên đã tiếp nhận"),
    ReportStatus.RETURNED: _l("Bị trả lại"),
}


def period_of(kind: ReportKind, year: int) -> str:
    """"2025-H1" for the six-month review, "2025" for the annual one."""
    return f"{year}-H1" if kind == ReportKind.SIX_MONTH else str(year)


def default_due(kind: ReportKind, year: int) -> date | None:
    if kind not in DEFAULT_DUE:
        return None
    day, month = DEFAULT_DUE[kind]
    return date(year, month, day)


def default_title(kind: ReportKind, period: str) -> str:
    """The report's title: document text, always in Vietnamese whatever the user's language."""
    p = parse_period(period)
    if p.kind == "year":
        span = f"năm {p.year}"
    elif p.kind == "half":
        span = f"6 tháng {'đầu' if p.start.month == 1 else 'cuối'} năm {p.year}"
    elif p.kind == "quarter":
        span = f"quý {('I', 'II', 'III', 'IV')[(p.start.month - 1) // 3]} năm {p.year}"
    else:
        span = f"tháng {p.start.month} năm {p.year}"
    lead = {ReportKind.SIX_MONTH: "Báo cáo sơ kết", ReportKind.ANNUAL: "Báo cáo tổng kết"}.get(kind, "Báo cáo")
    return f"{lead} công tác dân vận chính quyền {span}"


def unit_reports(session: Session, unit: Unit) -> list[Report]:
    return list(
        session.scalars(
            select(Report).where(Report.unit_id == unit.id).order_by(Report.period.desc(), Report.id.desc())
        )
    )


def report_in(session: Session, unit: Unit, report_id: int) -> Report | None:
    """The report `report_id` if it is the unit's (and so in the scope)."""
    report = session.get(Report, report_id)
    return report if report is not None and report.unit_id == unit.id else None


def plan_years(session: Session, unit: Unit) -> list[int]:
    """The years `unit` has a plan for (a report reports on one), newest first."""
    return list(session.scalars(select(Plan.year).distinct().where(
        Plan.unit_id == unit.id, Plan.is_template.is_(False)).order_by(Plan.year.desc())))


def default_year(years: Sequence[int], today: date) -> int | None:
    """The plan year a new report is most likely about: this year's, else the latest before it."""
    return next((y for y in years if y <= today.year), years[-1] if years else None)


def create_report(
    session: Session,
    unit: Unit,
    *,
    kind: ReportKind,
    year: int,
    period: str | None = None,
    due_on: date | None = None,
    title: str = "",
) -> Report:
    """A draft report of the ward for a period, on the ward's plan of that year."""
    if not unit.is_tenant:
        raise ReportError(_l("Chỉ phường, xã lập báo cáo định kỳ."))
    plan: Plan | None = find_plan(session, unit, year)
    if plan is None:
        raise ReportError(_l("Đơn vị chưa có kế hoạch năm %(year)s nên chưa thể lập báo cáo.", year=year))
    if kind != ReportKind.REQUESTED:
        period = period_of(kind, year)
    try:
        if period is None or parse_period(period).year != year:
            raise PeriodError(period)
    except PeriodError as error:
        raise ReportInvalid(_l("Kỳ báo cáo không hợp lệ.")) from error
    due_on = due_on or default_due(kind, year)
    if due_on is None:
        raise ReportInvalid(_l("Báo cáo theo yêu cầu cần có hạn gửi."))
    if kind != ReportKind.REQUESTED and session.scalar(
        select(Report.id).where(Report.unit_id == unit.id, Report.kind == kind, Report.period == period)
    ):
        raise ReportError(_l("Đơn vị đã có báo cáo này cho kỳ %(period)s.", period=period))
    report = Report(
        unit_id=unit.id,
        plan_id=plan.id,
        kind=kind,
        period=period,
        due_on=due_on,
        title=title.strip() or default_title(kind, period),
    )
    session.add(report)
    session.flush()
    return report


def _lock(session: Session, report: Report) -> None:
    """Re-read the report under a row lock, so a concurrent send cannot slip past the checks."""
    session.refresh(report, with_for_update=True)


def require_editable(report: Report) -> None:
    if not report.editable:
        raise ReportLocked(NOT_EDITABLE)


def update_report(
    session: Session,
    report: Report,
    *,
    version: int | None,
    title: str,
    number: str,
    due_on: date,
    results: str,
    strengths_shortcomings: str,
    direction: str,
    proposals: str,
) -> Report:
    """Change the narrative (draft or returned only)."""
    _lock(session, report)
    require_editable(report)
    if version is None or report.version != version:
        raise EditConflict(CONFLICT_MESSAGE)
    report.title = title.strip() or report.title
    report.number = number.strip() or None
    report.due_on = due_on
    report.results = results.strip()
    report.strengths_shortcomings = strengths_shortcomings.strip()
    report.direction = direction.strip()
    report.proposals = proposals.strip()
    session.flush()
    return report


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    number = float(value)
    return int(number) if number.is_integer() else round(number, 4)


def freeze(results: Sequence[IndicatorResult]) -> list[dict[str, Any]]:
    """Indicator values as plain JSON, as they stood when the report was sent."""
    return [
        {
            "code": r.code,
            "name": r.name,
            "unit": r.unit,
            "target": _plain(r.target),
            "value": _plain(r.value),
            "parts": {k: _plain(v) for k, v in dict(r.parts).items()},
        }
        for r in results
    ]


def live_indicators(session: Session, report: Report, today: date, book: LegalBook | None = None) -> list[dict[str, Any]]:
    """The report period's indicator values now (shown while the report is a draft)."""
    plan = session.get_one(Plan, report.plan_id)
    period = parse_period(report.period)
    as_of = min(today, period.end)
    return freeze(indicator_values(session, plan, period, as_of, book=book))


def shown_indicators(
    session: Session, report: Report, today: date, book: LegalBook | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The indicator values a report shows, and whether they are frozen: frozen once sent (or
    acknowledged), live while a draft or returned."""
    if report.frozen_indicators is not None and not report.editable:
        return report.frozen_indicators, True
    return live_indicators(session, report, today, book), False


def send(
    session: Session, report: Report, *, today: date, user_id: int | None, username: str, book: LegalBook | None = None
) -> None:
    """Chairman: approve and send up (with its number and every section written); the indicator values
    are frozen into the report."""
    _lock(session, report)
    if not report.editable:
        raise ReportLocked(_l("Báo cáo đã được gửi lên cấp trên."))
    if not (report.number or "").strip():
        raise ReportInvalid(_l("Hãy ghi số văn bản của báo cáo (ví dụ 07/BC-UBND) trước khi gửi."))
    empty = [str(label) for name, label in REPORT_SECTIONS if not (getattr(report, name) or "").strip()]
    if empty:
        raise ReportInvalid(_l("Các phần sau còn trống, hãy soạn trước khi gửi: %(parts)s.", parts="; ".join(empty)))
    report.frozen_indicators = live_indicators(session, report, today, book)
    report.status = ReportStatus.SENT
    report.sent_on, report.sent_by_id, report.sent_by = today, user_id, username
    report.reviewed_on, report.reviewed_by = None, ""
    name_action(session, report, "report.send")
    report_reviewed.send(report, session=session, action="report.send", today=today)
    session.flush()


def _require_sent(report: Report) -> None:
    if report.status != ReportStatus.SENT:
        raise ReportError(_l("Chỉ báo cáo đã gửi và chưa được xử lý mới có thể tiếp nhận hoặc trả lại."))


def acknowledge(session: Session, report: Report, *, today: date, username: str, comment: str = "") -> None:
    """Parent: acknowledge a sent report."""
    _lock(session, report)
    _require_sent(report)
    report.status = ReportStatus.ACKNOWLEDGED
    report.reviewed_on, report.reviewed_by, report.review_comment = today, username, comment.strip()
    name_action(session, report, "report.acknowledge")
    report_reviewed.send(report, session=session, action="report.acknowledge", today=today)
    session.flush()


def return_report(session: Session, report: Report, *, today: date, username: str, comment: str) -> None:
    """Parent: return a sent report to the ward with a comment; it becomes editable again."""
    if not comment.strip():
        raise ReportInvalid(_l("Vui lòng ghi rõ lý do trả lại báo cáo."))
    _lock(session, report)
    _require_sent(report)
    report.status = ReportStatus.RETURNED
    report.reviewed_on, report.reviewed_by, report.review_comment = today, username, comment.strip()
    name_action(session, report, "report.return")
    report_reviewed.send(report, session=session, action="report.return", today=today)
    session.flush()


# --- the parent's view ------------------------------------------------------------------------


ON_TIME, LATE, NOT_YET, OVERDUE = "on_time", "late", "not_yet", "overdue"
STANDING_LABELS = {
    ON_TIME: _l("Gửi đúng hạn"),
    LATE: _l("Gửi trễ hạn"),
    NOT_YET: _l("Chưa gửi"),
    OVERDUE: _l("Chưa gửi, đã quá hạn"),
}


@dataclass(frozen=True)
class Standing:
    """Where one ward stands on one review of the year."""

    kind: ReportKind
    due_on: date
    report: Report | None
    state: str  # ON_TIME, LATE, NOT_YET, OVERDUE

    @property
    def label(self) -> object:
        return STANDING_LABELS[self.state]


def standing(kind: ReportKind, year: int, report: Report | None, today: date) -> Standing:
    due = report.due_on if report is not None else default_due(kind, year)
    assert due is not None
    if report is not None and report.on_time is not None:
        state = ON_TIME if report.on_time else LATE
    else:
        state = OVERDUE if today > due else NOT_YET
    return Standing(kind, due, report, state)


REVIEW_KINDS = (ReportKind.SIX_MONTH, ReportKind.ANNUAL)


def report_status(session: Session, parent: Unit, year: int, today: date,
                  wards: list[Unit] | None = None) -> list[tuple[Unit, list[Standing]]]:
    """For every ward below `parent` (or those of `wards`): its six-month and annual review of `year`
    — two queries, whatever the number of wards (the units, then their reports)."""
    every_ward = wards is None
    wards = tenant_units_below(session, parent, during=year_span(year)) if wards is None else wards
    periods = {kind: period_of(kind, year) for kind in REVIEW_KINDS}
    found: Mapping[tuple[int, ReportKind], Report] = {
        (r.unit_id, r.kind): r
        for r in session.scalars(
            select(Report).where(
                *([] if every_ward else [Report.unit_id.in_([w.id for w in wards])]),  # else: the scope's
                Report.kind.in_(REVIEW_KINDS),
                Report.period.in_(list(periods.values())),
            ).options(load_only(Report.unit_id, Report.kind, Report.period, Report.due_on, Report.status,
                                Report.sent_on, Report.title))  # not the long texts
        )
        if r.period == periods[r.kind]
    }
    return [(ward, [standing(kind, year, found.get((ward.id, kind)), today) for kind in REVIEW_KINDS]) for ward in wards]
