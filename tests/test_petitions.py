"""The petitions register through HTTP: recording and editing, the status flow, extensions, the legal
deadline and days left for known dates, the petitioner's confidentiality (masked, and every showing
logged), accent-insensitive search, bad input, and another ward's ids."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.law.book import legal_book
from app.law.deadline_rules import rule_for
from app.models import AuditEntry, Petition, PetitionExtension, PetitionKind, PetitionStatus
from app.petitions.deadlines import deadline_of
from tests.conftest import everything, scoped_to

BASE = "/u/phu-son/petitions"
BOOK = legal_book(Path(__file__).resolve().parents[1] / "tenants" / "legal")
BASELINE_IDENTITY = ("Nguyễn Văn A", "Khu phố 1", "0912 000 000")
D = date


@pytest.fixture
def today(monkeypatch):
    """`today(date(...))` fixes the day the views take as today."""

    def fix(day: date) -> None:
        monkeypatch.setattr("app.petitions.routes.local_today", lambda: day)

    return fix


def _new(client, **fields):
    data = {
        "received_on": "22/01/2025",
        "kind": "complaint",
        "summary": "Khiếu nại việc thu hồi đất nông nghiệp",
        "source": "Trực tiếp",
        "petitioner_name": "Trần Thị Bình",
        "petitioner_address": "Thôn Đông, phường Phú Sơn",
        "petitioner_contact": "0987 654 321",
    }
    data.update(fields)
    return client.post(f"{BASE}/new", data=data)


def _created(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(re.search(r"/petitions/(\d+)$", response.headers["Location"]).group(1))


def _petition(session, petition_id: int) -> Petition:
    with everything(session):
        session.expire_all()
        return session.get(Petition, petition_id)


def _count(session, model, **where) -> int:
    with everything(session):
        query = sa.select(sa.func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def _baseline_petition_id(session, unit) -> int:
    with everything(session):
        return session.scalar(sa.select(Petition.id).where(Petition.unit_id == unit.id).order_by(Petition.id).limit(1))


def _step(client, session, petition_id: int, status: str, on: str = "", note: str = "", version: int | None = None):
    if version is None:
        version = _petition(session, petition_id).version
    return client.post(f"{BASE}/{petition_id}/status",
                       data={"status": status, "on": on, "note": note, "version": version})


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- recording and editing --------------------------------------------------------------------


def test_office_records_a_petition_and_sees_it_listed(as_user, session, units, today):
    today(D(2025, 1, 24))
    client = as_user("office@phu-son")
    assert client.get(f"{BASE}/new").status_code == 200
    petition_id = _created(_new(client, complex_case="y", mass_complaint="y"))
    petition = _petition(session, petition_id)
    assert petition.unit_id == units["phu-son"].id
    assert petition.status == PetitionStatus.RECEIVED and petition.received_on == D(2025, 1, 22)
    assert petition.kind == PetitionKind.COMPLAINT and petition.complex_case and petition.mass_complaint
    assert petition.petitioner_name == "Trần Thị Bình"
    assert _count(session, AuditEntry, object_type="Petition", object_id=petition_id, action="create") == 1
    listing = _text(client.get(BASE))
    assert "Khiếu nại việc thu hồi đất nông nghiệp" in listing and f"petition-{petition_id}" in listing


def test_edit_keeps_the_status_and_checks_the_version(as_user, session, today):
    today(D(2025, 2, 10))
    client = as_user("chairman@phu-son")
    petition_id = _created(_new(client))
    version = _petition(session, petition_id).version
    form = client.get(f"{BASE}/{petition_id}/edit")
    assert form.status_code == 200 and "Trần Thị Bình" in _text(form)
    data = {"received_on": "23/01/2025", "kind": "denunciation", "summary": "Tố cáo cán bộ địa chính",
            "petitioner_name": "Trần Thị Bình", "version": version}
    response = client.post(f"{BASE}/{petition_id}/edit", data=data)
    assert response.status_code == 302
    petition = _petition(session, petition_id)
    assert (petition.kind, petition.received_on, petition.summary) == (
        PetitionKind.DENUNCIATION, D(2025, 1, 23), "Tố cáo cán bộ địa chính")
    assert petition.petitioner_address == "" and petition.status == PetitionStatus.RECEIVED

    stale = client.post(f"{BASE}/{petition_id}/edit", data={**data, "summary": "Nội dung của người đến sau"})
    assert stale.status_code == 409
    body = _text(stale)
    assert "vừa được người khác sửa" in body and "Nội dung của người đến sau" in body  # the input is kept
    assert _petition(session, petition_id).summary == "Tố cáo cán bộ địa chính"


def test_received_date_cannot_move_after_a_later_step(as_user, session, today):
    today(D(2025, 3, 1))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client))
    assert _step(client, session, petition_id, "classified", "27/01/2025").status_code == 302
    petition = _petition(session, petition_id)
    response = client.post(f"{BASE}/{petition_id}/edit", data={
        "received_on": "28/01/2025", "kind": "complaint", "summary": petition.summary, "version": petition.version})
    assert response.status_code == 400
    assert "Ngày tiếp nhận không được sau ngày phân loại (27/01/2025)" in _text(response)
    assert _petition(session, petition_id).received_on == D(2025, 1, 22)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("fields,message", [
    ({"summary": "   "}, "Vui lòng nhập nội dung tóm tắt của đơn."),
    ({"received_on": "31/02/2025"}, "Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm"),
    ({"received_on": ""}, "Vui lòng nhập ngày tiếp nhận đơn"),
    ({"kind": "lawsuit"}, "Vui lòng chọn loại đơn: khiếu nại, tố cáo, kiến nghị hoặc phản ánh."),
    ({"received_on": "01/03/2025"}, "Ngày tiếp nhận không được sau ngày hôm nay."),
], ids=["empty-summary", "no-such-day", "no-date", "unknown-kind", "future-date"])
def test_bad_input_is_answered_400_in_vietnamese_and_nothing_is_saved(as_user, session, today, fields, message):
    today(D(2025, 2, 1))
    before = _count(session, Petition)
    response = _new(as_user("office@phu-son"), **fields)
    assert response.status_code == 400
    assert message in _text(response)
    assert _count(session, Petition) == before


def test_a_bad_step_date_or_a_missing_outcome_is_400(as_user, session, today):
    today(D(2025, 3, 1))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client))
    assert "Vui lòng nhập ngày thực hiện" in _text(_step(client, session, petition_id, "classified", ""))
    response = _step(client, session, petition_id, "classified", "20/01/2025")
    assert response.status_code == 400 and "không được trước ngày tiếp nhận (22/01/2025)" in _text(response)
    assert _step(client, session, petition_id, "classified", "30/02/2025").status_code == 400
    assert _petition(session, petition_id).status == PetitionStatus.RECEIVED


# --- the status flow --------------------------------------------------------------------------


def test_the_status_flow_goes_one_step_at_a_time(as_user, session, today):
    today(D(2025, 4, 30))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client))

    skipped = _step(client, session, petition_id, "accepted", "27/01/2025")
    assert skipped.status_code == 409
    assert "Không thể chuyển thẳng từ “Đã tiếp nhận” sang “Đã thụ lý”: bước tiếp theo là “Đã phân loại”" in _text(skipped)

    assert _step(client, session, petition_id, "classified", "24/01/2025").status_code == 302
    back = _step(client, session, petition_id, "received", "24/01/2025")
    assert back.status_code == 409 and "Không thể quay lại trạng thái “Đã tiếp nhận”" in _text(back)
    assert _step(client, session, petition_id, "accepted", "03/02/2025").status_code == 302
    transfer = _step(client, session, petition_id, "transferred", "04/02/2025")
    assert transfer.status_code == 409 and "Chỉ chuyển đơn đi khi chưa thụ lý" in _text(transfer)
    assert _step(client, session, petition_id, "in_resolution").status_code == 302
    no_outcome = _step(client, session, petition_id, "resolved", "05/03/2025")
    assert no_outcome.status_code == 400 and "Vui lòng nhập kết quả giải quyết." in _text(no_outcome)
    assert _step(client, session, petition_id, "resolved", "05/03/2025", "Giữ nguyên quyết định thu hồi").status_code == 302

    petition = _petition(session, petition_id)
    assert petition.status == PetitionStatus.RESOLVED
    assert (petition.classified_on, petition.accepted_on, petition.closed_on) == (
        D(2025, 1, 24), D(2025, 2, 3), D(2025, 3, 5))
    assert petition.resolution == "Giữ nguyên quyết định thu hồi"
    closed = _step(client, session, petition_id, "withdrawn", "06/03/2025")
    assert closed.status_code == 409 and "không thể chuyển sang trạng thái khác" in _text(closed)
    # The steps are named in the audit log, and the page's history is read from it.
    assert _count(session, AuditEntry, object_type="Petition", object_id=petition_id, action="petition.status") == 4
    page = _text(client.get(f"{BASE}/{petition_id}"))
    assert "Đã thụ lý → Đang giải quyết" in page and "Đang giải quyết → Đã giải quyết" in page
    # First resolution: 30 days from acceptance on 03/02/2025 → 05/03/2025; resolved that very day.
    assert 'id="deadline">05/03/2025' in page and "Đúng hạn" in page


def test_a_stale_status_form_is_a_conflict(as_user, session, today):
    today(D(2025, 3, 1))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client))
    version = _petition(session, petition_id).version
    assert _step(client, session, petition_id, "classified", "24/01/2025", version=version).status_code == 302
    response = _step(client, session, petition_id, "withdrawn", "25/01/2025", version=version)
    assert response.status_code == 409
    assert _petition(session, petition_id).status == PetitionStatus.CLASSIFIED


# --- extensions -------------------------------------------------------------------------------


def test_a_particularly_complex_denunciation_is_extended_at_most_twice(as_user, session, today):
    today(D(2025, 5, 20))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client, kind="denunciation", received_on="03/03/2025", very_complex="y",
                                 summary="Tố cáo vi phạm trật tự xây dựng"))
    early = client.post(f"{BASE}/{petition_id}/extensions", data={"decided_on": "10/03/2025", "reason": "Phức tạp"})
    assert early.status_code == 409 and "Cần phân loại đơn trước" in _text(early)
    _step(client, session, petition_id, "classified", "03/03/2025")
    _step(client, session, petition_id, "accepted", "03/03/2025")
    page = _text(client.get(f"{BASE}/{petition_id}"))
    assert 'id="deadline">02/04/2025' in page  # 30 days from acceptance

    missing = client.post(f"{BASE}/{petition_id}/extensions", data={"decided_on": "01/04/2025", "reason": ""})
    assert missing.status_code == 400 and "Vui lòng nhập lý do gia hạn." in _text(missing)
    for day, reason in (("01/04/2025", "Cần xác minh thêm"), ("30/04/2025", "Chờ kết quả giám định")):
        assert client.post(f"{BASE}/{petition_id}/extensions",
                           data={"decided_on": day, "reason": reason}).status_code == 302
    third = client.post(f"{BASE}/{petition_id}/extensions", data={"decided_on": "02/05/2025", "reason": "Lần ba"})
    assert third.status_code == 409 and "tối đa 2 lần" in _text(third)

    with everything(session):
        recorded = session.execute(
            sa.select(PetitionExtension.decided_on, PetitionExtension.reason)
            .where(PetitionExtension.petition_id == petition_id).order_by(PetitionExtension.id)
        ).all()
    assert recorded == [(D(2025, 4, 1), "Cần xác minh thêm"), (D(2025, 4, 30), "Chờ kết quả giám định")]
    # Extended twice: 90 days from 03/03/2025 lands on Sunday 01/06/2025 → Monday 02/06/2025.
    page = _text(client.get(f"{BASE}/{petition_id}"))
    assert 'id="deadline">02/06/2025' in page and "còn 13 ngày" in page


def test_only_denunciations_are_extended(as_user, session, today):
    today(D(2025, 3, 1))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client))
    _step(client, session, petition_id, "classified", "24/01/2025")
    response = client.post(f"{BASE}/{petition_id}/extensions", data={"decided_on": "25/01/2025", "reason": "Phức tạp"})
    assert response.status_code == 409 and "Chỉ đơn tố cáo được gia hạn" in _text(response)
    assert _count(session, PetitionExtension, petition_id=petition_id) == 0


# --- deadlines and days left ------------------------------------------------------------------


def test_a_complaint_received_22_01_2025_is_to_be_accepted_by_03_02_2025(as_user, session, today):
    today(D(2025, 1, 23))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client))
    page = _text(client.get(f"{BASE}/{petition_id}"))
    # Not yet classified: 10 working days from 22/01, across Tết 2025 (25/01–02/02).
    assert 'id="deadline">12/02/2025' in page and "còn 20 ngày" in page and "10 ngày làm việc" in page
    _step(client, session, petition_id, "classified", "23/01/2025")
    page = _text(client.get(f"{BASE}/{petition_id}"))
    assert 'id="deadline">03/02/2025' in page and "còn 11 ngày" in page
    today(D(2025, 2, 5))
    listing = _text(client.get(BASE))
    row = re.search(rf'<tr id="petition-{petition_id}">.*?</tr>', listing, re.S).group(0)
    assert "03/02/2025" in row and "quá hạn 2 ngày" in row
    assert "03/02/2025" in _text(client.get(f"{BASE}?overdue=y"))
    today(D(2025, 2, 3))
    assert "hạn cuối hôm nay" in _text(client.get(f"{BASE}/{petition_id}"))


def _transient(**fields) -> Petition:
    values = dict(kind=PetitionKind.COMPLAINT, status=PetitionStatus.RECEIVED, received_on=D(2025, 1, 22),
                  classified_on=None, accepted_on=None, closed_on=None, complex_case=False, remote_area=False,
                  second_resolution=False)
    values.update(fields)
    return Petition(**values)


S = PetitionStatus
# (petition, extensions, today, rule, due, days left, on time)
DEADLINE_CASES = [
    (dict(), 0, D(2025, 1, 23), "petition.classification", D(2025, 2, 12), 20, None),
    (dict(status=S.CLASSIFIED, classified_on=D(2025, 1, 23)), 0, D(2025, 1, 23), "complaint.acceptance",
     D(2025, 2, 3), 11, None),
    (dict(status=S.ACCEPTED, classified_on=D(2025, 7, 1), accepted_on=D(2025, 7, 1), complex_case=True,
          remote_area=True), 0, D(2025, 8, 1), "complaint.first_resolution", D(2025, 9, 3), 33, None),
    (dict(status=S.IN_RESOLUTION, classified_on=D(2025, 12, 1), accepted_on=D(2025, 12, 1),
          second_resolution=True), 0, D(2026, 1, 16), "complaint.second_resolution", D(2026, 1, 15), -1, None),
    (dict(kind=PetitionKind.DENUNCIATION, status=S.ACCEPTED, classified_on=D(2025, 3, 3), accepted_on=D(2025, 3, 3),
          complex_case=True, very_complex=True), 2, D(2025, 6, 1), "denunciation.resolution", D(2025, 6, 2), 1, None),
    (dict(kind=PetitionKind.DENUNCIATION, status=S.CLASSIFIED, received_on=D(2026, 1, 19),
          classified_on=D(2026, 1, 20)), 0, D(2026, 2, 1), "denunciation.resolution", D(2026, 2, 23), 22, None),
    (dict(kind=PetitionKind.RECOMMENDATION, status=S.CLASSIFIED, received_on=D(2025, 4, 30),
          classified_on=D(2025, 5, 16)), 0, D(2025, 6, 1), "petition.classification", D(2025, 5, 16), None, True),
    (dict(kind=PetitionKind.FEEDBACK, status=S.RESOLVED, received_on=D(2025, 3, 7), classified_on=D(2025, 3, 24),
          closed_on=D(2025, 4, 1)), 0, D(2025, 6, 1), "petition.classification", D(2025, 3, 21), None, False),
    (dict(status=S.WITHDRAWN, classified_on=D(2025, 1, 23), closed_on=D(2025, 2, 3)), 0, D(2025, 6, 1),
     "complaint.acceptance", D(2025, 2, 3), None, True),
]


@pytest.mark.parametrize("fields,extensions,on,code,due,left,on_time", DEADLINE_CASES,
                         ids=[f"{c[3]}-{c[4].isoformat()}" for c in DEADLINE_CASES])
def test_the_deadline_follows_kind_and_status(fields, extensions, on, code, due, left, on_time):
    result = deadline_of(_transient(**fields), BOOK, on, extensions)
    assert (result.rule.code, result.due_on, result.days_left, result.on_time) == (code, due, left, on_time)
    assert result.overdue == (left is not None and left < 0)


# --- confidentiality --------------------------------------------------------------------------


def _identity_views(session, petition_id: int) -> int:
    return _count(session, AuditEntry, action="petition.identity_viewed", object_id=petition_id)


@pytest.mark.parametrize("account", ["culture@phu-son", "front@phu-son", "admin@bim-son"])
def test_the_identity_is_masked_for_everyone_else(as_user, session, units, account):
    petition_id = _baseline_petition_id(session, units["phu-son"])
    client = as_user(account)
    detail, listing = client.get(f"{BASE}/{petition_id}"), client.get(BASE)
    assert detail.status_code == listing.status_code == 200
    for page in (_text(detail), _text(listing)):
        assert "Tố cáo vi phạm trật tự xây dựng" in page
        assert "•••" in page
        assert not any(value in page for value in BASELINE_IDENTITY)
    assert _identity_views(session, petition_id) == 0
    assert client.get(f"{BASE}/{petition_id}/edit").status_code == 403


@pytest.mark.parametrize("account", ["chairman@phu-son", "office@phu-son"])
def test_the_identity_is_shown_to_chairman_and_office_and_every_view_is_logged(as_user, session, users, units,
                                                                                account):
    petition_id = _baseline_petition_id(session, units["phu-son"])
    client = as_user(account)
    for expected in (1, 2):
        page = _text(client.get(f"{BASE}/{petition_id}"))
        assert all(value in page for value in BASELINE_IDENTITY)
        assert _identity_views(session, petition_id) == expected
    with everything(session):
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "petition.identity_viewed",
                                                            AuditEntry.object_id == petition_id)).first()
    assert (entry.user_id, entry.username, entry.unit_id, entry.object_type) == (
        users[account].id, users[account].label, units["phu-son"].id, "Petition")
    # The list shows the name too, and that is logged as well.
    assert "Nguyễn Văn A" in _text(client.get(BASE))
    assert _identity_views(session, petition_id) == 3


def test_searching_never_matches_the_identity(as_user):
    client = as_user("office@phu-son")
    assert "Tố cáo vi phạm trật tự xây dựng" not in _text(client.get(BASE, query_string={"q": "nguyen van a"}))
    assert "Tố cáo vi phạm trật tự xây dựng" not in _text(client.get(BASE, query_string={"q": "0912"}))


# --- the list: search, filters, htmx, pagination ----------------------------------------------


def test_search_ignores_accents(as_user, today):
    today(D(2025, 3, 1))
    client = as_user("office@phu-son")
    _created(_new(client, summary="Kiến nghị giải quyết tranh chấp đất đai ở khu phố 5", kind="recommendation"))
    found = _text(client.get(BASE, query_string={"q": "to cao"}))
    assert "Tố cáo vi phạm trật tự xây dựng" in found and "đất đai" not in found
    found = _text(client.get(BASE, query_string={"q": "dat dai"}))
    assert "tranh chấp đất đai" in found and "Tố cáo vi phạm" not in found
    assert "tranh chấp đất đai" in _text(client.get(BASE, query_string={"q": "ĐẤT ĐAI Khu Pho"}))


def test_filters_answer_htmx_with_the_table_only_and_work_without_js(as_user, today):
    today(D(2025, 3, 1))
    client = as_user("office@phu-son")
    _created(_new(client, summary="Phản ánh đèn đường hỏng", kind="feedback", received_on="10/02/2025"))
    fragment = client.get(BASE, query_string={"kind": "feedback"},
                          headers={"HX-Request": "true", "HX-Target": "petition-table"})
    body = _text(fragment)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="petition-table">')
    assert "<html" not in body and "Phản ánh đèn đường hỏng" in body and "Tố cáo vi phạm" not in body
    page = _text(client.get(BASE, query_string={"kind": "denunciation", "year": "2025", "status": "received"}))
    assert "<html" in page and "Tố cáo vi phạm" in page and "đèn đường" not in page
    assert "Tố cáo vi phạm" not in _text(client.get(BASE, query_string={"year": "2024"}))
    # Values the list does not know are ignored rather than refused.
    assert client.get(BASE, query_string={"kind": "x", "year": "99999999999", "page": "-3"}).status_code == 200


def test_the_list_pages_by_25(as_user, session, units, today):
    today(D(2025, 12, 31))
    with scoped_to(session, units["phu-son"]):
        session.add_all(
            Petition(unit_id=units["phu-son"].id, received_on=D(2025, 6, 1 + n % 28), kind=PetitionKind.FEEDBACK,
                     summary=f"Phản ánh số {n:02d}")
            for n in range(30)
        )
        session.flush()
    client = as_user("culture@phu-son")
    first = _text(client.get(BASE, query_string={"kind": "feedback"}))
    assert first.count('<tr id="petition-') == 25 and "Trang 1 / 2" in first
    assert "page=2" in first and "kind=feedback" in first
    second = _text(client.get(BASE, query_string={"kind": "feedback", "page": 2}))
    assert second.count('<tr id="petition-') == 5 and "Trang 2 / 2" in second
    overdue = _text(client.get(BASE, query_string={"overdue": "y", "page": 2}))
    assert overdue.count('<tr id="petition-') == 6 and "Tìm thấy 31 đơn." in overdue  # 30 + the baseline one


# --- another ward's petitions -----------------------------------------------------------------


@pytest.mark.parametrize("account,method,suffix", [
    ("chairman@phu-son", "GET", ""), ("chairman@phu-son", "GET", "/edit"), ("chairman@phu-son", "POST", "/edit"),
    ("chairman@phu-son", "POST", "/status"), ("chairman@phu-son", "POST", "/extensions"),
    ("admin@bim-son", "GET", ""), ("culture@phu-son", "GET", ""),
])
def test_another_wards_petition_is_404(as_user, session, units, account, method, suffix):
    other = _baseline_petition_id(session, units["quang-trung"])
    response = as_user(account).open(f"{BASE}/{other}{suffix}", method=method,
                                     data={"status": "classified", "on": "01/04/2025"})
    assert response.status_code == 404
    assert _petition(session, other).status == PetitionStatus.RECEIVED


def test_a_classified_recommendation_shows_whether_it_was_classified_on_time(as_user, session, today):
    """Issue 16: once classified (its only legal limit), the register said neither days left nor on time."""
    today(D(2025, 2, 20))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client, kind="recommendation", received_on="03/02/2025"))
    assert _step(client, session, petition_id, "classified", on="05/02/2025").status_code == 302
    row = client.get(BASE).get_data(as_text=True).split(f'id="petition-{petition_id}"')[1].split("</tr>")[0]
    assert "Đúng hạn" in row


def test_the_day_off_note_is_shown_only_for_a_rule_counted_in_calendar_days(as_user, session, today):
    """Issue 16: "a deadline on a day off moves to the next working day" means nothing for working days."""
    today(D(2025, 2, 20))
    client = as_user("office@phu-son")
    recommendation = _created(_new(client, kind="recommendation", received_on="03/02/2025"))
    assert 'id="day-off-note"' not in client.get(f"{BASE}/{recommendation}").get_data(as_text=True)  # 10 working days
    denunciation = _created(_new(client, kind="denunciation", received_on="03/02/2025"))
    assert _step(client, session, denunciation, "classified", on="05/02/2025").status_code == 302
    page = client.get(f"{BASE}/{denunciation}").get_data(as_text=True)
    assert "Giải quyết tố cáo" in page and 'id="day-off-note"' in page  # 30 calendar days


@pytest.mark.parametrize("flags,allowed", [({}, 0), ({"complex_case": "y"}, 1), ({"very_complex": "y"}, 2)])
def test_extensions_follow_how_complex_the_denunciation_is(as_user, session, today, flags, allowed):
    """Issue 16 (Luật Tố cáo 2018, Điều 30): none for an ordinary case, one for a complex case, two for a
    particularly complex one; each refusal says why."""
    today(D(2025, 5, 20))
    client = as_user("office@phu-son")
    petition_id = _created(_new(client, kind="denunciation", received_on="03/03/2025", **flags))
    _step(client, session, petition_id, "classified", "03/03/2025")
    _step(client, session, petition_id, "accepted", "03/03/2025")
    for number in range(allowed):
        assert client.post(f"{BASE}/{petition_id}/extensions",
                           data={"decided_on": f"0{number + 1}/04/2025", "reason": "Cần xác minh"}).status_code == 302
    refused = client.post(f"{BASE}/{petition_id}/extensions", data={"decided_on": "05/04/2025", "reason": "Thêm"})
    assert refused.status_code == 409
    assert ("Chỉ vụ việc phức tạp" if allowed == 0 else f"tối đa {allowed} lần") in _text(refused)
    assert _count(session, PetitionExtension, petition_id=petition_id) == allowed


def test_the_rules_page_lists_the_rules_in_force_on_a_day_with_their_source(as_user):
    """Issue 16: which deadline rules apply on a chosen day, and the law that sets each."""
    page = as_user("front@phu-son").get(f"{BASE}/rules?on=15/03/2025").get_data(as_text=True)
    assert "Quy định về thời hạn áp dụng ngày 15/03/2025" in page
    assert "Giải quyết tố cáo" in page and "Luật Tố cáo 2018, Điều 30" in page
    assert "Luật Khiếu nại 2011, Điều 28" in page and "10 ngày làm việc" in page
    assert as_user("front@phu-son").get(f"{BASE}/rules?on=khong-phai-ngay").status_code == 200  # today then


def test_an_amendment_entered_in_the_rules_file_applies_without_a_restart(tmp_path, app):
    """Issue 16: the 1 July 2026 amendments are a new effective-dated entry; the file is read again."""
    import shutil

    from app.web.legal import app_legal_book

    legal = tmp_path / "legal"
    shutil.copytree(Path(app.config["TENANTS_DIR"]) / "legal", legal)
    with app.test_request_context():
        app.config["TENANTS_DIR"], before = str(tmp_path), app.config["TENANTS_DIR"]
        try:
            first = rule_for(app_legal_book().rules, "denunciation.resolution", D(2026, 8, 3))
            assert first.days == 30
            rules = legal / "deadline_rules.yaml"
            text = rules.read_text(encoding="utf-8").replace(
                "    max_extensions: 2\n    effective_from: 2000-01-01\n",
                "    max_extensions: 2\n    effective_from: 2000-01-01\n    effective_to: 2026-07-01\n"
                "  - code: denunciation.resolution\n    name: Giải quyết tố cáo\n    source: Luật sửa đổi 2026\n"
                "    count: days\n    days: 25\n    extension_days: 25\n    max_extensions: 2\n"
                "    effective_from: 2026-07-01\n")
            rules.write_text(text, encoding="utf-8")
            os.utime(rules, ns=(rules.stat().st_mtime_ns + 10**9,) * 2)  # a later change, as an editor makes
            book = app_legal_book()
            assert rule_for(book.rules, "denunciation.resolution", D(2026, 8, 3)).days == 25
            assert rule_for(book.rules, "denunciation.resolution", D(2026, 6, 30)).days == 30  # begun before
        finally:
            app.config["TENANTS_DIR"] = before
