"""The ward's home for the year: indicators against targets, late tasks, petitions due, receptions
missing this month, and a to-do list in the words of the signed-in official's role."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.models import Petition, PetitionKind, Reception
from app.periods import as_of
from app.units.services import weeks_without_reception
from app.web.page_cache import fragments, pages
from tests.conftest import everything


def test_a_past_year_is_judged_on_its_last_day():
    assert as_of(2025, date(2026, 11, 25)) == date(2025, 12, 31)
    assert as_of(2026, date(2026, 11, 25)) == date(2026, 11, 25)


def test_weeks_without_a_reception_in_the_month(session, units):
    phu_son = units["phu-son"]
    with everything(session):
        # March 2025: weeks Mon 3–9, 10–16 (the baseline has one on 10/03), 17–23, 24–30; Sun 2/3 ends Feb's week
        session.add(Reception(unit_id=phu_son.id, held_on=date(2025, 3, 19), host="Chủ tịch UBND"))
        session.flush()
        missing = weeks_without_reception(session, phu_son, date(2025, 3, 31))
    assert missing == [(date(2025, 2, 24), date(2025, 3, 2)), (date(2025, 3, 3), date(2025, 3, 9)),
                       (date(2025, 3, 24), date(2025, 3, 30))]


def test_the_dashboard_shows_indicators_and_what_to_do(as_user):
    page = as_user("office@phu-son").get("/u/phu-son/?year=2025").get_data(as_text=True)
    assert "Chỉ tiêu năm 2025" in page and "Việc cần làm" in page
    assert "Hoàn thiện dự thảo kế hoạch và trình Chủ tịch ban hành." in page  # office, draft plan
    assert "Tiếp công dân trong tháng" in page
    chairman = as_user("chairman@phu-son").get("/u/phu-son/?year=2025").get_data(as_text=True)
    assert "Hoàn thiện dự thảo" not in chairman and "Tổ chức tiếp công dân" in chairman


def test_a_petition_due_soon_is_listed(as_user, session, units):
    with everything(session):
        session.add(Petition(unit_id=units["phu-son"].id, received_on=date(2025, 12, 22),
                             kind=PetitionKind.RECOMMENDATION, summary="Kiến nghị sửa đường ngõ 5"))
        session.flush()
    page = as_user("chairman@phu-son").get("/u/phu-son/?year=2025").get_data(as_text=True)
    # classification: 10 working days from Mon 22/12/2025 (1/1 is a holiday) → 06/01/2026, which is
    # 3 working days after 31/12/2025, the day the 2025 dashboard is judged on
    assert "Kiến nghị sửa đường ngõ 5" in page and "hạn 06/01/2026" in page
    assert "đơn thư sắp hoặc đã quá hạn" in page


def test_the_front_sees_the_dashboard_without_a_to_do_list(as_user):
    page = as_user("front@phu-son").get("/u/phu-son/?year=2025")
    assert page.status_code == 200
    assert "Việc cần làm" not in page.get_data(as_text=True)


def test_the_dashboard_costs_a_fixed_number_of_queries(app, as_user, session, units):
    from app.extensions import db

    client = as_user("office@phu-son")
    counted: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        counted.append(statement)

    client.get("/u/phu-son/?year=2025")  # first-request work (and the session's form secret)
    fragments.clear()  # the dashboard is computed again, not served as kept
    pages.clear()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/u/phu-son/?year=2025")
        first = len(counted)
        with everything(session):
            for n in range(20):
                session.add(Reception(unit_id=units["phu-son"].id, held_on=date(2025, 6, 1 + n), host="x"))
                session.add(Petition(unit_id=units["phu-son"].id, received_on=date(2025, 12, 20),
                                     kind=PetitionKind.FEEDBACK, summary=f"Phản ánh {n}"))
            session.flush()
        counted.clear()
        client.get("/u/phu-son/?year=2025")
        assert len(counted) == first
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_every_computed_figure_links_to_the_records_behind_it(as_user):
    page = as_user("chairman@phu-son").get("/u/phu-son/?year=2025").get_data(as_text=True)
    for target in ("/u/phu-son/receptions?year=2025", "/u/phu-son/petitions?year=2025",
                   "/u/phu-son/plans/2025/progress", "/u/phu-son/posts?year=2025",
                   "/u/phu-son/meetings?year=2025", "/u/phu-son/models?year=2025", "/u/phu-son/dialogues?year=2025"):
        assert f'href="{target}"' in page, target


def test_the_tet_week_is_not_counted_as_missing_a_reception(session, units):
    from app.law.working_days import WorkingCalendar

    tet = WorkingCalendar(extra_days_off=frozenset(date(2025, 1, 27 + n) for n in range(5))
                          | frozenset({date(2025, 2, 1), date(2025, 2, 2)}))
    with everything(session):
        missing = weeks_without_reception(session, units["phu-son"], date(2025, 2, 9), tet)
    assert missing == [(date(2025, 2, 3), date(2025, 2, 9))]  # the Tết week (27/1–2/2) had no working day


def test_a_huge_year_falls_back_to_this_year(as_user):
    assert as_user("chairman@phu-son").get("/u/phu-son/?year=10000").status_code == 200


def _card(page: str, name: str) -> str:
    start = page.rindex('<div class="card', 0, page.index(name))
    return page[start:page.index("</div>", page.index(name))]


def test_a_lower_is_better_indicator_is_met_only_at_or_below_its_target(as_user):
    """Issue 16: "Số nhiệm vụ quá hạn: 2, Chỉ tiêu: 0" was green. Each card says it in words too."""
    page = as_user("chairman@phu-son").get("/u/phu-son/?year=2025").get_data(as_text=True)
    overdue = _card(page, "Số nhiệm vụ quá hạn")
    value = int(overdue.split('<p class="card-value">')[1].split()[0])
    assert value > 0  # judged on 31/12/2025, the baseline has tasks left undone
    assert "Chỉ tiêu: tối đa 0" in overdue
    assert 'class="card behind"' in overdue and "Chưa đạt" in overdue
    done = _card(page, "Tỷ lệ nhiệm vụ đã hoàn thành")
    assert 'class="card behind"' in done and "Chưa đạt" in done  # 100 % is far in a plan's first year


def test_reached_follows_the_direction_of_the_measure(session, units):
    from app.indicators.services import IndicatorResult
    from app.models import IndicatorDefinition
    from app.periods import parse_period

    def result(measure: str, value: float, target: float) -> IndicatorResult:
        definition = IndicatorDefinition(register="tasks", measure=measure, target=target)
        return IndicatorResult(definition, parse_period("2025"), value)

    assert result("count_overdue", 2, 0).reached is False and result("count_overdue", 0, 0).reached is True
    assert result("count_done", 2, 0).reached is True and result("count_done", 2, 5).reached is False
