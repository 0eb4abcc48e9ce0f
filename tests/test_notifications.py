"""Nobody misses a deadline: what is due is told once to the right people, events as they happen,
a bell and a page of one's own notifications (another person's answer 404; the Front writes nothing)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Notification, NotificationKind, Petition, PetitionKind, Role, User
from app.notifications.store import run
from app.petitions.deadlines import deadline_of
from app.tenancy import system_scope
from app.web.legal import app_legal_book
from tests.conftest import TEST_DATABASE_URL, everything, plan_of, postgres_only
from tests.test_mail import free_port, start_smtp, use_smtp  # noqa: F401  (fixtures)

TODAY = date(2025, 11, 12)  # a Wednesday of the demo year


def _run(session, today: date = TODAY) -> int:  # type: ignore[no-untyped-def]
    with everything(session):
        return run(session, today, app_legal_book(), commit=False).told


def _told(session, kind: str | None = None) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(account, kind, subject) of every notification (of one kind)."""
    with everything(session):
        query = (sa.select(User.username, Notification.kind, Notification.subject)
                 .join(User, User.id == Notification.user_id).order_by(User.username, Notification.kind))
        if kind is not None:
            query = query.where(Notification.kind == kind)
        rows = session.execute(query).all()
    return [tuple(r) for r in rows]


def _petition(session, unit, received: date, kind: PetitionKind = PetitionKind.RECOMMENDATION) -> Petition:  # type: ignore[no-untyped-def]
    with everything(session):
        petition = Petition(unit_id=unit.id, received_on=received, kind=kind, summary="Kiến nghị sửa đường ngõ 5")
        session.add(petition)
        session.flush()
        return petition


def test_a_late_petition_is_told_to_the_office_and_the_chairman_once(session, units) -> None:  # type: ignore[no-untyped-def]
    petition = _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    assert _run(session) > 0
    told = [(who, kind) for who, kind, subject in _told(session) if subject == f"petition:{petition.id}"]
    assert ("chairman@phu-son", NotificationKind.PETITION_OVERDUE.value) in told
    assert ("office@phu-son", NotificationKind.PETITION_OVERDUE.value) in told
    assert not [who for who, _ in told if who.startswith(("culture@", "front@", "admin@"))]
    assert _run(session) == 0  # the same day again: nothing twice


def test_a_deadline_across_tet_is_due_soon_in_working_days(session, units) -> None:  # type: ignore[no-untyped-def]
    """Before Tết 2026 (16–20 February off), a deadline eleven calendar days away is three working days away."""
    book = app_legal_book()
    friday = date(2026, 2, 13)
    horizon = book.calendar.add_working_days(friday, 3)
    assert (horizon - friday).days > 7  # the holiday is skipped
    received = friday - timedelta(days=20)
    petition = _petition(session, units["phu-son"], received)
    with everything(session):
        due = deadline_of(petition, book, friday).due_on
    expected = NotificationKind.PETITION_OVERDUE if due < friday else (
        NotificationKind.PETITION_DUE if due <= horizon else None)
    _run(session, friday)
    kinds = {kind for who, kind, subject in _told(session) if subject == f"petition:{petition.id}"}
    assert kinds == ({expected.value} if expected else set())


def test_a_week_without_a_reception_is_told_to_the_chairman(session, units) -> None:  # type: ignore[no-untyped-def]
    _run(session)
    monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    told = [who for who, kind, subject in _told(session, kind=NotificationKind.NO_RECEPTION.value)
            if subject == f"week:{monday.isoformat()}"]
    assert "chairman@phu-son" in told and "office@phu-son" not in told


def test_late_reports_are_told_to_the_ward_and_to_the_parents_admin(session, units) -> None:  # type: ignore[no-untyped-def]
    _run(session, date(2025, 6, 20))  # the six-month review was due on 15 June
    late = _told(session, kind=NotificationKind.REPORT_LATE.value)
    assert ("chairman@phu-son", NotificationKind.REPORT_LATE.value, "report:six_month:2025") in late
    with everything(session):
        told = session.execute(sa.select(User.username, Notification.unit_id).join(User, User.id == Notification.user_id)
                               .where(Notification.kind == NotificationKind.WARD_REPORT_LATE.value)).all()
    by_admin = {who: {unit_id for w, unit_id in told if w == who} for who, _ in told}
    assert units["phu-son"].id in by_admin["admin@bim-son"]
    assert by_admin["admin@sam-son"] == {units["truong-son"].id}  # its own ward, no word of another town's


def test_events_tell_as_they_happen(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of(session, units["phu-son"])
    assert as_user("office@phu-son").post("/u/phu-son/plans/2025/submit").status_code in (302, 303)
    assert ("chairman@phu-son", NotificationKind.PLAN_SUBMITTED.value, f"plan:{plan.id}") in _told(session)
    assert as_user("chairman@phu-son").post("/u/phu-son/plans/2025/return").status_code in (302, 303)
    assert ("office@phu-son", NotificationKind.PLAN_RETURNED.value, f"plan:{plan.id}") in _told(session)
    assert not [r for r in _told(session) if r[0].startswith("front@")]


def test_the_bell_and_the_page_show_ones_own_and_mark_them_read(session, units, users, as_user) -> None:  # type: ignore[no-untyped-def]
    petition = _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    _run(session)
    chairman = as_user("chairman@phu-son")
    with everything(session):
        mine = session.scalars(sa.select(Notification).where(Notification.user_id == users["chairman@phu-son"].id)).all()
        others = session.scalar(sa.select(Notification.id).where(Notification.user_id == users["office@phu-son"].id))
    bell = chairman.get("/notifications/count").get_data(as_text=True)
    assert f">{len(mine)}<" in bell
    page = chairman.get("/notifications?group=petitions").get_data(as_text=True)
    assert "Kiến nghị sửa đường ngõ 5" in page and f"/u/phu-son/petitions/{petition.id}" in page
    assert chairman.post("/notifications/read", data={"id": str(others)}).status_code == 404  # not theirs
    assert chairman.post("/notifications/read", data={"id": str(mine[0].id)}).status_code == 302
    assert chairman.post("/notifications/read-all").status_code == 302
    assert "badge" not in chairman.get("/notifications/count").get_data(as_text=True)
    with everything(session):
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == users["office@phu-son"].id, Notification.read_at.is_(None))) > 0
    front = as_user("front@phu-son")
    assert front.get("/notifications").status_code == 200
    assert front.post("/notifications/read-all").status_code == 302  # nothing of theirs, nothing written


def test_another_wards_people_see_nothing_of_it(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    _run(session)
    page = as_user("chairman@truong-son").get("/notifications").get_data(as_text=True)
    assert "Phú Sơn" not in page


@postgres_only
def test_two_runners_at_once_tell_each_thing_once(app, units) -> None:  # type: ignore[no-untyped-def]
    """Two schedulers on two connections at the same moment (PostgreSQL): no error, nothing twice."""
    assert TEST_DATABASE_URL
    day = TODAY + timedelta(days=1)
    errors: list[BaseException] = []
    told: list[int] = []

    def runner() -> None:
        with app.app_context(), Session(db.engine) as own:
            try:
                with system_scope(own, actor="test runner"):
                    told.append(run(own, day, app_legal_book()).told)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors
        with app.app_context(), Session(db.engine) as check, system_scope(check, actor="test"):
            rows = check.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.created_at.is_not(None)))
            key = (Notification.unit_id, Notification.user_id, Notification.kind, Notification.subject, Notification.day)
            dupes = check.execute(sa.select(*key, sa.func.count()).group_by(*key).having(sa.func.count() > 1)).all()
        assert not dupes and rows == sum(told)
    finally:
        with app.app_context(), Session(db.engine) as clean, system_scope(clean, actor="test"):
            clean.execute(sa.delete(Notification))
            clean.commit()


def test_task_reminders_go_to_the_tasks_owner_and_the_chairman(session, units, users) -> None:  # type: ignore[no-untyped-def]
    from app.models import Task

    _run(session, date(2025, 12, 30))
    roles = {u.username: u.username.split("@")[0] for u in users.values()}
    told = [(who, subject) for who, kind, subject in _told(session)
            if kind in (NotificationKind.TASK_DUE.value, NotificationKind.TASK_OVERDUE.value)]
    assert told, "the demo plan has tasks late at the end of the year"
    with everything(session):
        for who, subject in told:
            task = session.get(Task, int(subject.split(":")[1]))
            assert roles[who] in (task.owner_role.value, Role.CHAIRMAN.value), (who, task.owner_role)


def _with_email(session, users, *accounts: str) -> None:  # type: ignore[no-untyped-def]
    with everything(session):
        for account in accounts:
            users[account].email = account.replace("@", ".") + "@example.vn"
        session.flush()


def _outbox(session) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from app.models import OutboxMessage

    return [(m.to_address, m.subject) for m in session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_the_morning_digest_is_one_mail_a_person_a_day(session, units, users) -> None:  # type: ignore[no-untyped-def]
    from app.notifications.mail import send_digests

    _with_email(session, users, "chairman@phu-son", "office@phu-son")
    _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    _run(session)
    with everything(session):
        assert send_digests(session, TODAY) > 0
        mails = _outbox(session)
        chairman = users["chairman@phu-son"].email
        assert len([to for to, _ in mails if to == chairman]) == 1
        assert send_digests(session, TODAY) == 0  # the same day: nothing more
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == users["chairman@phu-son"].id, Notification.mailed_at.is_(None))) == 0


def test_a_person_chooses_mail_at_once_or_the_app_only(session, units, users, as_user) -> None:  # type: ignore[no-untyped-def]
    from app.notifications.mail import send_digests

    _with_email(session, users, "chairman@phu-son")
    chairman = as_user("chairman@phu-son")
    page = chairman.get("/notifications/settings")
    assert page.status_code == 200 and "Thư tổng hợp buổi sáng" in page.get_data(as_text=True)
    wrong = chairman.post("/notifications/settings", data={"plans": "pigeon"})
    assert wrong.status_code == 303
    chosen = {"petitions": "app", "tasks": "digest", "reports": "digest", "receptions": "app", "plans": "immediate",
              "account": "digest"}
    assert chairman.post("/notifications/settings", data=chosen).status_code == 302
    assert as_user("office@phu-son").post("/u/phu-son/plans/2025/submit").status_code in (302, 303)
    with everything(session):
        mails = [subject for to, subject in _outbox(session) if to == users["chairman@phu-son"].email]
        assert len(mails) == 1 and "trình" in mails[0]  # the plan submitted, by mail at once
    _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    _run(session)
    from app.models import OutboxMessage

    with everything(session):
        send_digests(session, TODAY)
        bodies = [m.body_text for m in session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.to_address == users["chairman@phu-son"].email))]
        assert not any("Kiến nghị sửa đường ngõ 5" in body for body in bodies)  # petitions: in the app only
        assert "Kiến nghị sửa đường ngõ 5" in chairman.get("/notifications").get_data(as_text=True)


def _feed_url(client) -> str:  # type: ignore[no-untyped-def]
    import re

    page = client.post("/notifications/calendar").get_data(as_text=True)
    found = re.search(r"<code>https?://[^/]+(/calendar/[^<]+\.ics)</code>", page)
    assert found, page[:2000]
    return found.group(1)


def test_the_calendar_feed_is_valid_ical_with_the_persons_deadlines_and_can_be_revoked(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    import icalendar
    import vobject

    petition = _petition(session, units["phu-son"], TODAY - timedelta(days=5))
    chairman = as_user("chairman@phu-son")
    path = _feed_url(chairman)
    assert "<code>" not in chairman.get("/notifications/calendar").get_data(as_text=True)  # shown once
    anonymous = as_user("chairman@truong-son")  # signed in as someone else: the address itself is the key
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    parsed = icalendar.Calendar.from_ical(response.data)
    events = [c for c in parsed.walk("VEVENT")]
    uids = {str(e["UID"]) for e in events}
    assert f"petition-{petition.id}@dan-van-chinh-quyen" in uids
    assert all("dtstart" in e and "dtstamp" in e for e in events)
    second = vobject.readOne(response.data.decode())  # a second parser agrees
    assert len(second.vevent_list) == len(events)
    assert any("Kiến nghị sửa đường ngõ 5" in str(e["SUMMARY"]) for e in events)
    other = anonymous.get(_feed_url(anonymous)).data.decode()
    assert "Kiến nghị sửa đường ngõ 5" not in other and "Phú Sơn" not in other  # another ward's person
    with everything(session):
        from app.models import CalendarFeed

        feed_id = session.scalar(sa.select(CalendarFeed.id).where(CalendarFeed.user_id == session.scalar(
            sa.select(User.id).where(User.username == "chairman@phu-son"))))
    assert anonymous.post("/notifications/calendar", data={"revoke": str(feed_id)}).status_code == 404  # not theirs
    chairman = as_user("chairman@phu-son")
    assert chairman.post("/notifications/calendar", data={"revoke": str(feed_id)}).status_code == 302
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/calendar/cal_not-a-key.ics").status_code == 404


def test_a_template_revision_offered_to_the_ward_is_told_to_its_chairman_and_office(session, units) -> None:  # type: ignore[no-untyped-def]
    from app.models import Plan
    from app.plan_templates.services import new_revision, publish

    plan = plan_of(session, units["phu-son"])
    with everything(session):
        template = session.get(Plan, plan.template_id)
        assert publish(session, new_revision(session, template), "tests") > 0  # offered to the town's wards
    told = [(who, subject) for who, kind, subject in _told(session, NotificationKind.PROPOSAL_RECEIVED.value)]
    assert ("chairman@phu-son", f"proposal:{plan.id}") in told and ("office@phu-son", f"proposal:{plan.id}") in told
    assert not [who for who, _ in told if who.startswith(("culture@", "front@"))]


def test_the_front_follows_a_wards_issued_plans_and_sent_reports_only_if_it_chooses(session, units, users, as_user) -> None:  # type: ignore[no-untyped-def]
    from app.models import Report, ReportStatus
    from app.reports.services import send

    front = as_user("front@phu-son")
    page = front.get("/notifications/settings").get_data(as_text=True)
    assert "Giám sát" in page and "Không theo dõi" in page
    assert "Giám sát" not in as_user("chairman@phu-son").get("/notifications/settings").get_data(as_text=True)

    def send_a_report() -> None:
        with everything(session):
            report = session.scalar(sa.select(Report).where(Report.unit_id == units["phu-son"].id).limit(1))
            report.status = ReportStatus.DRAFT
            session.flush()
            send(session, report, today=TODAY, user_id=users["chairman@phu-son"].id, username="Chủ tịch")

    send_a_report()
    assert not [r for r in _told(session) if r[0] == "front@phu-son"]  # not followed: nothing
    choices = {"petitions": "app", "tasks": "app", "reports": "app", "receptions": "app", "plans": "app",
               "supervision": "app", "account": "app"}
    assert as_user("front@phu-son").post("/notifications/settings", data=choices).status_code == 302
    send_a_report()
    assert [kind for who, kind, _ in _told(session) if who == "front@phu-son"] == [NotificationKind.REPORT_SENT.value]
    page = as_user("front@phu-son").get("/notifications").get_data(as_text=True)
    assert "đã gửi báo cáo" in page


def test_the_digest_waits_while_smtp_is_down_and_arrives_once_when_it_is_back(  # type: ignore[no-untyped-def]
    app, session, units, users, start_smtp, use_smtp  # noqa: F811
):
    from app.mail.outbox import DeliveryReport, deliver_due
    from app.notifications.mail import send_digests

    _with_email(session, users, "chairman@phu-son")
    _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    _run(session)
    with everything(session):
        send_digests(session, TODAY)
        session.commit()
        later = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
        use_smtp(free_port())  # nothing listens there
        down = deliver_due(session, app.config, now=later)
        assert down.sent == 0 and down.failed >= 1
        server = start_smtp()
        use_smtp(server.port)
        back = deliver_due(session, app.config, now=later + timedelta(hours=7))
        assert back.failed == 0 and back.sent == down.failed
        assert deliver_due(session, app.config, now=later + timedelta(days=2)) == DeliveryReport()
    received = [m for m in server.messages() if m["To"] == users["chairman@phu-son"].email]
    assert len(received) == 1 and "chú ý" in received[0]["Subject"]


def test_a_petition_assigned_to_the_culture_official_is_told_to_them_too(session, units, users) -> None:  # type: ignore[no-untyped-def]
    culture = users["culture@phu-son"]
    with everything(session):
        culture.full_name = "Trần Văn Minh"
        session.flush()
    petition = _petition(session, units["phu-son"], TODAY - timedelta(days=60))
    with everything(session):
        petition.handler = "trần văn minh"  # as typed in the register
        session.flush()
    other = _petition(session, units["phu-son"], TODAY - timedelta(days=61))
    _run(session)
    told = _told(session)
    assert ("culture@phu-son", NotificationKind.PETITION_OVERDUE.value, f"petition:{petition.id}") in told
    assert ("culture@phu-son", NotificationKind.PETITION_OVERDUE.value, f"petition:{other.id}") not in told


def test_a_role_given_is_told_to_the_person_in_the_app(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    added = as_user("chairman@phu-son").post("/u/phu-son/people/new", data={
        "full_name": "Nguyễn Thị Bình", "position": "", "email": "binh@phuson.vn", "phone": "", "role": "office"})
    assert added.status_code in (200, 302, 303)
    told = [(who, kind) for who, kind, _ in _told(session, NotificationKind.ROLE_GIVEN.value)]
    assert len(told) == 1 and told[0][0] != "chairman@phu-son"
    with everything(session):
        words = session.scalar(sa.select(Notification.words).where(Notification.kind == NotificationKind.ROLE_GIVEN.value))
    assert words["role"] == "office" and words["unit"] == "phường Phú Sơn"


def test_no_dialogue_by_the_first_of_october_and_a_report_due_within_seven_days(session, units) -> None:  # type: ignore[no-untyped-def]
    from app.models import Dialogue, Report

    with everything(session):
        ward = units["truong-son"]
        held = session.scalars(sa.select(Dialogue).where(Dialogue.unit_id == ward.id)).all()
        for dialogue in held:
            session.delete(dialogue)
        for report in session.scalars(sa.select(Report).where(Report.unit_id == ward.id)).all():
            session.delete(report)
        session.flush()
    _run(session, date(2025, 9, 30))
    assert not _told(session, NotificationKind.NO_DIALOGUE.value)  # not yet: the first of October is the day
    _run(session, date(2025, 10, 1))
    assert ("chairman@truong-son", NotificationKind.NO_DIALOGUE.value, "dialogues:2025") in _told(session)
    _run(session, date(2025, 12, 8))  # the annual review is due on 15 December
    assert ("chairman@truong-son", NotificationKind.REPORT_DUE.value, "report:annual:2025") in _told(session)
    _run(session, date(2025, 12, 1))
    assert len([r for r in _told(session, NotificationKind.REPORT_DUE.value) if r[0] == "chairman@truong-son"]) == 1
