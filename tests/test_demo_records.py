"""`flask demo` gives each demo ward a realistic 2025: plausible, deterministic, added once."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app.demo_records import DEMO_NOTE, build_demo_records
from app.indicators.services import indicator_values
from app.law.book import legal_book
from app.models import (
    Dialogue,
    IndicatorDefinition,
    Meeting,
    MeetingKind,
    ModelStatus,
    Petition,
    PetitionExtension,
    PetitionKind,
    PetitionStatus,
    Post,
    PostChannel,
    Reception,
    SkilfulModel,
    TaskUpdate,
)
from tests.conftest import ROOT, everything, plan_of

DEMO_WARDS = ("phu-son", "quang-trung")
REGISTERS = (Reception, Dialogue, Petition, PetitionExtension, SkilfulModel, Post, Meeting, TaskUpdate)
BASELINE = {Reception: 1, Dialogue: 1, Petition: 1, PetitionExtension: 1, SkilfulModel: 1, Post: 1, Meeting: 1, TaskUpdate: 1}


def run_demo(app: Flask) -> str:
    """The demo's whole year, before the 1 July reorganisation (test_units_reorganise runs the rest)."""
    result = app.test_cli_runner().invoke(args=["demo", "--before-reform"])
    assert result.exit_code == 0, result.output
    return result.output


def counts(session, unit_id: int) -> dict[type, int]:  # type: ignore[no-untyped-def]
    with everything(session):
        return {
            model: session.scalar(sa.select(sa.func.count()).select_from(model).where(model.unit_id == unit_id))
            for model in REGISTERS
        }


def test_demo_twice_adds_the_year_once(app: Flask, session, units) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    first = run_demo(app)
    elapsed = time.perf_counter() - started
    after_first = {slug: counts(session, units[slug].id) for slug in DEMO_WARDS}
    second = run_demo(app)
    assert {slug: counts(session, units[slug].id) for slug in DEMO_WARDS} == after_first
    assert "records 2025: phu-son" in first and "added" in first
    assert "phu-son already there, quang-trung already there" in second
    assert elapsed < 10, elapsed  # accounts, plans and ~370 records (about 1 s on a laptop)
    # Wards without demo accounts get no records.
    assert counts(session, units["bac-son"].id) == dict.fromkeys(REGISTERS, 0)


def test_the_demo_year_is_plausible(app: Flask, session, units) -> None:  # type: ignore[no-untyped-def]
    run_demo(app)
    for slug in DEMO_WARDS:
        ward = units[slug]
        found = counts(session, ward.id)
        added = {model: found[model] - BASELINE[model] for model in REGISTERS}
        assert 44 <= added[Reception] <= 50, (slug, added)  # most of the 51 weeks with a working day
        assert added[Dialogue] == 2
        assert 18 <= added[Petition] <= 20
        assert added[SkilfulModel] == 3
        assert 28 <= added[Post] <= 32
        assert added[Meeting] == 8
        assert added[TaskUpdate] >= 50
        assert added[PetitionExtension] >= 0
        with everything(session):
            receptions = session.scalars(
                sa.select(Reception).where(Reception.unit_id == ward.id, Reception.note == DEMO_NOTE)
            ).all()
            weeks = [r.held_on.isocalendar()[:2] for r in receptions]
            assert len(weeks) == len(set(weeks)), "at most one demo reception a week"
            assert all(r.held_on.year == 2025 and r.held_on.weekday() < 5 for r in receptions)
            assert not any(date(2025, 1, 25) <= r.held_on <= date(2025, 2, 2) for r in receptions), "Tết"
            petitions = session.scalars(sa.select(Petition).where(Petition.unit_id == ward.id)).all()
            assert {p.kind for p in petitions} == set(PetitionKind)
            statuses = {p.status for p in petitions}
            assert {PetitionStatus.RESOLVED, PetitionStatus.WITHDRAWN, PetitionStatus.TRANSFERRED,
                    PetitionStatus.IN_RESOLUTION, PetitionStatus.RECEIVED} <= statuses
            for p in petitions:
                assert p.closed_on is None or p.closed_on >= p.received_on
                assert (p.closed_on is not None) == p.closed, p.summary
            assert {p.channel for p in session.scalars(sa.select(Post).where(Post.unit_id == ward.id))} == set(PostChannel)
            assert {m.kind for m in session.scalars(sa.select(Meeting).where(Meeting.unit_id == ward.id))} == set(MeetingKind)
            models = session.scalars(sa.select(SkilfulModel).where(SkilfulModel.unit_id == ward.id)).all()
            assert sum(m.status == ModelStatus.RECOGNISED for m in models) == 1
            assert sum(d.with_front for d in session.scalars(sa.select(Dialogue).where(Dialogue.unit_id == ward.id))) == 2
            values = {r.code: r.value for r in indicator_values(session, plan_of(session, ward), "2025", date(2026, 1, 15))}
        assert values["receptions_held"] < values["receptions_required"] == 51
        assert values["dialogues_held"] >= 1
        assert 0 < values["petitions_resolved_on_time"] < values["petitions_resolved"], "some resolved late"
        assert values["models_recognised"] == 1
        assert 0 < values["tasks_done"] < values["tasks_total"]
    # The wards differ: Quang Trung missed December's report and the year-end review.
    assert values["tasks_overdue"] == 2


def test_the_demo_year_is_the_same_every_run(app: Flask, session, units) -> None:  # type: ignore[no-untyped-def]
    book = legal_book(Path(ROOT) / "tenants" / "legal")

    def fingerprint(slug: str) -> list[tuple]:
        ward = units[slug]
        with everything(session):
            demo = build_demo_records(session, ward, plan_of(session, ward), book, date(2026, 1, 15), chairman="X")
        return [
            (type(row).__name__, *(str(getattr(row, c.key)) for c in sa.inspect(type(row)).column_attrs
                                   if c.key not in ("id", "created_at", "search_text", "version")))
            for row in demo.rows
        ] + [(p.summary, decided) for p, decided, _ in demo.extensions]

    assert fingerprint("phu-son") == fingerprint("phu-son")
    assert fingerprint("phu-son") != fingerprint("quang-trung")


def test_only_records_up_to_today_are_added(app: Flask, session, units) -> None:  # type: ignore[no-untyped-def]
    book = legal_book(Path(ROOT) / "tenants" / "legal")
    ward = units["phu-son"]
    with everything(session):
        demo = build_demo_records(session, ward, plan_of(session, ward), book, date(2025, 6, 30))
    days = [getattr(r, "held_on", None) or getattr(r, "received_on", None) or getattr(r, "published_on", None)
            or getattr(r, "reported_on", None) for r in demo.rows]
    assert max(d for d in days if d is not None) <= date(2025, 6, 30)
    assert 20 <= sum(isinstance(r, Reception) for r in demo.rows) <= 26


def test_demo_gives_plans_made_before_indicators_their_definitions(app: Flask, session, units) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of(session, units["bac-son"])
    with everything(session):
        for definition in session.scalars(sa.select(IndicatorDefinition).where(IndicatorDefinition.plan_id == plan.id)):
            session.delete(definition)
        session.commit()  # a savepoint of the test's transaction
    run_demo(app)
    with everything(session):
        assert session.scalar(
            sa.select(sa.func.count()).select_from(IndicatorDefinition).where(IndicatorDefinition.plan_id == plan.id)
        ) >= 20
