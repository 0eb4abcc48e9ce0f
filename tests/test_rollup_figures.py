"""Kept rollup figures (app/rollups/figures.py): always equal to the records recomputed from scratch,
stale as soon as a ward writes, recomputed when a due date passes, kept for the Front without it
writing anything else, and read at a fixed number of statements whatever the number of wards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, current_app

from app.law.book import legal_book
from app.local_time import local_today
from app.models import Petition, PetitionStatus, RollupFigures, Unit, UnitKind
from app.models.unit import tenant_units_below
from app.periods import as_of, parse_period, period_choices
from app.plans.services import create_plans_for_wards
from app.rollups import figures
from tests.conftest import YEAR, everything, login
from tests.factories import UnitFactory
from tests.test_demo_records import run_demo
from tests.test_records import RECEPTION
from tests.test_rollups import counted_queries

TODAY = date(2025, 8, 20)


def _book():  # type: ignore[no-untyped-def]
    return legal_book(Path(current_app.config["TENANTS_DIR"]) / "legal")


def _kept(session, year: int, period: str) -> dict[int, dict[str, float | None]]:  # type: ignore[no-untyped-def]
    with everything(session):
        rows = session.execute(sa.select(RollupFigures.unit_id, *(getattr(RollupFigures, k) for k in figures.COUNTS))
                               .where(RollupFigures.year == year, RollupFigures.period == period))
        return {row[0]: dict(zip(figures.COUNTS, row[1:], strict=True)) for row in rows}


def _from_scratch(session, town: Unit, period: str, today: date) -> dict[int, dict[str, float | None]]:  # type: ignore[no-untyped-def]
    with everything(session):
        wards = tenant_units_below(session, town)
        return figures.computed(session, wards, YEAR, parse_period(period), today=today, book=_book())


def _keep_all(session, town: Unit, today: date) -> None:  # type: ignore[no-untyped-def]
    with everything(session):
        for period in period_choices(YEAR):
            figures.kept(session, tenant_units_below(session, town), YEAR, period, today=today, book=_book())
            figures.keep_pending(session)


def test_kept_figures_equal_the_records_recomputed_from_scratch(app: Flask, as_user, session, units):  # type: ignore[no-untyped-def]
    run_demo(app)  # a year of records in two wards: tasks, receptions, petitions with deadlines, …
    town = units["bim-son"]
    _keep_all(session, town, TODAY)
    # The ward goes on writing through the pages: a reception, a petition resolved, progress on a task.
    office = as_user("office@phu-son")
    assert office.post("/u/phu-son/receptions/new", data=RECEPTION).status_code == 302
    with everything(session):
        petition = session.scalars(sa.select(Petition).where(
            Petition.unit_id == units["phu-son"].id, Petition.status != PetitionStatus.RESOLVED)).first()
        assert petition is not None
        petition.status, petition.closed_on = PetitionStatus.RESOLVED, date(2025, 8, 1)
        session.flush()
    _keep_all(session, town, TODAY)
    for period in period_choices(YEAR):
        kept = _kept(session, YEAR, period)
        assert kept == _from_scratch(session, town, period, TODAY), period
        assert set(kept) == {u.id for u in tenant_units_below(session, town)}
    assert any(k["receptions_held"] for k in _kept(session, YEAR, str(YEAR)).values())


@pytest.mark.parametrize("listed", [500, 0])  # the units' versions read by their ids, or with every unit's
def test_a_write_makes_its_wards_figures_stale_at_once(app: Flask, as_user, users, session, units, monkeypatch,  # type: ignore[no-untyped-def]
                                                       listed):
    monkeypatch.setattr(figures, "LISTED_UNITS", listed)
    admin = login(app.test_client(), users["admin@bim-son"])
    admin.get("/u/bim-son/rollup/2025?period=2025-Q2")
    before = _kept(session, YEAR, "2025-Q2")
    computed = sa.select(RollupFigures.unit_id, RollupFigures.computed_at).where(RollupFigures.period == "2025-Q2")
    with everything(session):
        computed_before = dict(session.execute(computed).tuples().all())
    with everything(session):
        versions = dict(session.execute(sa.select(Unit.id, Unit.data_version)).tuples().all())
    assert as_user("office@phu-son").post("/u/phu-son/receptions/new", data=RECEPTION).status_code == 302
    with everything(session):
        after = dict(session.execute(sa.select(Unit.id, Unit.data_version)).tuples().all())
    assert after[units["phu-son"].id] == versions[units["phu-son"].id] + 1
    assert {k: v for k, v in after.items() if k != units["phu-son"].id} == \
        {k: v for k, v in versions.items() if k != units["phu-son"].id}
    response = admin.get("/u/bim-son/rollup/2025?period=2025-Q2")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    held = before[units["phu-son"].id]["receptions_held"] or 0
    assert _kept(session, YEAR, "2025-Q2")[units["phu-son"].id]["receptions_held"] == held + 1
    with everything(session):
        computed_after = dict(session.execute(computed).tuples().all())
    assert {k for k in computed_before if computed_after[k] != computed_before[k]} == {units["phu-son"].id}
    assert "/u/phu-son/receptions?year=2025&amp;period=2025-Q2" in page


def test_figures_are_recomputed_when_a_due_date_passes(session, units):  # type: ignore[no-untyped-def]
    town, period = units["bim-son"], parse_period("2025")
    assert figures.figures_day(YEAR, period, date(2025, 5, 31)) == date(2025, 4, 30)
    assert figures.figures_day(YEAR, period, date(2025, 6, 1)) == date(2025, 5, 31)
    assert figures.figures_day(YEAR, period, date(2025, 1, 15)) == date(2024, 12, 31)
    with everything(session):
        wards = tenant_units_below(session, town)
        may = figures.kept(session, wards, YEAR, period, today=date(2025, 5, 20), book=_book())
        figures.keep_pending(session)
        june = figures.kept(session, wards, YEAR, period, today=date(2025, 6, 2), book=_book())
        figures.keep_pending(session)
        kept_as_of = set(session.scalars(sa.select(RollupFigures.as_of).where(RollupFigures.period == "2025")))
    assert kept_as_of == {date(2025, 5, 31)}
    # A monthly task not reported for May is overdue from 1 June on, not before.
    phu_son = units["phu-son"].id
    assert (june[phu_son]["tasks_overdue"] or 0) >= (may[phu_son]["tasks_overdue"] or 0)
    assert june == _from_scratch(session, town, "2025", date(2025, 6, 2))


def test_the_front_keeps_figures_and_writes_nothing_else(as_user, session, units):  # type: ignore[no-untyped-def]
    def other_rows() -> dict[str, int]:
        with everything(session):
            return {t.name: session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in RollupFigures.metadata.sorted_tables if t.name != "rollup_figures"}

    front = as_user("front@bim-son")
    before = other_rows()
    response = front.get("/u/bim-son/rollup/2025")
    assert response.status_code == 200
    assert _kept(session, YEAR, "2025")  # what the Front saw is kept for the next reader
    assert other_rows() == before
    assert front.post("/u/phu-son/receptions/new", data=RECEPTION).status_code in (403, 404)


def test_the_rollup_costs_a_fixed_number_of_queries_kept_or_computed(as_user, session, units):  # type: ignore[no-untyped-def]
    client = as_user("admin@bim-son")
    client.get("/u/bim-son/rollup/2025")  # warms the legal calendar cache and keeps the figures
    with counted_queries() as kept_few:
        assert client.get("/u/bim-son/rollup/2025").status_code == 200
    with everything(session):
        session.execute(sa.update(Unit).values(data_version=Unit.data_version + 1))  # every ward's figures stale
    with counted_queries() as computed_few:
        assert client.get("/u/bim-son/rollup/2025").status_code == 200
    with everything(session):
        for n in range(20):
            UnitFactory(slug=f"phuong-them-{n}", name=f"Phường thêm {n}", kind=UnitKind.WARD,
                        parent_id=units["bim-son"].id)
        create_plans_for_wards(session, units["bim-son"], YEAR)
        session.flush()
    with counted_queries() as computed_more:
        page = client.get("/u/bim-son/rollup/2025")
    with counted_queries() as kept_more:
        assert client.get("/u/bim-son/rollup/2025").status_code == 200
    assert "Phường thêm 19" in page.get_data(as_text=True)
    print(f"rollup statements: kept {len(kept_few)} / {len(kept_more)}, computed {len(computed_few)} / "
          f"{len(computed_more)} (8 / 28 wards)")
    assert len(kept_more) == len(kept_few)
    assert len(computed_more) == len(computed_few)
    assert len(kept_few) < len(computed_few)


def test_flask_rollups_keep_computes_every_wards_figures_ahead_of_the_first_reader(app: Flask, session, units):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["rollups", "keep", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "wards and communes, 19 periods" in result.output
    day = as_of(YEAR, local_today())
    for period in ("2025", "2025-H1", "2025-Q3", "2025-12"):
        kept = _kept(session, YEAR, period)
        expected = _from_scratch(session, units["thanh-hoa"], period, day)
        assert set(expected) <= set(kept) and {k: kept[k] for k in expected} == expected


def test_the_api_rollup_keeps_each_wards_indicators_equal_to_the_records(app: Flask, as_user, users, session, units):  # type: ignore[no-untyped-def]
    """The API's rollup reads each ward's indicators kept beside its figures: equal to the records computed
    from scratch after a ward writes, whether the rollup page recomputed that ward's figures first or not,
    and the other wards' rows not computed again."""
    from app.api.services import issue_token
    from app.indicators.services import rollup_values

    _token, secret = issue_token(session, users["admin@bim-son"], "tests")
    session.commit()
    api, page = app.test_client(), login(app.test_client(), users["admin@bim-son"])
    address, headers = "/api/v1/u/bim-son/rollup/2025?period=2025-Q1", {"Authorization": f"Bearer {secret}"}

    def served() -> dict[str, list[dict]]:
        response = api.get(address, headers=headers)
        assert response.status_code == 200
        return {ward["unit"]["slug"]: ward["indicators"] for ward in response.get_json()["wards"]}

    def from_scratch() -> dict[str, list[dict]]:
        with everything(session):
            wards = tenant_units_below(session, units["bim-son"])
            values = rollup_values(session, wards, YEAR, "2025-Q1", today=as_of(YEAR, local_today()), book=_book())
            return {u.slug: [r.as_data() for r in values[u.id]] for u in wards}

    def computed_at() -> dict[int, object]:
        with everything(session):
            return dict(session.execute(sa.select(RollupFigures.unit_id, RollupFigures.computed_at)
                                        .where(RollupFigures.period == "2025-Q1")).tuples().all())

    def held(indicators: list[dict]) -> int:
        return next(i["value"] for i in indicators if i["code"] == "receptions_held")

    first = served()
    assert first == from_scratch() and any(first.values())
    kept_at = computed_at()
    for reader in ("page first", "api alone"):
        assert as_user("office@phu-son").post("/u/phu-son/receptions/new",
                                             data={**RECEPTION, "held_on": "10/02/2025"}).status_code == 302
        if reader == "page first":  # the page recomputes the figures alone: the indicators kept are dropped
            assert page.get("/u/bim-son/rollup/2025?period=2025-Q1").status_code == 200
        now = served()
        assert now == from_scratch(), reader
        assert held(now["phu-son"]) == held(first["phu-son"]) + (1 if reader == "page first" else 2)
        again = computed_at()
        assert {k: v for k, v in again.items() if k != units["phu-son"].id} == \
            {k: v for k, v in kept_at.items() if k != units["phu-son"].id}
