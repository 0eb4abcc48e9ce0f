"""Periodic reports: drafted in the ward, approved and sent up by the chairman with the indicator
values frozen, acknowledged or returned by the town; the town sees who sent on time, late, or not yet."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from app.models import AuditEntry, Reception, Report, ReportKind, ReportStatus, UnitKind
from tests.conftest import everything, label_of
from tests.factories import UnitFactory

NARRATIVE = {
    "title": "Báo cáo tổng kết công tác dân vận chính quyền năm 2025",
    "number": "12/BC-UBND",
    "due_on": "15/12/2025",
    "results": "Tổ chức 52 buổi tiếp công dân",
    "strengths_shortcomings": "Ưu điểm: kịp thời. Hạn chế: còn chậm ở khu phố 3 do thiếu cán bộ.",
    "direction": "Đẩy mạnh đối thoại",
    "proposals": "Đề nghị thị xã bố trí kinh phí",
}


def _report(session, unit, **where) -> Report:  # type: ignore[no-untyped-def]
    with everything(session):
        return session.scalar(sa.select(Report).where(Report.unit_id == unit.id, *[
            getattr(Report, k) == v for k, v in where.items()]).order_by(Report.id.desc()).limit(1))


def _fresh(session, report_id: int) -> Report:  # type: ignore[no-untyped-def]
    session.expire_all()
    with everything(session):
        return session.get(Report, report_id)


def _actions(session, report_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with everything(session):
        return list(session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type.in_(["Report", "reports"]), AuditEntry.object_id == report_id)
            .order_by(AuditEntry.id)
        ))


def _version(session, report_id: int) -> int:  # type: ignore[no-untyped-def]
    return _fresh(session, report_id).version


def test_the_full_flow_from_ward_to_town_and_back(as_user, session, units):
    office = as_user("office@phu-son")
    assert office.get("/u/phu-son/reports/new?kind=annual").status_code == 200
    response = office.post("/u/phu-son/reports/new", data={"kind": "annual", "year": "2025"})
    assert response.status_code == 302
    report = _report(session, units["phu-son"], kind=ReportKind.ANNUAL)
    assert report.period == "2025" and report.due_on == date(2025, 12, 15) and report.status == ReportStatus.DRAFT

    page = office.get(f"/u/phu-son/reports/{report.id}/edit")
    assert page.status_code == 200
    response = office.post(f"/u/phu-son/reports/{report.id}/edit",
                           data={**NARRATIVE, "version": _version(session, report.id)})
    assert response.status_code == 302
    shown = office.get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True)
    assert "thiếu cán bộ" in shown and "sẽ được chốt" in shown
    assert "Kỳ Năm 2025" in shown and "Các chỉ tiêu kỳ Năm 2025" in shown  # the period in words (issue 16)
    assert "<td>Năm 2025</td>" in office.get("/u/phu-son/reports/").get_data(as_text=True)
    assert f'action="/u/phu-son/reports/{report.id}/send"' not in shown  # office drafts, the chairman sends

    culture = as_user("culture@phu-son")
    response = culture.post(f"/u/phu-son/reports/{report.id}/edit",
                            data={**NARRATIVE, "proposals": "Góp ý của văn hóa", "version": _version(session, report.id)})
    assert response.status_code == 302

    chairman = as_user("chairman@phu-son")
    assert chairman.post(f"/u/phu-son/reports/{report.id}/send").status_code == 302
    sent = _fresh(session, report.id)
    assert sent.status == ReportStatus.SENT and sent.sent_by == label_of("chairman@phu-son") and sent.sent_on is not None
    assert {row["code"] for row in sent.frozen_indicators} >= {"receptions_held", "tasks_done_percent"}
    assert sent.proposals == "Góp ý của văn hóa"

    admin = as_user("admin@bim-son")
    page = admin.get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True)
    assert "Số liệu đã chốt khi gửi báo cáo." in page and "Tiếp nhận" in page
    refused = admin.post(f"/u/phu-son/reports/{report.id}/return", data={"comment": "  "})
    assert refused.status_code == 400
    assert "lý do trả lại" in refused.get_data(as_text=True)
    assert _fresh(session, report.id).status == ReportStatus.SENT
    assert admin.post(f"/u/phu-son/reports/{report.id}/return",
                      data={"comment": "Bổ sung số liệu đơn thư"}).status_code == 302
    returned = _fresh(session, report.id)
    assert returned.status == ReportStatus.RETURNED and returned.review_comment == "Bổ sung số liệu đơn thư"

    office = as_user("office@phu-son")
    assert "Bổ sung số liệu đơn thư" in office.get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True)
    assert office.post(f"/u/phu-son/reports/{report.id}/edit",
                       data={**NARRATIVE, "results": "Đã bổ sung", "version": _version(session, report.id)}
                       ).status_code == 302
    assert as_user("chairman@phu-son").post(f"/u/phu-son/reports/{report.id}/send").status_code == 302
    admin = as_user("admin@bim-son")
    assert admin.post(f"/u/phu-son/reports/{report.id}/acknowledge", data={"comment": ""}).status_code == 302
    done = _fresh(session, report.id)
    assert done.status == ReportStatus.ACKNOWLEDGED and done.reviewed_by == label_of("admin@bim-son")
    # Acknowledged without a comment: said in a line, no empty comment box (issue 16).
    shown = admin.get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True)
    assert "không có ý kiến" in shown and '<p class="prewrap"></p>' not in shown
    actions = _actions(session, report.id)
    for action in ("report.send", "report.return", "report.acknowledge"):
        assert action in actions
    # Acknowledged: the town cannot return it any more, nor can the ward send it again.
    assert admin.post(f"/u/phu-son/reports/{report.id}/return", data={"comment": "x"}).status_code == 409
    assert as_user("chairman@phu-son").post(f"/u/phu-son/reports/{report.id}/send").status_code == 409


def test_one_review_per_period_and_a_requested_report_needs_a_due_date(as_user, session, units):
    office = as_user("office@phu-son")
    again = office.post("/u/phu-son/reports/new", data={"kind": "six_month", "year": "2025"})
    assert again.status_code == 409 and "đã có báo cáo" in again.get_data(as_text=True)
    assert office.post("/u/phu-son/reports/new",
                       data={"kind": "requested", "year": "2025", "period": "2025-Q3"}).status_code == 400
    response = office.post("/u/phu-son/reports/new",
                           data={"kind": "requested", "year": "2025", "period": "2025-Q3", "due_on": "05/10/2025"})
    assert response.status_code == 302
    requested = _report(session, units["phu-son"], kind=ReportKind.REQUESTED)
    assert requested.period == "2025-Q3" and requested.due_on == date(2025, 10, 5)
    assert office.post("/u/phu-son/reports/new", data={"kind": "annual", "year": "2031"}).status_code == 400  # no plan


def _receptions_held(rows) -> float:  # type: ignore[no-untyped-def]
    return next(r["value"] for r in rows if r["code"] == "receptions_held")


def _shown_value(html: str, code: str) -> str:
    match = re.search(rf'data-code="{code}"><td>[^<]*</td><td class="num">([^<]*)</td>', html)
    assert match, code
    return match.group(1)


def test_frozen_values_do_not_change_when_records_are_added(as_user, session, units):
    report = _report(session, units["phu-son"], kind=ReportKind.SIX_MONTH)
    chairman = as_user("chairman@phu-son")
    before = _shown_value(chairman.get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True), "receptions_held")
    assert chairman.post(f"/u/phu-son/reports/{report.id}/send").status_code == 302
    frozen = _fresh(session, report.id).frozen_indicators
    with everything(session):
        session.add(Reception(unit_id=units["phu-son"].id, held_on=date(2025, 4, 2), host="Chủ tịch UBND",
                              citizens=2, cases=1))
        session.flush()
    page = chairman.get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True)
    assert _fresh(session, report.id).frozen_indicators == frozen
    assert _shown_value(page, "receptions_held") == before
    # The plan's live indicator page does count the new reception.
    live = chairman.get("/u/phu-son/plans/2025/indicators?period=2025-H1").get_data(as_text=True)
    assert str(int(_receptions_held(frozen)) + 1) in live


def test_a_sent_report_is_not_editable_until_returned(as_user, session, units):
    report = _report(session, units["quang-trung"], kind=ReportKind.SIX_MONTH)
    assert as_user("chairman@quang-trung").post(f"/u/quang-trung/reports/{report.id}/send").status_code == 302
    office = as_user("chairman@quang-trung")
    refused = office.get(f"/u/quang-trung/reports/{report.id}/edit")
    assert refused.status_code == 409
    assert "Báo cáo đã gửi lên cấp trên nên không thể sửa" in refused.get_data(as_text=True)
    post = office.post(f"/u/quang-trung/reports/{report.id}/edit",
                       data={**NARRATIVE, "version": _version(session, report.id)})
    assert post.status_code == 409
    assert _fresh(session, report.id).results == "Đã triển khai kế hoạch"
    assert as_user("admin@bim-son").post(f"/u/quang-trung/reports/{report.id}/return",
                                         data={"comment": "Viết lại phần hạn chế"}).status_code == 302
    assert as_user("chairman@quang-trung").get(f"/u/quang-trung/reports/{report.id}/edit").status_code == 200


def test_a_stale_edit_is_a_conflict(as_user, session, units):
    report = _report(session, units["phu-son"], kind=ReportKind.SIX_MONTH)
    office = as_user("office@phu-son")
    response = office.post(f"/u/phu-son/reports/{report.id}/edit",
                           data={**NARRATIVE, "due_on": "15/06/2025", "version": report.version - 1 or 99})
    assert response.status_code == 409
    assert _fresh(session, report.id).results == "Đã triển khai kế hoạch"


def test_another_towns_admin_sees_none_of_it(as_user, session, units):
    report = _report(session, units["phu-son"], kind=ReportKind.SIX_MONTH)
    stranger = as_user("admin@sam-son")
    for path in (f"/u/phu-son/reports/{report.id}", "/u/phu-son/reports/", "/u/bim-son/reports/status"):
        assert stranger.get(path).status_code == 404
    for step in ("acknowledge", "return"):
        assert stranger.post(f"/u/phu-son/reports/{report.id}/{step}", data={"comment": "x"}).status_code == 404
    # Its own town's ward, with a Bỉm Sơn report id under it: still 404.
    assert stranger.get(f"/u/truong-son/reports/{report.id}").status_code == 404


def test_the_front_reads_and_is_refused_every_write(as_user, session, units):
    report = _report(session, units["phu-son"], kind=ReportKind.SIX_MONTH)
    for account in ("front@phu-son", "front@bim-son"):
        front = as_user(account)
        page = front.get(f"/u/phu-son/reports/{report.id}")
        assert page.status_code == 200 and "Duyệt và gửi" not in page.get_data(as_text=True)
        assert front.post(f"/u/phu-son/reports/{report.id}/send").status_code == 403
        assert front.post(f"/u/phu-son/reports/{report.id}/edit", data=NARRATIVE).status_code == 403
        assert front.post(f"/u/phu-son/reports/{report.id}/return", data={"comment": "x"}).status_code == 403
    assert as_user("front@bim-son").get("/u/bim-son/reports/status?year=2025").status_code == 200


def _states(html: str, slug: str) -> list[str]:
    row = re.search(rf'<tr id="ward-{slug}">(.*?)</tr>', html, re.DOTALL)
    assert row, slug
    return re.findall(r'data-state="(\w+)"', row.group(1))


def test_the_town_sees_who_sent_on_time_late_or_not_yet(as_user, session, units):
    with everything(session):
        for slug, sent_on in (("phu-son", date(2025, 6, 10)), ("quang-trung", date(2025, 7, 2))):
            report = _report(session, units[slug], kind=ReportKind.SIX_MONTH)
            report.status, report.sent_on, report.frozen_indicators = ReportStatus.SENT, sent_on, []
        session.flush()
    page = as_user("admin@bim-son").get("/u/bim-son/reports/status?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _states(html, "phu-son")[0] == "on_time"
    assert _states(html, "quang-trung")[0] == "late"
    assert _states(html, "ha-lan") == ["overdue", "overdue"]  # no report at all, due dates of 2025 passed
    assert "Gửi trễ hạn" in html and "Gửi đúng hạn" in html
    future = as_user("admin@bim-son").get("/u/bim-son/reports/status?year=2099").get_data(as_text=True)
    assert _states(future, "phu-son") == ["not_yet", "not_yet"]
    # Only the wards with a late report, every count still over all wards.
    late = as_user("admin@bim-son").get("/u/bim-son/reports/status?year=2025&state=late").get_data(as_text=True)
    assert _states(late, "quang-trung")[0] == "late" and 'id="ward-phu-son"' not in late
    assert "Gửi đúng hạn: 1" in late and 'aria-current="true"' in late


def test_the_status_page_costs_the_same_queries_for_any_number_of_wards(app, as_user, session, units):
    from sqlalchemy import event

    from app.extensions import db

    counted: list[str] = []

    def count(*args):  # type: ignore[no-untyped-def]
        counted.append(args[2])

    client = as_user("admin@bim-son")
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/u/bim-son/reports/status?year=2025")
        eight = len(counted)
        with everything(session):
            for n in range(20):
                UnitFactory(slug=f"phuong-bao-cao-{n}", name=f"Phường {n}", kind=UnitKind.WARD,
                            parent_id=units["bim-son"].id)
            session.flush()
        counted.clear()
        page = client.get("/u/bim-son/reports/status?year=2025")
        more = len(counted)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "Phường 19" in page.get_data(as_text=True)
    assert eight == more


def test_the_demo_has_one_late_report(app, as_user, session, units):
    from pathlib import Path

    from app.demo_records import add_demo_reports
    from app.law.book import legal_book

    book = legal_book(Path(app.config["TENANTS_DIR"]) / "legal")
    with everything(session):
        for slug in ("phu-son", "quang-trung"):
            session.delete(_report(session, units[slug], kind=ReportKind.SIX_MONTH))
        session.flush()
        wards = {slug: units[slug] for slug in ("phu-son", "quang-trung")}
        assert add_demo_reports(session, wards, 2025, book, date(2026, 1, 10)) == 2
        assert add_demo_reports(session, wards, 2025, book, date(2026, 1, 10)) == 0
    html = as_user("admin@bim-son").get("/u/bim-son/reports/status?year=2025").get_data(as_text=True)
    assert _states(html, "phu-son")[0] == "on_time"
    assert _states(html, "quang-trung")[0] == "late"
    assert _report(session, units["phu-son"], kind=ReportKind.SIX_MONTH).status == ReportStatus.ACKNOWLEDGED


def test_a_new_report_offers_the_years_with_a_plan(as_user, monkeypatch):
    """Issue 16: the form defaulted to the calendar year even when that year had no plan."""
    import re

    monkeypatch.setattr("app.reports.routes.local_today", lambda: date(2026, 12, 2))
    page = as_user("office@phu-son").get("/u/phu-son/reports/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="year".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option[^>]*value="(\d+)"', select) == ["2025"]  # the baseline's only plan
    assert re.search(r'<option selected value="2025"|<option value="2025" selected', select)
    refused = as_user("office@phu-son").post("/u/phu-son/reports/new", data={"kind": "annual", "year": "2026"})
    assert refused.status_code == 400 and "Lựa chọn không hợp lệ" in refused.get_data(as_text=True)


def test_sending_needs_a_number_and_every_section(as_user, session, units):
    """Issue 16: a report went up with no number and empty sections; the chairman is told what is missing."""
    report = _report(session, units["phu-son"], kind=ReportKind.SIX_MONTH)
    office = as_user("office@phu-son")
    for changes, message in (({"number": ""}, "Hãy ghi số văn bản của báo cáo"),
                             ({"direction": " ", "proposals": ""}, "Phương hướng, nhiệm vụ kỳ tới; Đề xuất, kiến nghị")):
        response = office.post(f"/u/phu-son/reports/{report.id}/edit",
                               data={**NARRATIVE, **changes, "version": _version(session, report.id)})
        assert response.status_code == 302
        chairman = as_user("chairman@phu-son")
        refused = chairman.post(f"/u/phu-son/reports/{report.id}/send")
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
        assert _fresh(session, report.id).status == ReportStatus.DRAFT
        office = as_user("office@phu-son")
    page = as_user("chairman@phu-son").get(f"/u/phu-son/reports/{report.id}").get_data(as_text=True)
    assert "data-confirm=" in page.split('action="/u/phu-son/reports/%d/send"' % report.id)[1].split(">")[0]
