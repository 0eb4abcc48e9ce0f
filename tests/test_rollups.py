"""The parent unit's rollup dashboard and the overdue list across wards: figures, totals, sorting,
drill-down, charts, permissions and a fixed number of SQL queries whatever the number of wards."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Petition, PetitionKind, PetitionStatus, Role, Unit, UnitKind
from app.plans.services import create_plans_for_wards
from tests.conftest import YEAR, everything
from tests.factories import UnitFactory


@contextmanager
def counted_queries():  # type: ignore[no-untyped-def]
    counted: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        counted.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_town_sees_every_ward_side_by_side_with_totals(as_user):
    response = as_user("admin@bim-son").get("/u/bim-son/rollup/2025")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Phú Sơn" in page and "Quang Trung" in page and "Tổng cộng" in page
    assert "Trường Sơn" not in page  # another town's ward
    assert "<svg" in page and "<script" not in page.split("</header>")[-1]


def test_every_figure_links_to_the_wards_records(as_user):
    page = as_user("admin@bim-son").get("/u/bim-son/rollup/2025?period=2025-Q1").get_data(as_text=True)
    for target in ("/u/phu-son/receptions?year=2025&amp;period=2025-Q1", "/u/phu-son/petitions?year=2025",
                   "/u/phu-son/plans/2025/progress", "/u/phu-son/models?year=2025&amp;period=2025-Q1",
                   "/u/phu-son/posts?year=2025&amp;period=2025-Q1", "/u/phu-son/dialogues?year=2025&amp;period=2025-Q1"):
        assert f'href="{target}"' in page, target


def test_an_unknown_period_is_not_found(as_user):
    assert as_user("admin@bim-son").get("/u/bim-son/rollup/2025?period=2024-Q1").status_code == 404


def test_a_ward_sees_only_itself(as_user):
    page = as_user("chairman@phu-son").get("/u/phu-son/rollup/2025").get_data(as_text=True)
    assert "Phú Sơn" in page and "Quang Trung" not in page
    assert as_user("chairman@phu-son").get("/u/bim-son/rollup/2025").status_code == 404


def test_totals_sum_counts_and_recompute_percentages_from_parts(session, units):
    from app.rollups.services import WardRollup, totals

    rows = [WardRollup(unit=units["phu-son"], petitions_resolved=1, petitions_on_time=1, tasks_total=10, tasks_done=1),
            WardRollup(unit=units["quang-trung"], petitions_resolved=9, petitions_on_time=0, tasks_total=10,
                       tasks_done=9)]
    total = totals(rows)
    assert total.petitions_resolved == 10 and total.on_time_percent == 10.0  # not the mean of 100 % and 0 %
    assert total.tasks_done_percent == 50.0


def test_the_rollup_figures_are_the_wards_indicators(as_user, session, units):
    from pathlib import Path

    from flask import current_app

    from app.law.book import legal_book
    from app.rollups.services import ward_rollups

    with everything(session):
        rows = ward_rollups(session, units["bim-son"], YEAR, "2025", today=date(2025, 12, 31),
                            book=legal_book(Path(current_app.config["TENANTS_DIR"]) / "legal"))
    by_slug = {r.unit.slug: r for r in rows}
    assert by_slug["phu-son"].receptions_held == 1 and by_slug["phu-son"].petitions_received == 1
    assert by_slug["phu-son"].dialogues == 1 and by_slug["phu-son"].posts == 1 and by_slug["phu-son"].models == 1
    assert by_slug["ha-lan"].receptions_held == 0
    assert by_slug["phu-son"].tasks_total and by_slug["phu-son"].receptions_required


def test_sorting_by_any_column_without_javascript(as_user):
    client = as_user("admin@bim-son")
    ascending = client.get("/u/bim-son/rollup/2025?sort=code").get_data(as_text=True)
    descending = client.get("/u/bim-son/rollup/2025?sort=code&dir=desc").get_data(as_text=True)
    body = lambda page: page.split('<tbody>')[1].split('</tbody>')[0]
    first_asc = body(ascending).split("<td>")[1].split("</td>")[0]
    first_desc = body(descending).split("<td>")[1].split("</td>")[0]
    assert first_asc < first_desc
    assert 'href="/u/bim-son/rollup/2025?sort=code&amp;dir=asc&amp;period=2025"' in descending
    for key in ("tasks_done_percent", "on_time_percent", "plan_status", "receptions_held", "bogus"):
        assert client.get(f"/u/bim-son/rollup/2025?sort={key}&dir=desc").status_code == 200


# The rollup's statement count, kept or computed: tests/test_rollup_figures.py


# --- overdue across wards -----------------------------------------------------------------------


def _late_petition(session, unit, summary="Tố cáo lấn chiếm vỉa hè"):  # type: ignore[no-untyped-def]
    with everything(session):
        petition = Petition(unit_id=unit.id, received_on=date(2025, 1, 6), kind=PetitionKind.DENUNCIATION,
                            summary=summary, handler="Văn phòng", petitioner_name="Lê Thị B")
        session.add(petition)
        session.flush()
    return petition


def test_the_overdue_list_shows_late_tasks_and_petitions_of_every_ward(as_user, session, units):
    _late_petition(session, units["quang-trung"])
    page = as_user("admin@bim-son").get("/u/bim-son/overdue?year=2025").get_data(as_text=True)
    assert "Tố cáo lấn chiếm vỉa hè" in page and "Quang Trung" in page
    assert "Nhiệm vụ" in page and "/u/phu-son/plans/2025/tasks/" in page
    assert "Trường Sơn" not in page


def test_the_overdue_list_filters_by_ward_kind_and_role(as_user, session, units):
    _late_petition(session, units["quang-trung"])
    client = as_user("admin@bim-son")
    only_qt = client.get("/u/bim-son/overdue?year=2025&ward=quang-trung").get_data(as_text=True)
    assert "/u/phu-son/plans" not in only_qt and "Tố cáo lấn chiếm vỉa hè" in only_qt
    petitions = client.get("/u/bim-son/overdue?year=2025&kind=denunciation").get_data(as_text=True)
    assert "/tasks/" not in petitions and "Tố cáo lấn chiếm vỉa hè" in petitions
    office = client.get("/u/bim-son/overdue?year=2025&role=office").get_data(as_text=True)
    assert "Tố cáo lấn chiếm vỉa hè" not in office and "/tasks/" in office  # petitions have no owner role
    culture = client.get("/u/bim-son/overdue?year=2025&kind=task&role=culture").get_data(as_text=True)
    assert "Công chức Văn phòng - Thống kê</td>" not in culture


def test_a_resolved_petition_is_not_overdue(as_user, session, units):
    petition = _late_petition(session, units["quang-trung"], "Đơn đã xong")
    with everything(session):
        petition.status, petition.closed_on, petition.classified_on = PetitionStatus.RESOLVED, date(2025, 3, 1), date(2025, 1, 7)
        session.flush()
    page = as_user("admin@bim-son").get("/u/bim-son/overdue?year=2025").get_data(as_text=True)
    assert "Đơn đã xong" not in page


def test_the_overdue_list_costs_a_fixed_number_of_queries(as_user, session, units):
    client = as_user("admin@bim-son")
    client.get("/u/bim-son/overdue?year=2025")
    with counted_queries() as baseline:
        client.get("/u/bim-son/overdue?year=2025")
    with everything(session):
        for n in range(20):
            ward = UnitFactory(slug=f"xa-them-{n}", name=f"Xã thêm {n}", kind=UnitKind.COMMUNE,
                               parent_id=units["bim-son"].id)
            session.add(Petition(unit_id=ward.id, received_on=date(2025, 1, 6), kind=PetitionKind.COMPLAINT,
                                 summary=f"Khiếu nại {n}"))
        create_plans_for_wards(session, units["bim-son"], YEAR)
        session.flush()
    with counted_queries() as more:
        page = client.get("/u/bim-son/overdue?year=2025").get_data(as_text=True)
    assert "Khiếu nại 19" in page
    print(f"overdue queries: baseline {len(baseline)}, +20 wards {len(more)}")
    assert len(more) == len(baseline)


def test_the_town_home_links_the_rollup_and_the_overdue_list(as_user):
    page = as_user("admin@bim-son").get("/u/bim-son/?year=2025").get_data(as_text=True)
    assert 'href="/u/bim-son/rollup/2025"' in page and 'href="/u/bim-son/overdue?year=2025"' in page


def test_the_front_of_the_town_sees_the_rollup(as_user):
    assert as_user("front@bim-son").get("/u/bim-son/rollup/2025").status_code == 200
    assert as_user("front@bim-son").get("/u/bim-son/overdue").status_code == 200
    assert Role.FRONT  # the Front reads; the permission matrix checks it writes nothing


def test_the_rollup_shows_each_wards_report_standing(as_user):
    page = as_user("admin@bim-son").get("/u/bim-son/rollup/2025").get_data(as_text=True)
    assert 'href="/u/phu-son/reports/"' in page
    assert "Sơ kết 6 tháng" in page or "6 tháng" in page


# --- many wards: pages, filters, totals and charts -------------------------------------------------


def _add_communes(session, units, count: int) -> None:  # type: ignore[no-untyped-def]
    with everything(session):
        for n in range(count):
            UnitFactory(slug=f"xa-them-{n:02d}", code=f"XT{n:03d}", name=f"Xã Thêm {n:02d}", kind=UnitKind.COMMUNE,
                        parent_id=units["bim-son"].id)
        create_plans_for_wards(session, units["bim-son"], YEAR)
        session.flush()


def _body(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def _footer(page: str) -> str:
    return page.split("<tfoot>")[1].split("</tfoot>")[0]


def test_many_wards_come_in_pages_with_totals_over_all_of_them(as_user, session, units):
    _add_communes(session, units, 60)  # 68 wards and communes below the town
    client = as_user("admin@bim-son")
    first = client.get("/u/bim-son/rollup/2025").get_data(as_text=True)
    second = client.get("/u/bim-son/rollup/2025?page=2").get_data(as_text=True)
    assert _body(first).count("<tr>") == 50 and _body(second).count("<tr>") == 18
    assert _footer(first) == _footer(second)  # the totals count every ward on every page
    assert "Trang 1 / 2" in first and 'href="/u/bim-son/rollup/2025?page=2&amp;period=2025&amp;sort=unit&amp;dir=asc"' in first
    assert "68 phường, xã" in first
    names = {n for page in (first, second) for n in ("Phú Sơn", "Xã Thêm 59") if n in _body(page)}
    assert names == {"Phú Sơn", "Xã Thêm 59"}


def test_the_rollup_filters_by_kind_plan_and_name_without_accents(as_user, session, units):
    _add_communes(session, units, 3)
    client = as_user("admin@bim-son")
    communes = _body(client.get("/u/bim-son/rollup/2025?kind=commune").get_data(as_text=True))
    assert "Xã Thêm 00" in communes and "Phú Sơn" not in communes
    found = client.get("/u/bim-son/rollup/2025?q=phu+son").get_data(as_text=True)
    assert "Phú Sơn" in _body(found) and "Quang Trung" not in _body(found)
    assert "1 trong 11 phường, xã phù hợp" in found
    nothing = client.get("/u/bim-son/rollup/2025?plan=none").get_data(as_text=True)
    assert "Không có phường, xã nào phù hợp với bộ lọc." in nothing  # every ward has its plan
    for bogus in ("kind=province", "plan=bogus", "under=phu-son", "page=999", "page=-1", "q=%00"):
        assert client.get(f"/u/bim-son/rollup/2025?{bogus}").status_code == 200, bogus


def test_a_province_filters_its_communes_by_the_town_they_are_under(as_user, session, units):
    from tests.factories import member

    with everything(session):
        admin = member("admin@thanh-hoa-test", units["thanh-hoa"], Role.TOWN_ADMIN)
    from tests.conftest import login

    client = login(as_user("admin@bim-son"), admin)
    page = client.get("/u/thanh-hoa/rollup/2025").get_data(as_text=True)
    assert '<option value="bim-son"' in page
    under = client.get("/u/thanh-hoa/rollup/2025?under=bim-son").get_data(as_text=True)
    assert "Phú Sơn" in _body(under)


def test_charts_show_the_highest_and_lowest_and_the_spread_when_wards_are_many(session, units):
    from app.rollups.services import WardRollup, chart

    rows = [WardRollup(unit=units["phu-son"], tasks_total=100, tasks_done=n) for n in range(30)]
    drawn = chart(rows + [WardRollup(unit=units["ha-lan"])], "tasks_done_percent", ends=10)
    assert len(drawn.shown) == 20 and drawn.cut_after == 10
    assert [r.tasks_done for r in drawn.shown[:2]] == [29, 28] and drawn.shown[-1].tasks_done == 0
    assert drawn.buckets[0] == 10 and drawn.buckets[1] == 10 and drawn.buckets[2] == 10 and drawn.without == 1
    few = chart(rows[:5], "tasks_done_percent")
    assert len(few.shown) == 5 and few.cut_after is None


def test_the_parent_home_pages_its_wards_and_counts_their_plans(as_user, session, units):
    _add_communes(session, units, 60)
    client = as_user("admin@bim-son")
    first = client.get("/u/bim-son/?year=2025").get_data(as_text=True)
    second = client.get("/u/bim-son/?year=2025&page=2").get_data(as_text=True)
    rows = lambda page: page.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")  # noqa: E731
    assert rows(first) == 50 and rows(second) == 18
    assert "68 phường, xã:" in first and "Trang 1 / 2" in first
    counts = first.split('id="plan-counts"')[1].split("</p>")[0]
    assert "Dự thảo: 68" in counts and "Chưa có kế hoạch: 0" in counts


def test_the_overdue_list_pages_and_filters_by_the_unit_between(as_user, session, units):
    from tests.conftest import login
    from tests.factories import member

    with everything(session):
        admin = member("admin@thanh-hoa-overdue", units["thanh-hoa"], Role.TOWN_ADMIN)
        for n in range(60):
            session.add(Petition(unit_id=units["phu-son"].id, received_on=date(2025, 2, 3), kind=PetitionKind.COMPLAINT,
                                 source="Trực tiếp", summary=f"Khiếu nại số {n:02d}"))
        session.flush()
    client = login(as_user("admin@bim-son"), admin)
    page = client.get("/u/thanh-hoa/overdue?year=2025").get_data(as_text=True)
    assert '<option value="bim-son"' in page and "Trang 1 / 2" in page
    under = client.get("/u/thanh-hoa/overdue?year=2025&under=bim-son&kind=complaint&page=2").get_data(as_text=True)
    assert "Khiếu nại số" in under and 'under=bim-son' in under


def test_the_parent_home_and_the_api_rollup_cost_the_same_statements_for_8_wards_or_68(app, as_user, users, session,
                                                                                        units):
    from app.api.services import issue_token
    from app.web.page_cache import pages as kept_pages

    client = as_user("admin@bim-son")
    _token, secret = issue_token(session, users["admin@bim-son"], "tests")
    session.commit()
    api = app.test_client()
    pages = ("/u/bim-son/?year=2025", "/u/bim-son/?year=2025&page=2")

    def counts() -> list[int]:
        found = []
        for page in pages:
            kept_pages.clear()  # the page rendered, not served again as kept
            with counted_queries() as statements:
                assert client.get(page).status_code == 200
            found.append(len(statements))
        with everything(session):  # every ward's kept indicators stale: computed, then kept
            session.execute(sa.update(Unit).values(data_version=Unit.data_version + 1))
        for _ in ("computed", "kept"):
            with counted_queries() as statements:
                assert api.get("/api/v1/u/bim-son/rollup/2025?per_page=50",
                               headers={"Authorization": f"Bearer {secret}"}).status_code == 200
            found.append(len(statements))
        return found

    client.get(pages[0])  # first-request work
    api.get("/api/v1/u/bim-son/rollup/2025", headers={"Authorization": f"Bearer {secret}"})  # the token's first use
    eight = counts()
    _add_communes(session, units, 60)
    assert counts() == eight
    assert eight[3] < eight[2]  # kept: no record read


def test_every_delay_in_the_overdue_list_is_counted_to_today_as_its_header_says(as_user, session, units):
    """Issue 16: tasks were counted to 31/12/2025 and petitions to today in one column ("31" beside "377")."""
    import re

    from app.local_time import local_today

    _late_petition(session, units["quang-trung"])
    page = as_user("admin@bim-son").get("/u/bim-son/overdue?year=2025").get_data(as_text=True)
    today = local_today()
    assert f"Số ngày quá hạn (tính đến {today:%d/%m/%Y})" in page
    rows = re.findall(r"<td>(\d\d/\d\d/\d{4})</td>\s*<td class=\"num\">(\d+)</td>", page)
    assert rows
    for due, days in rows:
        assert int(days) == (today - date(int(due[6:]), int(due[3:5]), int(due[:2]))).days


def test_the_overdue_list_counts_a_denunciations_extensions_in_its_due_date(as_user, session, units):
    """The extensions recorded move a complex denunciation's deadline in the overdue list as on its own page;
    a second petition of the same facts without extension keeps the first deadline."""
    from pathlib import Path

    from flask import current_app

    from app.law.book import legal_book
    from app.local_time import local_today
    from app.models import PetitionExtension
    from app.petitions.deadlines import deadline_of
    from app.rollups.services import OverdueFilters, overdue_items

    with everything(session):
        extended, plain = (Petition(unit_id=units["quang-trung"].id, received_on=date(2025, 1, 6),
                                    accepted_on=date(2025, 1, 10), status=PetitionStatus.IN_RESOLUTION,
                                    kind=PetitionKind.DENUNCIATION, complex_case=True, summary=summary)
                           for summary in ("Gia hạn một lần", "Không gia hạn"))
        session.add_all([extended, plain])
        session.flush()
        session.add(PetitionExtension(unit_id=extended.unit_id, petition_id=extended.id, decided_on=date(2025, 3, 1)))
        session.flush()
        book, today = legal_book(Path(current_app.config["TENANTS_DIR"]) / "legal"), local_today()
        _, items = overdue_items(session, units["bim-son"], 2025, OverdueFilters(kind="denunciation"), today=today,
                                 book=book, groups=[])
        due = {item.petition_id: item.due_on for item in items}
        assert due[extended.id] == deadline_of(extended, book, today, 1).due_on
        assert due[plain.id] == deadline_of(plain, book, today, 0).due_on < due[extended.id]
