"""A realistic year of records for a demo ward: weekly citizen receptions (a few weeks missed),
two dialogues, petitions of every kind and status (some resolved late), "Dân vận khéo" models,
propaganda posts, briefings and trainings, and progress on the plan's tasks.

Deterministic (one seeded random generator per ward and year) and idempotent (a ward that has
its demo receptions already gets nothing more). The texts are data, not UI: they stay Vietnamese
and live in `tenants/demo/records.yaml`, with the per-ward settings; the logic stays here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml
from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.law.book import LegalBook
from app.law.working_days import WorkingCalendar
from app.models import (
    Dialogue,
    Meeting,
    MeetingKind,
    ModelField,
    ModelStatus,
    Petition,
    PetitionExtension,
    PetitionKind,
    PetitionStatus,
    Plan,
    Post,
    PostChannel,
    ProgressStatus,
    Reception,
    Schedule,
    SkilfulModel,
    Task,
    TaskUpdate,
    Unit,
    UnitKind,
    User,
)
from app.petitions.deadlines import deadline_of
from app.progress.schedule import periods as schedule_periods

# The marker of demo rows (the note of every demo reception): how a ward that has its demo year is
# recognised, so it stays in the code rather than in the data.
DEMO_NOTE = "Dữ liệu minh họa"

# The sample texts and the per-ward settings of the demo year, under TENANTS_DIR.
DEMO_DATA = Path("demo") / "records.yaml"
_DEFAULT_TENANTS_DIR = Path(__file__).resolve().parent.parent / "tenants"  # as app/config.py


@dataclass(frozen=True)
class DemoData:
    """tenants/demo/records.yaml, enums converted back; its comments say what each entry is for."""

    profiles: dict[str, dict]  # slug: {weekday, missed_month, review_done, dialogue_months}
    default_profile: dict
    reception_host: str
    reception_deputy_host: str
    reception_no_cases: str
    reception_topics: tuple[str, ...]
    dialogues: tuple[dict, ...]  # {days, participants, with_front, topic, issues_raised, answers}
    place_in_commune: str
    place_in_ward: str
    petition_sources: tuple[str, ...]
    petitioner_names: tuple[str, ...]
    petition_withdrawn: str
    petition_transferred: str
    petition_resolved: str
    extension_reason: str
    petitions: tuple[tuple[PetitionKind, str, str, bool, bool], ...]  # (kind, summary, handler, complex, mediated)
    model_description: str
    models: tuple[tuple[str, ModelField, bool], ...]  # (name, field, recognised)
    post_titles: tuple[str, ...]
    post_channels: tuple[PostChannel, ...]  # one per post title, before shuffling
    # (kind, month, topic, documents, attendees)
    meetings: tuple[tuple[MeetingKind, int, str, str, tuple[int, int]], ...]
    task_notes: dict[str, str]
    reports: dict[str, tuple[tuple[int, int], bool]]  # slug: (sent on (month, day), acknowledged by the town)
    report_text: dict[str, str]  # Report columns: results, strengths_shortcomings, direction, proposals
    review_comment: str


def demo_data() -> DemoData:
    """The demo data of the current app's TENANTS_DIR (this repository's tenants/ outside an app)."""
    root = current_app.config["TENANTS_DIR"] if has_app_context() else _DEFAULT_TENANTS_DIR
    return load_demo_data(str(Path(root) / DEMO_DATA))


def _profile(entry: dict) -> dict:
    return {**entry, "dialogue_months": tuple(entry["dialogue_months"])}


@cache
def load_demo_data(path: str) -> DemoData:
    """Read the demo data file (once per process)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    receptions, petitions, models, posts, notes, reports = (
        data["receptions"], data["petitions"], data["models"], data["posts"], data["task_updates"], data["reports"]
    )
    return DemoData(
        profiles={slug: _profile(entry) for slug, entry in data["wards"].items()},
        default_profile=_profile(data["default_ward"]),
        reception_host=receptions["host"],
        reception_deputy_host=receptions["deputy_host"],
        reception_no_cases=receptions["no_cases"],
        reception_topics=tuple(receptions["topics"]),
        dialogues=tuple(
            {**d, "days": tuple(d["days"]), "participants": tuple(d["participants"])} for d in data["dialogues"]
        ),
        place_in_commune=petitions["place_in_commune"],
        place_in_ward=petitions["place_in_ward"],
        petition_sources=tuple(petitions["sources"]),
        petitioner_names=tuple(petitions["petitioner_names"]),
        petition_withdrawn=petitions["withdrawn"],
        petition_transferred=petitions["transferred"],
        petition_resolved=petitions["resolved"],
        extension_reason=petitions["extension_reason"],
        petitions=tuple(
            (PetitionKind(c["kind"]), c["summary"], c["handler"], bool(c.get("complex_case", False)),
             bool(c.get("mediated", False)))
            for c in petitions["cases"]
        ),
        model_description=models["description"],
        models=tuple((m["name"], ModelField(m["field"]), bool(m["recognised"])) for m in models["entries"]),
        post_titles=tuple(posts["titles"]),
        post_channels=tuple(
            PostChannel(channel) for channel, count in posts["channels"].items() for _ in range(count)
        ),
        meetings=tuple(
            (MeetingKind(m["kind"]), m["month"], m["topic"], m["documents"], tuple(m["attendees"]))
            for m in data["meetings"]
        ),
        task_notes=dict(notes),
        reports={
            slug: (tuple(entry["sent_on"]), bool(entry["acknowledged"])) for slug, entry in reports["wards"].items()
        },
        report_text={
            key: reports[key] for key in ("results", "strengths_shortcomings", "direction", "proposals")
        },
        review_comment=reports["review_comment"],
    )


@dataclass
class _Year:
    """Dates of the demo year on the working-day calendar, drawn from the ward's generator."""

    year: int
    calendar: WorkingCalendar
    rng: random.Random

    def working(self, day: date) -> date:
        return self.calendar.next_working_day(day)

    def in_month(self, month: int, first: int = 1, last: int = 28) -> date:
        return self.working(date(self.year, month, self.rng.randint(first, last)))

    def spread(self, count: int, first: date, last: date) -> list[date]:
        """`count` working days spread over [first, last], in order."""
        span = (last - first).days
        step = span / count
        return sorted(
            self.working(first + timedelta(days=int(i * step + self.rng.uniform(0, step * 0.8))))
            for i in range(count)
        )


def has_demo_records(session: Session, unit: Unit, year: int) -> bool:
    return session.scalar(
        select(Reception.id)
        .where(
            Reception.unit_id == unit.id,
            Reception.note == DEMO_NOTE,
            Reception.held_on >= date(year, 1, 1),
            Reception.held_on <= date(year, 12, 31),
        )
        .limit(1)
    ) is not None


@dataclass
class DemoYear:
    """The records of a ward's demo year, not yet added to the session."""

    rows: list[object]
    extensions: list[tuple[Petition, date, str]]  # (petition, decided on, reason)


def build_demo_records(
    session: Session, unit: Unit, plan: Plan | None, book: LegalBook, today: date, chairman: str = ""
) -> DemoYear:
    """The ward's demo year (`plan.year`), records dated after `today` left out; the same every run."""
    year = plan.year if plan is not None else today.year
    data = demo_data()
    profile = data.profiles.get(unit.slug, data.default_profile)
    days = _Year(year, book.calendar, random.Random(f"dan-van-demo:{unit.slug}:{year}"))
    rows: list[object] = []
    rows += _receptions(unit, days, profile, chairman, data)
    rows += _dialogues(unit, days, profile, data)
    petitions, extensions = _petitions(unit, days, book, today, data)
    rows += petitions
    rows += _models(session, unit, days, data)
    rows += _posts(unit, days, data)
    rows += _meetings(unit, days, data)
    if plan is not None:
        rows += _task_updates(session, unit, plan, days, profile, data)
    kept = [r for r in rows if _day_of(r) <= today]
    kept_ids = {id(r) for r in kept}
    return DemoYear(kept, [e for e in extensions if id(e[0]) in kept_ids and e[1] <= today])


def add_demo_records(
    session: Session, unit: Unit, plan: Plan | None, book: LegalBook, today: date, chairman: str = ""
) -> int:
    """Add the ward's demo year (flushed, not committed); 0 if it has it already."""
    if has_demo_records(session, unit, plan.year if plan is not None else today.year):
        return 0
    demo = build_demo_records(session, unit, plan, book, today, chairman)
    session.add_all(demo.rows)
    session.flush()
    session.add_all(
        PetitionExtension(unit_id=unit.id, petition_id=petition.id, decided_on=decided, reason=reason)
        for petition, decided, reason in demo.extensions
    )
    session.flush()
    return len(demo.rows) + len(demo.extensions)


def _day_of(row: object) -> date:
    for attr in ("held_on", "received_on", "published_on", "reported_on", "recognised_on"):
        value = getattr(row, attr, None)
        if value is not None:
            return value
    return date.min


def _receptions(unit: Unit, days: _Year, profile: dict, chairman: str, data: DemoData) -> list[Reception]:
    host = f"{chairman} - {data.reception_host}" if chairman else data.reception_host
    mondays = [date(days.year, 1, 1) + timedelta(days=n) for n in range(366)]
    mondays = [d for d in mondays if d.year == days.year and d.weekday() == 0]
    missed = set(days.rng.sample(range(len(mondays)), 4))
    receptions = []
    for index, monday in enumerate(mondays):
        week = [monday + timedelta(days=n) for n in range(5)]
        open_days = [d for d in week if d.year == days.year and days.calendar.is_working_day(d)]
        if not open_days or index in missed:
            continue
        preferred = monday + timedelta(days=profile["weekday"])
        day = preferred if preferred in open_days else next((d for d in open_days if d > preferred), open_days[-1])
        citizens = days.rng.choices(range(9), weights=(3, 5, 7, 7, 6, 4, 3, 2, 1))[0]
        cases = min(citizens, days.rng.randint(0, 3)) if citizens else 0
        topics = days.rng.sample(data.reception_topics, cases)
        deputy = days.rng.random() < 0.1
        receptions.append(
            Reception(
                unit_id=unit.id,
                held_on=day,
                host=data.reception_deputy_host if deputy else host,
                citizens=citizens,
                cases=cases,
                cases_raised="; ".join(topics) if topics else data.reception_no_cases,
                note=DEMO_NOTE,
            )
        )
    return receptions


def _dialogues(unit: Unit, days: _Year, profile: dict, data: DemoData) -> list[Dialogue]:
    return [
        Dialogue(
            unit_id=unit.id,
            held_on=days.in_month(month, *dialogue["days"]),
            topic=dialogue["topic"].format(unit=unit.full_name),
            participants=days.rng.randint(*dialogue["participants"]),
            with_front=dialogue["with_front"],
            issues_raised=dialogue["issues_raised"],
            answers=dialogue["answers"],
        )
        for month, dialogue in zip(profile["dialogue_months"], data.dialogues, strict=True)
    ]


def _petitions(
    unit: Unit, days: _Year, book: LegalBook, today: date, data: DemoData
) -> tuple[list[Petition], list[tuple[Petition, date, str]]]:
    rng = days.rng
    place = data.place_in_commune if unit.kind == UnitKind.COMMUNE else data.place_in_ward
    order = rng.sample(data.petitions, rng.randint(len(data.petitions) - 2, len(data.petitions)))
    received = days.spread(len(order), date(days.year, 1, 6), date(days.year, 12, 20))
    late = set(rng.sample([i for i in range(len(order) - 4) if i not in (4, 7, 9)], 3))  # resolved late
    petitions: list[Petition] = []
    extensions: list[tuple[Petition, date, str]] = []
    for index, ((kind, summary, handler, complex_case, mediated), day) in enumerate(zip(order, received, strict=True)):
        petition = Petition(
            unit_id=unit.id,
            received_on=day,
            kind=kind,
            source=rng.choice(data.petition_sources),
            petitioner_name=rng.choice(data.petitioner_names),
            petitioner_address=f"{place} {rng.randint(1, 9)}, {unit.full_name}",
            petitioner_contact=f"09{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            summary=summary,
            handler=handler,
            complex_case=complex_case,
            remote_area=False,
            second_resolution=False,
            mediated=mediated,
            above_level=index == 4,
            mass_complaint=False,
            status=PetitionStatus.RESOLVED,
        )
        classify = book.calendar.add_working_days(day, rng.randint(2, 6))
        petition.classified_on = classify
        if kind in (PetitionKind.COMPLAINT, PetitionKind.DENUNCIATION):
            petition.accepted_on = book.calendar.add_working_days(classify, rng.randint(1, 3))
        remaining = len(order) - index
        if remaining <= 4:  # the last ones of the year are still being handled
            petition.status = (PetitionStatus.IN_RESOLUTION, PetitionStatus.ACCEPTED,
                               PetitionStatus.CLASSIFIED, PetitionStatus.RECEIVED)[4 - remaining]
            if petition.status in (PetitionStatus.CLASSIFIED, PetitionStatus.RECEIVED):
                petition.accepted_on = None
            if petition.status == PetitionStatus.RECEIVED:
                petition.classified_on = None
            petitions.append(petition)
            continue
        if index == 7:
            petition.status = PetitionStatus.WITHDRAWN
            petition.closed_on = days.working(classify + timedelta(days=rng.randint(5, 12)))
            petition.resolution = data.petition_withdrawn
            petitions.append(petition)
            continue
        if index == 9:
            petition.status = PetitionStatus.TRANSFERRED
            petition.accepted_on = None
            petition.closed_on = classify
            petition.resolution = data.petition_transferred
            petitions.append(petition)
            continue
        extended = kind == PetitionKind.DENUNCIATION and complex_case
        due = deadline_of(petition, book, today, extensions=1 if extended else 0)
        if due is None:
            petitions.append(petition)
            continue
        if kind in (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK):
            # Their legal limit is classification: a late one was classified after it.
            if index in late:
                petition.classified_on = days.working(due.due_on + timedelta(days=rng.randint(2, 8)))
            petition.closed_on = days.working(petition.classified_on + timedelta(days=rng.randint(3, 20)))
        elif index in late:
            petition.closed_on = days.working(due.due_on + timedelta(days=rng.randint(3, 15)))
        else:
            start = due.starts_on
            closed = days.working(start + timedelta(days=rng.randint(7, (due.due_on - start).days)))
            petition.closed_on = min(due.due_on, closed)
        petition.resolution = data.petition_resolved
        if extended:
            decided = due.due_on - timedelta(days=due.rule.extension_days + 3)
            extensions.append((petition, days.working(decided), data.extension_reason))
        petitions.append(petition)
    return petitions, extensions


def _models(session: Session, unit: Unit, days: _Year, data: DemoData) -> list[SkilfulModel]:
    admin = session.scalar(select(User.id).where(User.username == f"admin@{_parent_slug(session, unit)}"))
    models = []
    for name, field, recognised in data.models:
        model = SkilfulModel(
            unit_id=unit.id,
            name=name,
            field=field,
            year=days.year,
            status=ModelStatus.RECOGNISED if recognised else ModelStatus.REGISTERED,
            description=data.model_description,
        )
        if recognised:
            model.recognised_on = days.in_month(11, 10, 28)
            model.recognised_by = admin
        models.append(model)
    return models


def person_label(session: Session, username: str) -> str:
    """How records name the demo account `username`: "Họ tên, chức vụ" (the account name if unknown)."""
    user = session.scalar(select(User).where(User.username == username))
    return user.label if user else username


def _parent_slug(session: Session, unit: Unit) -> str:
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return parent.slug if parent else ""


def _posts(unit: Unit, days: _Year, data: DemoData) -> list[Post]:
    published = days.spread(len(data.post_titles), date(days.year, 1, 3), date(days.year, 12, 28))
    channels = list(data.post_channels)
    days.rng.shuffle(channels)
    return [
        Post(unit_id=unit.id, title=title, channel=channel, published_on=day)
        for title, channel, day in zip(data.post_titles, channels, published, strict=True)
    ]


def _meetings(unit: Unit, days: _Year, data: DemoData) -> list[Meeting]:
    return [
        Meeting(
            unit_id=unit.id,
            kind=kind,
            held_on=days.in_month(month, 5, 25),
            topic=topic,
            documents=documents,
            attendees=days.rng.randint(*attendees),
        )
        for kind, month, topic, documents, attendees in data.meetings
    ]


def _task_updates(
    session: Session, unit: Unit, plan: Plan, days: _Year, profile: dict, data: DemoData
) -> list[TaskUpdate]:
    tasks = session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position, Task.id)).all()
    updates: list[TaskUpdate] = []
    notes = data.task_notes
    owners = {role: person_label(session, f"{role.value}@{unit.slug}") for role in {t.owner_role for t in tasks}}

    def update(task: Task, day: date, status: ProgressStatus, percent: int, note: str,
               period_start: date | None = None) -> None:
        updates.append(
            TaskUpdate(
                unit_id=unit.id, task_id=task.id, reported_on=days.working(day), period_start=period_start,
                percent=100 if status == ProgressStatus.DONE else percent, status=status, note=note,
                username=owners[task.owner_role],
            )
        )

    for task in tasks:
        if task.schedule in (Schedule.MONTHLY, Schedule.QUARTERLY):
            for period in schedule_periods(task.schedule, plan.year):
                report_day = period.end + timedelta(days=days.rng.randint(1, 5))
                if task.schedule == Schedule.MONTHLY and period.start.month == profile["missed_month"]:
                    update(task, report_day, ProgressStatus.IN_PROGRESS, 70, notes["period_missed"], period.start)
                else:
                    update(task, report_day, ProgressStatus.DONE, 100, notes["period_done"], period.start)
        elif task.schedule == Schedule.ONCE:
            if task.key == "II.4.2":  # the dialogue
                month = profile["dialogue_months"][0]
                update(task, date(plan.year, month, 28), ProgressStatus.DONE, 100, notes["dialogue_done"])
            else:
                update(task, date(plan.year, 7, 10), ProgressStatus.IN_PROGRESS, 50, notes["half_year"])
                if profile["review_done"]:
                    update(task, date(plan.year, 12, 18), ProgressStatus.DONE, 100, notes["year_done"])
                else:
                    update(task, date(plan.year, 12, 22), ProgressStatus.IN_PROGRESS, 80, notes["year_pending"])
        else:
            finished = days.rng.random() < 0.6
            for quarter, percent in enumerate((25, 50, 75, 100), start=1):
                done = quarter == 4 and finished
                update(task, date(plan.year, 3 * quarter, 25),
                       ProgressStatus.DONE if done else ProgressStatus.IN_PROGRESS,
                       percent if done else min(percent, 90),
                       notes["quarter"].format(quarter=("I", "II", "III", "IV")[quarter - 1]))
    return updates


# --- periodic reports: the six-month review of the wards listed under `reports` in the demo data ---


def add_demo_reports(session: Session, wards: dict[str, Unit], year: int, book: LegalBook, today: date) -> int:
    """The six-month review of `year` of the demo wards (flushed, not committed); existing ones kept."""
    from app.indicators.services import indicator_values
    from app.models import Plan, Report, ReportKind, ReportStatus
    from app.reports.services import default_due, default_title, freeze, period_of

    data = demo_data()
    added = 0
    for slug, ((month, day), acknowledged) in data.reports.items():
        unit = wards.get(slug)
        sent_on = date(year, month, day)
        if unit is None or sent_on > today:
            continue
        plan = session.scalar(
            select(Plan).where(Plan.unit_id == unit.id, Plan.year == year, Plan.is_template.is_(False))
        )
        period = period_of(ReportKind.SIX_MONTH, year)
        if plan is None or session.scalar(
            select(Report.id).where(Report.unit_id == unit.id, Report.kind == ReportKind.SIX_MONTH,
                                    Report.period == period)
        ):
            continue
        report = Report(
            unit_id=unit.id,
            plan_id=plan.id,
            kind=ReportKind.SIX_MONTH,
            period=period,
            title=default_title(ReportKind.SIX_MONTH, period),
            due_on=default_due(ReportKind.SIX_MONTH, year),
            status=ReportStatus.ACKNOWLEDGED if acknowledged else ReportStatus.SENT,
            frozen_indicators=freeze(indicator_values(session, plan, period, sent_on, book=book)),
            sent_on=sent_on,
            sent_by=person_label(session, f"chairman@{slug}"),
            **data.report_text,
        )
        if acknowledged:
            report.reviewed_on, report.reviewed_by = sent_on + timedelta(days=5), person_label(session, "admin@bim-son")
            report.review_comment = data.review_comment
        session.add(report)
        added += 1
    session.flush()
    return added
