"""Task progress: recording updates with evidence through HTTP, who may record, upload checks,
due dates and overdue on hand-checked dates, section roll-ups, and isolation of evidence."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfWriter
from sqlalchemy import event

from app.extensions import db
from app.models import Evidence, PlanSection, ProgressStatus, Role, Schedule, Task, TaskUpdate
from app.plans.services import create_plans_for_wards
from app.progress import schedule as schedules
from app.progress import services
from app.progress.evidence import EvidenceRefused, Upload, check_file, clean_filename
from app.web.page_cache import fragments, pages
from tests.conftest import everything, first_task, plan_of, scoped_to


def _blank_pdf() -> bytes:
    """A real one-page PDF (evidence PDFs are parsed)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = _blank_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
GIF = b"GIF89a" + bytes(16)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(16)
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOC = OLE_HEADER + bytes(64) + "WordDocument".encode("utf-16-le") + bytes(16)
XLS = OLE_HEADER + bytes(64) + "Workbook".encode("utf-16-le") + bytes(16)
PPT = OLE_HEADER + bytes(64) + "PowerPoint Document".encode("utf-16-le") + bytes(16)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(64)


def office_zip(member: str, main_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override PartName="/{member}" ContentType="{main_type}"/></Types>')
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


DOCX = office_zip("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = office_zip("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
BARE_ZIP_WITH_DOCUMENT = office_zip("word/document.xml", "text/plain")


def progress_url(task: Task, year: int = 2025, slug: str = "phu-son") -> str:
    return f"/u/{slug}/plans/{year}/tasks/{task.id}/progress"


def task_one(session, unit) -> Task:  # type: ignore[no-untyped-def]
    """The unit's first 2025 task (owned by culture, given one update with one file by the baseline)."""
    with everything(session):
        return first_task(session, unit)


def tasks_of(session, unit) -> list[Task]:  # type: ignore[no-untyped-def]
    plan = plan_of(session, unit)
    with everything(session):
        return list(session.scalars(sa.select(Task).where(Task.plan_id == plan.id).order_by(Task.id)))


def task_owned_by(session, unit, role: Role, schedule: Schedule | None = None) -> Task:  # type: ignore[no-untyped-def]
    return next(t for t in tasks_of(session, unit) if t.owner_role == role and schedule in (None, t.schedule))


def updates_of(session, task: Task) -> list[TaskUpdate]:  # type: ignore[no-untyped-def]
    with everything(session):
        return list(session.scalars(sa.select(TaskUpdate).where(TaskUpdate.task_id == task.id).order_by(TaskUpdate.id)))


def post_update(client, task: Task, files=(), htmx: bool = False, **fields):  # type: ignore[no-untyped-def]
    data = {"percent": "40", "status": "in_progress", "note": "Đã triển khai", **fields}
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(progress_url(task), data=data, content_type="multipart/form-data", headers=headers)


# --- recording through HTTP ------------------------------------------------------------------


@pytest.mark.parametrize("account", ["office@phu-son", "chairman@phu-son", "culture@phu-son"])
def test_ward_staff_record_progress_on_a_culture_task(as_user, session, units, users, account):
    task = task_one(session, units["phu-son"])
    assert task.owner_role == Role.CULTURE
    before = len(updates_of(session, task))
    response = post_update(as_user(account), task, percent="60", note="Tuyên truyền trên loa truyền thanh")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(progress_url(task))
    updates = updates_of(session, task)
    assert len(updates) == before + 1
    latest = updates[-1]
    assert (latest.percent, latest.status, latest.username) == (60, ProgressStatus.IN_PROGRESS, users[account].label)
    assert latest.period_start is None  # an ongoing task reports on no period
    page = as_user(account).get(progress_url(task)).get_data(as_text=True)
    assert "Tuyên truyền trên loa truyền thanh" in page
    assert "Đã cập nhật tiến độ." in page


@pytest.mark.parametrize("account", ["office@phu-son", "chairman@phu-son"])
def test_office_and_chairman_record_on_any_task(as_user, session, units, account):
    task = task_owned_by(session, units["phu-son"], Role.OFFICE)
    assert post_update(as_user(account), task).status_code == 302
    assert len(updates_of(session, task)) == 1


def test_culture_is_refused_on_a_task_owned_by_office(as_user, session, units):
    task = task_owned_by(session, units["phu-son"], Role.OFFICE)
    client = as_user("culture@phu-son")
    response = post_update(client, task, files=[("bien-ban.pdf", PDF)])
    assert response.status_code == 403
    assert "chỉ cập nhật tiến độ các nhiệm vụ do Văn hóa - Xã hội phụ trách" in response.get_data(as_text=True)
    assert updates_of(session, task) == []
    htmx = post_update(client, task, htmx=True)
    assert htmx.status_code == 403
    assert "Văn hóa - Xã hội" in htmx.get_data(as_text=True)
    # She still sees the task's progress, without the form.
    page = client.get(progress_url(task))
    assert page.status_code == 200
    assert 'name="percent"' not in page.get_data(as_text=True)


def test_culture_is_refused_in_the_service_too(session, units):
    task = task_owned_by(session, units["phu-son"], Role.OFFICE)
    plan = plan_of(session, units["phu-son"])
    with scoped_to(session, units["phu-son"]), pytest.raises(services.NotYourTask):
        services.add_update(session, plan, task, roles={Role.CULTURE}, user_id=None, username="x",
                            today=date(2025, 3, 1), percent=10, status=ProgressStatus.IN_PROGRESS, max_bytes=100)
    assert services.may_record(task, {Role.CULTURE, Role.OFFICE})
    assert not services.may_record(task, {Role.FRONT, Role.TOWN_ADMIN})


@pytest.mark.parametrize("account", ["front@phu-son", "admin@bim-son"])
def test_readers_see_progress_but_cannot_record(as_user, session, units, account):
    task = task_one(session, units["phu-son"])
    client = as_user(account)
    page = client.get(progress_url(task))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đã tuyên truyền trên loa" in text  # the baseline update
    assert "bien-ban.pdf" in text
    assert 'name="percent"' not in text
    assert post_update(client, task).status_code == 403


def test_htmx_post_answers_the_progress_fragment(as_user, session, units):
    task = task_one(session, units["phu-son"])
    response = post_update(as_user("office@phu-son"), task, htmx=True, note="Qua htmx")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'id="task-progress"' in text
    assert "<html" not in text
    assert "Qua htmx" in text and "Đã cập nhật tiến độ." in text
    # A fresh form follows, starting from where the task now stands.
    assert re.search(r'<textarea id="progress-note"[^>]*>\s*</textarea>', text)
    assert re.search(r'name="percent"[^>]*value="40"', text)


def test_an_invalid_form_is_answered_400_in_vietnamese(as_user, session, units):
    task = task_one(session, units["phu-son"])
    response = post_update(as_user("office@phu-son"), task, percent="140")
    assert response.status_code == 400
    assert "Tỷ lệ hoàn thành phải từ 0 đến 100." in response.get_data(as_text=True)
    response = post_update(as_user("office@phu-son"), task, percent="")
    assert response.status_code == 400
    assert "Vui lòng nhập tỷ lệ hoàn thành" in response.get_data(as_text=True)
    assert len(updates_of(session, task)) == 1  # the baseline's only


def test_done_means_one_hundred_percent(as_user, session, units):
    task = task_one(session, units["phu-son"])
    post_update(as_user("office@phu-son"), task, percent="70", status="done")
    assert updates_of(session, task)[-1].percent == 100


def test_a_monthly_task_reports_on_the_chosen_month(as_user, session, units):
    task = task_owned_by(session, units["phu-son"], Role.OFFICE, Schedule.MONTHLY)
    client = as_user("office@phu-son")
    page = client.get(progress_url(task)).get_data(as_text=True)
    assert 'name="period"' in page and "Tháng 1/2025" in page and "Tháng 12/2025" in page
    assert post_update(client, task, status="done", period="2025-01-01").status_code == 302
    assert updates_of(session, task)[-1].period_start == date(2025, 1, 1)
    refused = post_update(client, task, period="2024-01-01")
    assert refused.status_code == 400
    assert "Vui lòng chọn kỳ báo cáo" in refused.get_data(as_text=True)
    assert len(updates_of(session, task)) == 1


def test_the_plan_page_shows_each_tasks_progress_and_link(as_user, session, units):
    task = task_one(session, units["phu-son"])
    office_task = task_owned_by(session, units["phu-son"], Role.OFFICE)
    text = as_user("culture@phu-son").get("/u/phu-son/plans/2025").get_data(as_text=True)
    row = text[text.index(f'id="task-{task.id}"'):]
    assert "50% · Đang thực hiện" in row[:3000]
    assert f'href="{progress_url(task)}">Cập nhật tiến độ' in row
    assert f'href="{progress_url(office_task)}">Xem tiến độ' in text  # culture only views office's tasks


def test_the_plan_page_reads_progress_in_a_fixed_number_of_queries(as_user, session, units):
    client = as_user("chairman@phu-son")
    client.get("/u/phu-son/plans/2025")  # warm up (first-request work)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "task_updates" in statement:
            statements.append(statement)

    fragments.clear()  # the document is rendered again, its progress read once
    pages.clear()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/u/phu-son/plans/2025").status_code == 200
        assert len(statements) == 1
        assert client.get("/u/phu-son/plans/2025").status_code == 200
        assert len(statements) == 1  # the document as kept: nothing read again
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# --- evidence ---------------------------------------------------------------------------------


def test_a_pdf_and_a_png_are_kept_and_downloaded_byte_for_byte(as_user, session, units):
    task = task_one(session, units["phu-son"])
    client = as_user("office@phu-son")
    response = post_update(client, task, files=[("Biên bản họp.pdf", PDF), ("ảnh hiện trường.png", PNG)])
    assert response.status_code == 302
    update = updates_of(session, task)[-1]
    with everything(session):
        files = list(session.scalars(sa.select(Evidence).where(Evidence.update_id == update.id).order_by(Evidence.id)))
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("Biên bản họp.pdf", "application/pdf", len(PDF)),
        ("ảnh hiện trường.png", "image/png", len(PNG)),
    ]
    for stored, content in zip(files, (PDF, PNG), strict=True):
        url = f"{progress_url(task)}/{update.id}/evidence/{stored.id}"
        assert url in client.get(progress_url(task)).get_data(as_text=True)
        for reader in ("front@phu-son", "admin@bim-son", "culture@phu-son"):
            download = as_user(reader).get(url)
            assert download.status_code == 200
            assert download.data == content
            assert download.mimetype == stored.content_type
            assert download.headers["X-Content-Type-Options"] == "nosniff"
            disposition = download.headers["Content-Disposition"]
            assert disposition.startswith("attachment")
            assert "filename*=UTF-8''" in disposition


@pytest.mark.parametrize(
    "name,content",
    [("setup.exe", EXE), ("ghi-chu.txt", b"hello"), ("bao-cao.pdf", b"just some text renamed to pdf"),
     ("anh.png", PDF), ("bang.xlsx", DOCX), ("van-ban.docx", b"PK\x03\x04 not really a zip"), ("rong.pdf", b""),
     # starts like a PDF but is a web page: PDFs are parsed, not only their first bytes looked at (issue 15)
     ("bien-ban.pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>"),
     ("so-lieu.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")],
)
def test_refused_files_save_nothing(as_user, session, units, name, content):
    task = task_one(session, units["phu-son"])
    with everything(session):
        evidence_before = session.scalar(sa.select(sa.func.count(Evidence.id)))
    response = post_update(as_user("office@phu-son"), task, files=[("hop-le.pdf", PDF), (name, content)])
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f"“{name}”" in text
    assert "Cập nhật chưa được lưu" in text
    assert len(updates_of(session, task)) == 1  # only the baseline's
    with everything(session):
        assert session.scalar(sa.select(sa.func.count(Evidence.id))) == evidence_before


def test_an_over_limit_file_is_refused_with_the_limit_named(app, as_user, session, units, monkeypatch):
    task = task_one(session, units["phu-son"])
    client = as_user("office@phu-son")
    big = PDF + b"\x00" * (10 * 1024 * 1024)
    response = post_update(client, task, files=[("qua-lon.pdf", big)])
    assert response.status_code == 400
    assert "“qua-lon.pdf” lớn hơn giới hạn 10 MB" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 2048)
    response = post_update(client, task, files=[("nho.pdf", PDF + bytes(3000))], htmx=True)
    assert response.status_code == 400
    assert "lớn hơn giới hạn 2 KB" in response.get_data(as_text=True)
    assert len(updates_of(session, task)) == 1
    assert post_update(client, task, files=[("vua.pdf", PDF + bytes(2048 - len(PDF)))]).status_code == 302


@pytest.mark.parametrize(
    "name,content,content_type",
    [("a.pdf", PDF, "application/pdf"), ("a.doc", DOC, "application/msword"),
     ("a.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
     ("a.xls", XLS, "application/vnd.ms-excel"),
     ("a.XLSX", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
     ("a.png", PNG, "image/png"), ("a.jpg", JPEG, "image/jpeg"), ("a.jpeg", JPEG, "image/jpeg"),
     ("a.gif", GIF, "image/gif"), ("a.webp", WEBP, "image/webp")],
)
def test_the_allow_list_sniffs_each_kind(name, content, content_type):
    assert check_file(Upload(name, content), 1024 * 1024).content_type == content_type


def test_file_names_are_kept_readable_and_harmless():
    assert clean_filename("C:\\Users\\cb\\Báo cáo.pdf") == "Báo cáo.pdf"
    assert clean_filename("../../etc/pass\x00wd.pdf") == "passwd.pdf"
    assert len(clean_filename("a" * 400 + ".pdf")) == 255
    with pytest.raises(EvidenceRefused):
        check_file(Upload("khong-duoi", PDF), 1000)


def test_another_wards_evidence_is_404(as_user, session, units):
    """Phú Sơn's task in the URL, Quang Trung's update and evidence ids: not found."""
    own = task_one(session, units["phu-son"])
    with everything(session):
        other = session.scalar(
            sa.select(Evidence).where(Evidence.unit_id == units["quang-trung"].id).order_by(Evidence.id).limit(1)
        )
        own_update = session.scalar(sa.select(TaskUpdate).where(TaskUpdate.task_id == own.id).limit(1))
        own_evidence = session.scalar(sa.select(Evidence).where(Evidence.update_id == own_update.id).limit(1))
    client = as_user("chairman@phu-son")
    assert client.get(f"{progress_url(own)}/{own_update.id}/evidence/{own_evidence.id}").status_code == 200
    assert client.get(f"{progress_url(own)}/{other.update_id}/evidence/{other.id}").status_code == 404
    assert client.get(f"{progress_url(own)}/{own_update.id}/evidence/{other.id}").status_code == 404
    # The right ids under another task of the same ward: 404 too.
    another_task = task_owned_by(session, units["phu-son"], Role.OFFICE)
    assert client.get(f"{progress_url(another_task)}/{own_update.id}/evidence/{own_evidence.id}").status_code == 404
    # Quang Trung's own chairman reaches their file; Phú Sơn's staff do not reach Quang Trung.
    qt_task = task_one(session, units["quang-trung"])
    qt_url = f"{progress_url(qt_task, slug='quang-trung')}/{other.update_id}/evidence/{other.id}"
    assert as_user("chairman@quang-trung").get(qt_url).status_code == 200
    assert as_user("chairman@phu-son").get(qt_url).status_code == 404  # (as_user re-signs the one client)


# --- due dates and overdue, hand-checked -----------------------------------------------------

M, Q, O, G = Schedule.MONTHLY, Schedule.QUARTERLY, Schedule.ONCE, Schedule.ONGOING


def test_due_dates_of_each_schedule():
    assert schedules.due_dates(O, 2025) == [date(2025, 12, 31)]
    assert schedules.due_dates(G, 2025) == []
    assert schedules.due_dates(Q, 2025) == [date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)]
    monthly = schedules.due_dates(M, 2025)
    assert len(monthly) == 12
    assert monthly[:4] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]
    assert monthly[-1] == date(2025, 12, 31)
    assert schedules.due_dates(M, 2024)[1] == date(2024, 2, 29)  # leap year
    assert [p.start for p in schedules.periods(Q, 2025)] == [date(2025, m, 1) for m in (1, 4, 7, 10)]


@pytest.mark.parametrize(
    "schedule,today,done_periods,missed",
    [
        # monthly: January is due on 31/01 and overdue from 01/02 without a done update for it
        (M, date(2025, 2, 3), set(), date(2025, 1, 31)),
        (M, date(2025, 2, 3), {date(2025, 1, 1)}, None),
        (M, date(2025, 2, 3), {date(2025, 2, 1)}, date(2025, 1, 31)),  # February done, January not
        (M, date(2025, 1, 31), set(), None),  # the due day itself is still in time
        (M, date(2025, 2, 1), set(), date(2025, 1, 31)),
        (M, date(2025, 3, 1), {date(2025, 1, 1)}, date(2025, 2, 28)),
        (M, date(2025, 1, 15), set(), None),
        (M, date(2026, 11, 25), {date(2025, 12, 1)}, None),  # past year: December was the last
        (M, date(2026, 11, 25), {date(2025, 11, 1)}, date(2025, 12, 31)),
        (M, date(2024, 12, 31), set(), None),  # before the plan's year
        # quarterly
        (Q, date(2025, 3, 31), set(), None),
        (Q, date(2025, 4, 1), set(), date(2025, 3, 31)),
        (Q, date(2025, 7, 15), {date(2025, 1, 1)}, date(2025, 6, 30)),
        (Q, date(2025, 7, 15), {date(2025, 4, 1)}, None),
        (Q, date(2025, 10, 1), {date(2025, 7, 1)}, None),
        # once: due 31/12 of the year, settled while its latest update is done
        (O, date(2025, 12, 31), set(), None),
        (O, date(2026, 1, 1), set(), date(2025, 12, 31)),
        (O, date(2026, 1, 1), {None}, None),
        # ongoing: never overdue
        (G, date(2025, 2, 3), set(), None),
        (G, date(2030, 1, 1), set(), None),
    ],
)
def test_overdue_on_hand_checked_dates(schedule, today, done_periods, missed):
    assert schedules.overdue_since(schedule, 2025, today, done_periods) == missed
    assert schedules.is_overdue(schedule, 2025, today, done_periods) is (missed is not None)


def test_next_due_and_periods():
    assert schedules.next_due(M, 2025, date(2025, 2, 3)) == date(2025, 2, 28)
    assert schedules.next_due(Q, 2025, date(2025, 3, 31)) == date(2025, 3, 31)
    assert schedules.next_due(O, 2025, date(2025, 5, 5)) == date(2025, 12, 31)
    assert schedules.next_due(O, 2025, date(2026, 1, 1)) is None
    assert schedules.next_due(G, 2025, date(2025, 5, 5)) is None
    assert schedules.period_containing(Q, 2025, date(2025, 8, 19)).start == date(2025, 7, 1)
    assert schedules.period_containing(M, 2025, date(2026, 3, 1)).start == date(2025, 12, 1)  # clamped
    assert schedules.period_containing(O, 2025, date(2025, 3, 1)) is None


def test_a_summary_follows_the_updates():
    day = date(2025, 2, 3)
    nothing = services.summarise(1, 1, M, 2025, day, [])
    assert (nothing.percent, nothing.status, nothing.overdue_since, nothing.done) == (None, None, date(2025, 1, 31), False)
    january = services.summarise(1, 1, M, 2025, day, [(date(2025, 2, 2), date(2025, 1, 1), ProgressStatus.DONE, 100)])
    assert (january.overdue, january.periods_done, january.periods_total, january.done) == (False, 1, 12, False)
    assert january.next_due == date(2025, 2, 28)
    # A task stands as its latest update says: 80 % after "done" is not done, whether once or for a month.
    once = services.summarise(1, 1, O, 2025, date(2026, 1, 2), [
        (date(2025, 6, 1), None, ProgressStatus.DONE, 100), (date(2025, 7, 1), None, ProgressStatus.IN_PROGRESS, 80),
    ])
    assert (once.done, once.overdue, once.percent, once.status) == (False, True, 80, ProgressStatus.IN_PROGRESS)
    redone = services.summarise(1, 1, O, 2025, date(2026, 1, 2), [
        (date(2025, 6, 1), None, ProgressStatus.DONE, 100), (date(2025, 7, 1), None, ProgressStatus.IN_PROGRESS, 80),
        (date(2025, 8, 1), None, ProgressStatus.DONE, 100),
    ])
    assert (redone.done, redone.overdue) == (True, False)
    undone = services.summarise(1, 1, M, 2025, day, [
        (date(2025, 2, 1), date(2025, 1, 1), ProgressStatus.DONE, 100),
        (date(2025, 2, 2), date(2025, 1, 1), ProgressStatus.IN_PROGRESS, 60),
    ])
    assert (undone.periods_done, undone.done_periods, undone.overdue_since) == (0, frozenset(), date(2025, 1, 31))
    ongoing = services.summarise(1, 1, G, 2025, date(2030, 1, 1), [])
    assert (ongoing.overdue, ongoing.next_due, ongoing.ongoing) == (False, None, True)


def test_a_monthly_task_is_overdue_for_january_until_january_is_reported_done(as_user, session, units):
    unit = units["phu-son"]
    plan = plan_of(session, unit)
    task = task_owned_by(session, unit, Role.OFFICE, Schedule.MONTHLY)
    on_3_february = date(2025, 2, 3)
    with scoped_to(session, unit):
        assert services.task_summaries(session, plan, on_3_february)[task.id].overdue_since == date(2025, 1, 31)
    client = as_user("office@phu-son")
    post_update(client, task, status="in_progress", period="2025-01-01")  # in progress is not done
    post_update(client, task, status="done", period="2025-02-01")  # February done is not January
    with scoped_to(session, unit):
        assert services.task_summaries(session, plan, on_3_february)[task.id].overdue
    post_update(client, task, status="done", period="2025-01-01")
    with scoped_to(session, unit):
        summary = services.task_summaries(session, plan, on_3_february)[task.id]
        assert (summary.overdue, summary.periods_done, summary.next_due) == (False, 2, date(2025, 2, 28))
        assert services.task_summaries(session, plan, date(2025, 4, 1))[task.id].overdue_since == date(2025, 3, 31)


def test_a_month_reported_done_then_at_60_percent_is_no_longer_done_in_the_period_table(as_user, session, units):
    """Issue 16: posting 60 % for a month already "Hoàn thành" changed the headline but not the period table."""
    task = task_owned_by(session, units["phu-son"], Role.OFFICE, Schedule.MONTHLY)
    client = as_user("office@phu-son")

    def january() -> str:
        page = client.get(progress_url(task)).get_data(as_text=True)
        row = re.search(r"<td>Tháng 1/2025</td>.*?</tr>", page, re.S)
        assert row, "no row for January in the period table"
        return row.group(0)

    post_update(client, task, status="done", period="2025-01-01")
    assert "Hoàn thành" in january()
    post_update(client, task, status="in_progress", percent="60", period="2025-01-01")
    assert "Hoàn thành" not in january()
    post_update(client, task, status="done", period="2025-01-01")
    assert "Hoàn thành" in january()


def test_progress_waits_for_the_plan_to_be_issued_then_goes_on_while_it_is_reopened(as_user, session, units):
    """Issue 16: progress on a plan that is not issued yet is refused with a message; once issued it is taken,
    and still while the chairman has reopened the plan to amend it. The file's number and date on an imported
    draft do not count as issuing it."""
    office, chairman = as_user("office@phu-son"), as_user("chairman@phu-son")
    assert chairman.post("/u/phu-son/plans/2026/create").status_code == 302
    plan = plan_of(session, units["phu-son"], 2026)
    with everything(session):
        plan.number, plan.issued_on = "12/KH-UBND", date(2026, 1, 16)  # as an import carries them
        session.commit()
        task = session.scalars(sa.select(Task).where(Task.plan_id == plan.id).order_by(Task.id)).first()
    url = progress_url(task, 2026)
    office = as_user("office@phu-son")
    page = office.get(url).get_data(as_text=True)
    assert "Kế hoạch chưa được ban hành" in page and 'name="percent"' not in page
    assert "Xem tiến độ" in office.get("/u/phu-son/plans/2026").get_data(as_text=True)
    refused = office.post(url, data={"percent": "40", "status": "in_progress", "note": "Đã triển khai"})
    assert refused.status_code == 409 and "Kế hoạch chưa được ban hành" in refused.get_data(as_text=True)
    assert updates_of(session, task) == []

    assert office.post("/u/phu-son/plans/2026/submit").status_code == 302
    chairman = as_user("chairman@phu-son")
    assert chairman.post("/u/phu-son/plans/2026/issue", data={
        "number": "12/KH-UBND", "issued_on": "16/01/2026", "signer_name": "Nguyễn Xuân Lâm"}).status_code == 302
    office = as_user("office@phu-son")
    assert 'name="percent"' in office.get(url).get_data(as_text=True)
    assert office.post(url, data={"percent": "40", "status": "in_progress", "note": "Đã triển khai"}).status_code == 302
    assert as_user("chairman@phu-son").post("/u/phu-son/plans/2026/reopen").status_code == 302
    office = as_user("office@phu-son")
    assert office.post(url, data={"percent": "60", "status": "in_progress", "note": "Thêm"}).status_code == 302
    assert [u.percent for u in updates_of(session, task)] == [40, 60]


def test_the_service_refuses_progress_on_a_plan_never_issued(session, units):
    with everything(session):
        create_plans_for_wards(session, units["bim-son"], 2027)
        plan = plan_of(session, units["phu-son"], 2027)
        task = session.scalars(sa.select(Task).where(Task.plan_id == plan.id)).first()
        with pytest.raises(services.PlanNotIssued):
            services.add_update(session, plan, task, roles={Role.OFFICE}, user_id=None, username="tests",
                                today=date(2027, 2, 1), percent=10, status=ProgressStatus.IN_PROGRESS, max_bytes=1024)


# --- roll-ups ---------------------------------------------------------------------------------


def _record(session, plan, task, day, status, percent, period=None):  # type: ignore[no-untyped-def]
    return services.add_update(session, plan, task, roles={Role.OFFICE}, user_id=None, username="tests", today=day,
                               percent=percent, status=status, period_start=period, max_bytes=1024)


def test_section_rollups_count_done_overdue_and_average(session, units):
    unit = units["phu-son"]
    plan = plan_of(session, unit)
    with scoped_to(session, unit):
        sections = {s.id: s for s in session.scalars(sa.select(PlanSection).where(PlanSection.plan_id == plan.id))}
        section_2 = next(s for s in sections.values() if s.number == "2" and s.parent_id is not None
                         and sections[s.parent_id].number == "II")
        parent = sections[section_2.parent_id]
        tasks = list(session.scalars(sa.select(Task).where(Task.section_id == section_2.id).order_by(Task.position, Task.id)))
        assert len(tasks) == 4
        monthly, quarterly, once, ongoing = tasks
        monthly.schedule, quarterly.schedule, once.schedule, ongoing.schedule = M, Q, O, G
        session.flush()
        _record(session, plan, monthly, date(2025, 2, 2), ProgressStatus.DONE, 100, date(2025, 2, 1))  # not January
        _record(session, plan, quarterly, date(2025, 3, 20), ProgressStatus.DONE, 100, date(2025, 1, 1))
        _record(session, plan, once, date(2025, 1, 20), ProgressStatus.IN_PROGRESS, 30)
        _record(session, plan, once, date(2025, 1, 25), ProgressStatus.DONE, 100)
        _record(session, plan, ongoing, date(2025, 1, 25), ProgressStatus.IN_PROGRESS, 40)
        today = date(2025, 4, 3)  # January and February due (Jan missed), Q1 done, once done, ongoing never
        rollups = services.section_rollups(session, plan, today)
        summaries = services.task_summaries(session, plan, today)
    own = rollups[section_2.id]
    assert (own.total, own.done, own.overdue, own.average_percent) == (4, 1, 1, round((100 + 100 + 100 + 40) / 4))
    assert summaries[monthly.id].overdue_since == date(2025, 3, 31)  # March: the most recent due date
    assert summaries[quarterly.id].overdue is False and summaries[once.id].done is True
    # The parent section (II) holds its sub-sections' tasks: these four, and II.4's monthly task,
    # never reported, overdue since 31/03 as well.
    whole = rollups[parent.id]
    assert whole.total > own.total and (whole.done, whole.overdue) == (1, 2)
    assert whole.total == sum(rollups[s.id].total for s in sections.values() if s.parent_id == parent.id) + sum(
        1 for t in summaries.values() if t.section_id == parent.id
    )
    assert services.plan_rollup(summaries.values()).total == len(summaries)


def test_rollups_cost_two_queries_whatever_the_plan(session, units):
    unit = units["phu-son"]
    plan = plan_of(session, unit)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
            statements.append(statement)

    with scoped_to(session, unit):
        session.execute(sa.select(1))  # begin the transaction before counting
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            services.section_rollups(session, plan, date(2025, 6, 1))
            rollup_queries = len(statements)
            statements.clear()
            services.task_summaries(session, plan, date(2025, 6, 1))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert (rollup_queries, len(statements)) == (2, 1)


def test_the_overview_page_shows_rollups_and_overdue_tasks(as_user, session, units, monkeypatch):
    monkeypatch.setattr("app.progress.routes.local_today", lambda: date(2026, 1, 5))
    task = task_owned_by(session, units["phu-son"], Role.OFFICE, Schedule.MONTHLY)
    response = as_user("front@phu-son").get("/u/phu-son/plans/2025/progress")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Toàn kế hoạch:" in text and "nhiệm vụ hoàn thành" in text
    assert 'id="overdue-tasks"' in text  # the monthly task missed December
    assert progress_url(task) in text[text.index('id="overdue-tasks"'):]
    task_page = as_user("front@phu-son").get(progress_url(task)).get_data(as_text=True)
    assert "Quá hạn từ 31/12/2025" in task_page
    assert "Tổng hợp theo mục" in task_page


def test_another_ward_gets_404_on_the_progress_pages(as_user, session, units):
    other = task_one(session, units["quang-trung"])
    client = as_user("office@phu-son")
    assert client.get(progress_url(other)).status_code == 404  # another ward's task under the own slug
    assert post_update(client, other).status_code == 404
    assert client.get(progress_url(other, slug="quang-trung")).status_code == 404
    assert client.get("/u/truong-son/plans/2025/progress").status_code == 404


@pytest.mark.parametrize("name,content", [("trinh-chieu.doc", PPT), ("bang.xls", DOC), ("gia.docx", BARE_ZIP_WITH_DOCUMENT)])
def test_office_files_must_be_what_their_name_says(name, content):
    with pytest.raises(EvidenceRefused):
        check_file(Upload(name, content), 1024 * 1024)


def test_the_form_opens_with_the_tasks_percent_and_status_together(as_user, session, units):
    """Issue 16: after "Hoàn thành" the form offered 100 % beside "Đang thực hiện"."""
    import re

    task = task_one(session, units["phu-son"])
    client = as_user("office@phu-son")
    assert post_update(client, task, percent="100", status="done").status_code == 302
    html = client.get(progress_url(task)).get_data(as_text=True)
    assert re.search(r'name="percent"[^>]*value="100"|value="100"[^>]*name="percent"', html)
    status = re.search(r'<select[^>]*name="status".*?</select>', html, re.S).group(0)
    assert re.search(r'<option selected value="done"|<option value="done" selected', status)
