"""The audit log: every write recorded with who, when, where, what and the fields before/after;
entries can be neither edited nor deleted; each role sees the log of its own scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import AuditEntry, Task
from app.tenancy import TenancyError
from tests.conftest import everything, label_of, plan_of


def _entries(session, **where) -> list[AuditEntry]:
    with everything(session):
        query = sa.select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        return session.scalars(query).all()


def _a_task(session, unit) -> Task:
    with everything(session):
        return session.scalar(sa.select(Task).where(Task.unit_id == unit.id).order_by(Task.id).limit(1))


def test_an_edit_records_who_where_what_and_before_after(as_user, session, units, users):
    task = _a_task(session, units["phu-son"])
    before_text, task_id = task.text, task.id
    as_user("office@phu-son").post(f"/u/phu-son/plans/2025/tasks/{task_id}/edit",
                                   data={"text": "Nội dung đã sửa", "owner_role": "office", "schedule": "monthly",
                                         "version": task.version})
    (entry,) = _entries(session, object_type="Task", object_id=task_id, action="update")
    assert entry.user_id == users["office@phu-son"].id and entry.username == label_of("office@phu-son")
    assert entry.unit_id == units["phu-son"].id and entry.at is not None
    assert entry.changes["text"] == [before_text, "Nội dung đã sửa"]
    assert "version" not in entry.changes


def test_lifecycle_steps_are_named_in_the_log(as_user, session, units):
    as_user("office@phu-son").post("/u/phu-son/plans/2025/submit")
    plan = plan_of(session, units["phu-son"])
    (entry,) = _entries(session, object_type="Plan", object_id=plan.id, action="plan.submit")
    assert entry.changes == {"status": ["draft", "submitted"]}


def test_entries_cannot_be_edited_or_deleted_through_the_orm(session, units):
    with everything(session):
        entry = session.scalars(sa.select(AuditEntry).limit(1)).one()
        entry.summary = "đã sửa"
        with pytest.raises(TenancyError):
            session.flush()
        session.rollback()
        entry = session.scalars(sa.select(AuditEntry).limit(1)).one()
        session.delete(entry)
        with pytest.raises(TenancyError):
            session.flush()
        session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET summary = 'x'", "DELETE FROM audit_entries"])
def test_entries_cannot_be_edited_or_deleted_in_sql(session, statement):
    with everything(session):
        nested = session.begin_nested()
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.text(statement))
        nested.rollback()
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) > 0


def test_the_log_page_shows_each_role_its_own_scope(as_user, session, units):
    task = _a_task(session, units["quang-trung"])
    as_user("chairman@quang-trung").post(f"/u/quang-trung/plans/2025/tasks/{task.id}/edit",
                                         data={"text": "Sửa ở Quang Trung", "owner_role": "office",
                                               "schedule": "once", "version": task.version})
    ward_log = as_user("chairman@phu-son").get("/u/phu-son/audit").get_data(as_text=True)
    assert "Nhật ký thay đổi" in ward_log and label_of("chairman@quang-trung") not in ward_log
    town_log = as_user("admin@bim-son").get("/u/bim-son/audit").get_data(as_text=True)
    assert label_of("chairman@quang-trung") in town_log and "Sửa ở Quang Trung" in town_log
    assert as_user("front@bim-son").get("/u/quang-trung/audit").status_code == 200
    assert as_user("office@phu-son").get("/u/phu-son/audit").status_code == 403
    assert as_user("admin@sam-son").get("/u/quang-trung/audit").status_code == 404


def test_the_log_pages_back_in_time(as_user, session):
    client = as_user("admin@bim-son")
    first = client.get("/u/bim-son/audit").get_data(as_text=True)
    assert "Cũ hơn" in first  # the baseline wrote far more than one page
    link = first.split('href="/u/bim-son/audit?before=')[1].split('"')[0]
    assert client.get(f"/u/bim-son/audit?before={link}").status_code == 200


def test_granting_a_role_is_recorded_under_the_unit(session, units):
    from app.models import Membership, Role
    from tests.factories import UserFactory

    with everything(session):
        user = UserFactory(username="new@phu-son", full_name="Đặng Văn Mới", position="Công chức Văn phòng - Thống kê")
        session.add(Membership(user=user, unit=units["phu-son"], role=Role.OFFICE))
        session.flush()
    (entry,) = [e for e in _entries(session, object_type="Membership", action="create") if e.summary.startswith("Đặng Văn Mới")]
    assert entry.unit_id == units["phu-son"].id and entry.changes["role"] == [None, "office"]
    assert entry.summary == "Đặng Văn Mới, Công chức Văn phòng - Thống kê: Công chức Văn phòng - Thống kê"


def test_granting_a_role_with_no_scope_is_refused(session, units):
    from app.models import Membership, Role
    from tests.factories import UserFactory

    with everything(session):
        user = UserFactory(username="sneaky@phu-son")
    session.add(Membership(user=user, unit=units["phu-son"], role=Role.CHAIRMAN))
    with pytest.raises(TenancyError):
        session.flush()
    session.rollback()


def test_the_log_never_holds_a_petitioners_identity(as_user, session, units):
    as_user("office@phu-son").post("/u/phu-son/petitions/new", data={
        "received_on": "05/05/2025", "kind": "complaint", "source": "Trực tiếp", "petitioner_name": "Trần Thị Bí Mật",
        "petitioner_address": "Số 9 phố Kín", "petitioner_contact": "0900 111 222", "summary": "Khiếu nại về đất đai"})
    with everything(session):
        logged = " ".join(str(e.changes) for e in session.scalars(sa.select(AuditEntry)))
    assert "Khiếu nại về đất đai" in logged  # the petition was logged
    assert "Bí Mật" not in logged and "phố Kín" not in logged and "0900 111 222" not in logged
    assert "Bí Mật" not in as_user("front@phu-son").get("/u/phu-son/audit").get_data(as_text=True)


def test_the_log_says_each_change_in_words(as_user, app):
    """Issue 16: no field names or raw values ("template_section_id", "is_template → False",
    "Trạng thái → draft", "decided_on → 2025-04-01", UTC times)."""
    from app.vocabulary import audit_changes

    with app.test_request_context():
        said = audit_changes("Plan", {"status": ["draft", "submitted"], "template_section_id": [None, 4],
                                      "is_template": [None, False], "issued_on": [None, "2025-01-05"],
                                      "legal_bases": [[], ["Chỉ thị 33", "Luật Thực hiện dân chủ ở cơ sở"]]})
        assert said == [("Trạng thái", "Dự thảo", "Đã trình"), ("Ngày ban hành", "—", "05/01/2025"),
                        ("Căn cứ", "—", "Chỉ thị 33; Luật Thực hiện dân chủ ở cơ sở")]
        assert audit_changes("PetitionExtension", {"decided_on": [None, "2025-04-01"]}) == [
            ("Ngày quyết định", "—", "01/04/2025")]
        assert audit_changes("Task", {"owner_role": ["office", "culture"], "carried_over": [False, True]}) == [
            ("Người phụ trách", "Công chức Văn phòng - Thống kê", "Công chức Văn hóa - Xã hội"),
            ("Nhiệm vụ này chưa hoàn thành trong kế hoạch năm trước", "Không", "Có")]
        # a time, stored in UTC, in Vietnam time
        assert audit_changes("Report", {"sent_at": [None, "2025-06-14T20:30:00+00:00"]})[0][2] == "15/06/2025 03:30"
    page = as_user("chairman@phu-son").get("/u/phu-son/audit").get_data(as_text=True)
    assert "is_template" not in page and "template_section_id" not in page


def test_the_log_filters_by_who_what_and_when(as_user, session, units):
    """Issue 16: the log gets filters (who, what, when) and keeps them from page to page."""
    import re
    from datetime import UTC, datetime

    from tests.conftest import everything

    phu_son = units["phu-son"]
    with everything(session):
        for at, who, action in ((datetime(2025, 3, 9, 18, 0, tzinfo=UTC), "Nguyễn Văn Tèo", "plan.issue"),  # 10/03 01:00 in Vietnam
                                (datetime(2025, 3, 20, 2, 0, tzinfo=UTC), "Nguyễn Văn Tèo", "plan.submit"),
                                (datetime(2025, 3, 10, 3, 0, tzinfo=UTC), "Lê Thị Tý", "plan.issue")):
            session.add(AuditEntry(unit_id=phu_son.id, at=at, username=who, action=action, object_type="Plan",
                                   object_id=1, summary="Kế hoạch 2025", changes={}))
        session.flush()
    client = as_user("chairman@phu-son")

    def who_and_when(query: str) -> list[tuple[str, str]]:
        page = client.get(f"/u/phu-son/audit?{query}").get_data(as_text=True)
        return re.findall(r"<td>(\d\d/\d\d/\d{4} \d\d:\d\d)</td>\s*<td>(Nguyễn Văn Tèo|Lê Thị Tý)</td>", page)

    assert who_and_when("who=Nguyễn Văn Tèo") == [("20/03/2025 09:00", "Nguyễn Văn Tèo"), ("10/03/2025 01:00", "Nguyễn Văn Tèo")]
    assert who_and_when("action=plan.issue&since=10/03/2025&until=10/03/2025") == [
        ("10/03/2025 10:00", "Lê Thị Tý"), ("10/03/2025 01:00", "Nguyễn Văn Tèo")]
    assert who_and_when("since=11/03/2025&until=31/03/2025") == [("20/03/2025 09:00", "Nguyễn Văn Tèo")]
    assert client.get("/u/phu-son/audit?who=Ai+đó&since=99/99/9999&action=x").status_code == 200  # ignored
