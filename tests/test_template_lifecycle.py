"""The life of a template (issue 5 items 3–4): the town's admin revises a template with the plan
editor and publishes it; each ward plan is offered the change and accepts or declines it; the
difference of each ward's plan against the template; next year's template and next year's plan."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.models import Plan, PlanProposal, PlanStatus, ProposalStatus, Task, TaskUpdate
from app.plan_templates.rollover import YearShift
from tests.conftest import everything, label_of, plan_of

TEMPLATES = "/u/bim-son/templates"


def _published(session) -> Plan:
    with everything(session):
        return session.scalar(
            sa.select(Plan).where(Plan.is_template.is_(True), Plan.code == "dan-van-chinh-quyen-2025")
            .order_by(Plan.revision.desc()).limit(1)
        )


def _tasks(session, plan: Plan) -> list[Task]:
    with everything(session):
        return session.scalars(sa.select(Task).where(Task.plan_id == plan.id).order_by(Task.section_id, Task.position)).all()


def _task(session, plan: Plan, key: str) -> Task:
    return next(t for t in _tasks(session, plan) if t.key == key)


def _proposals(session, plan: Plan) -> list[PlanProposal]:
    with everything(session):
        return session.scalars(sa.select(PlanProposal).where(PlanProposal.plan_id == plan.id).order_by(PlanProposal.id)).all()


def _revise_and_publish(admin, session) -> Plan:
    """Revision 2: II.4.3 reworded, a task added to II.5, task II.6.2 removed; then published."""
    original = _published(session)
    assert admin.post(f"{TEMPLATES}/{original.id}/revise").status_code == 302
    draft = _published(session)
    assert draft.revision == original.revision + 1 and draft.status == PlanStatus.DRAFT
    reworded = _task(session, draft, "II.4.3")
    page = admin.post(
        f"{TEMPLATES}/{draft.id}/tasks/{reworded.id}/edit",
        data={"text": "Hằng tháng rà soát, đôn đốc giải quyết đơn thư của Nhân dân trên địa bàn phường Phú Sơn.",
              "owner_role": "office", "schedule": "monthly", "version": reworded.version},
    )
    assert page.status_code == 302
    section_id = _task(session, draft, "II.5.1").section_id
    added = admin.post(
        f"{TEMPLATES}/{draft.id}/sections/{section_id}/tasks/new",
        data={"text": "Đăng ký ít nhất một mô hình “Dân vận khéo” mới của phường Phú Sơn.", "owner_role": "culture",
              "schedule": "once"},
    )
    assert added.status_code == 302
    removed = _task(session, draft, "II.6.2")
    assert admin.post(f"{TEMPLATES}/{draft.id}/tasks/{removed.id}/delete", data={"version": removed.version}).status_code == 302
    assert admin.post(f"{TEMPLATES}/{draft.id}/publish").status_code == 302
    return draft


def test_the_towns_admin_sees_the_template_and_each_wards_standing(as_user, session):
    admin = as_user("admin@bim-son")
    index = admin.get(f"{TEMPLATES}/").get_data(as_text=True)
    template = _published(session)
    assert f"{TEMPLATES}/{template.id}" in index and "Đã công bố" in index
    page = admin.get(f"{TEMPLATES}/{template.id}").get_data(as_text=True)
    assert "Phú Sơn" in page and "Quang Trung" in page and "Thực hiện công tác dân vận chính quyền năm 2025" in page
    # A published revision is read-only: no edit controls, and editing is refused.
    task = _tasks(session, template)[0]
    assert f"/tasks/{task.id}/edit" not in page
    refused = admin.post(f"{TEMPLATES}/{template.id}/tasks/{task.id}/edit",
                         data={"text": "x", "owner_role": "office", "schedule": "once", "version": task.version})
    assert refused.status_code == 302
    with everything(session):
        session.refresh(task)
    assert task.text != "x"


def test_a_published_revision_is_offered_to_each_ward_which_accepts_or_declines(as_user, session, units):
    admin = as_user("admin@bim-son")
    revision = _revise_and_publish(admin, session)
    phu_son, quang_trung = plan_of(session, units["phu-son"]), plan_of(session, units["quang-trung"])
    offered = [p for p in _proposals(session, phu_son) if p.to_revision == revision.revision]
    assert len(offered) == 1 and offered[0].status == ProposalStatus.PENDING
    ops = sorted(c["op"] for c in offered[0].changes)
    assert ops == ["add", "change", "remove"]
    # The commune's proposal carries the commune's names.
    qt = [p for p in _proposals(session, quang_trung) if p.to_revision == revision.revision][0]
    assert any("xã Quang Trung" in c["text"] for c in qt.changes) and not any("Phú Sơn" in c["text"] for c in qt.changes)

    chairman = as_user("chairman@phu-son")
    plan_page = chairman.get("/u/phu-son/plans/2025").get_data(as_text=True)
    assert f"/proposals/{offered[0].id}" in plan_page
    shown = chairman.get(f"/u/phu-son/plans/2025/proposals/{offered[0].id}").get_data(as_text=True)
    assert "Hằng tháng rà soát" in shown and "Phát huy vai trò của Ủy ban Mặt trận" in shown
    assert chairman.post(f"/u/phu-son/plans/2025/proposals/{offered[0].id}/accept").status_code == 302

    with everything(session):
        session.refresh(phu_son)
    texts = [t.text for t in _tasks(session, phu_son)]
    assert "Hằng tháng rà soát, đôn đốc giải quyết đơn thư của Nhân dân trên địa bàn phường Phú Sơn." in texts
    assert "Đăng ký ít nhất một mô hình “Dân vận khéo” mới của phường Phú Sơn." in texts
    assert not any(t.startswith("Phát huy vai trò của Ủy ban Mặt trận") for t in texts)
    assert phu_son.template_id == revision.id and phu_son.template_revision == revision.revision
    revision_ids = {t.id for t in _tasks(session, revision)}
    assert all(t.template_task_id in revision_ids for t in _tasks(session, phu_son))

    other = as_user("chairman@quang-trung")
    assert other.post(f"/u/quang-trung/plans/2025/proposals/{qt.id}/decline").status_code == 302
    assert any(t.text.startswith("Phát huy vai trò") for t in _tasks(session, quang_trung))

    # The parent sees who did which, and Phú Sơn now matches the new revision.
    page = as_user("admin@bim-son").get(f"{TEMPLATES}/{revision.id}").get_data(as_text=True)
    assert f"Đã chấp nhận (nhận 3/3 thay đổi) · {label_of('chairman@phu-son')}" in page
    assert f"Đã từ chối · {label_of('chairman@quang-trung')}" in page
    # Answered once is answered: a second answer is refused.
    again = as_user("chairman@phu-son").post(f"/u/phu-son/plans/2025/proposals/{offered[0].id}/decline")
    assert again.status_code == 302
    with everything(session):
        session.refresh(offered[0])
    assert offered[0].status == ProposalStatus.ACCEPTED


def test_an_issued_plan_must_be_reopened_before_it_takes_a_change(as_user, session, units):
    revision = _revise_and_publish(as_user("admin@bim-son"), session)
    plan = plan_of(session, units["phu-son"])
    as_user("office@phu-son").post("/u/phu-son/plans/2025/submit")
    chairman = as_user("chairman@phu-son")
    chairman.post("/u/phu-son/plans/2025/issue", data={"number": "15/KH-UBND", "issued_on": "05/01/2025", "signer_name": "A"})
    offered = [p for p in _proposals(session, plan) if p.to_revision == revision.revision][0]
    before = [t.text for t in _tasks(session, plan)]
    response = chairman.post(f"/u/phu-son/plans/2025/proposals/{offered.id}/accept", follow_redirects=True)
    assert "mở lại kế hoạch" in response.get_data(as_text=True)
    assert [t.text for t in _tasks(session, plan)] == before
    with everything(session):
        session.refresh(offered)
    assert offered.status == ProposalStatus.PENDING


def test_a_task_with_progress_is_kept_when_the_template_removes_it(as_user, session, units):
    plan = plan_of(session, units["phu-son"])
    doomed = _task(session, plan, "II.6.2")
    with everything(session):
        session.add(TaskUpdate(unit_id=plan.unit_id, task_id=doomed.id, reported_on=date(2025, 3, 1), percent=50, note="x"))
        session.flush()
    revision = _revise_and_publish(as_user("admin@bim-son"), session)
    offered = [p for p in _proposals(session, plan) if p.to_revision == revision.revision][0]
    page = as_user("chairman@phu-son").post(f"/u/phu-son/plans/2025/proposals/{offered.id}/accept", follow_redirects=True)
    assert "Giữ lại nhiệm vụ đã có báo cáo tiến độ" in page.get_data(as_text=True)
    assert any(t.id == doomed.id for t in _tasks(session, plan))


def test_the_difference_of_a_ward_plan_and_of_all_wards(as_user, session, units):
    plan = plan_of(session, units["phu-son"])
    office = as_user("office@phu-son")
    task = _task(session, plan, "II.1.1")
    office.post(f"/u/phu-son/plans/2025/tasks/{task.id}/edit",
                data={"text": "Tuyên truyền trên loa truyền thanh của phường.", "owner_role": "culture",
                      "schedule": "ongoing", "version": task.version})
    office.post(f"/u/phu-son/plans/2025/sections/{task.section_id}/tasks/new",
                data={"text": "Tổ chức hội nghị đối thoại ở từng khu phố.", "owner_role": "chairman", "schedule": "once"})
    gone = _task(session, plan, "II.6.2")
    office.post(f"/u/phu-son/plans/2025/tasks/{gone.id}/delete", data={"version": gone.version})

    page = as_user("front@phu-son").get("/u/phu-son/plans/2025/difference").get_data(as_text=True)
    assert "Thêm: 1" in page and "Bỏ: 1" in page and "Sửa: 1" in page and "Giữ nguyên: 16" in page
    assert "Tuyên truyền trên loa truyền thanh của phường." in page and "Tổ chức hội nghị đối thoại" in page

    table = as_user("admin@bim-son").get(f"{TEMPLATES}/{_published(session).id}").get_data(as_text=True)
    row = table[table.index('id="ward-phu-son"'):]
    row = row[: row.index("</tr>")]
    assert [int(n) for n in re.findall(r'class="num">(\d+)<', row)] == [1, 1, 1]
    # Which template tasks the wards departed from, and which wards.
    departures = table[table.index('id="task-departures"'):]
    changed = departures[departures.index("II.1.1"):]
    changed = changed[: changed.index("</tr>")]
    assert "Phú Sơn" in changed and "Quang Trung" not in changed
    assert "II.6.2" in departures


def test_next_years_template_and_next_years_plan(as_user, session, units):
    admin = as_user("admin@bim-son")
    current = _published(session)
    assert admin.post(f"{TEMPLATES}/{current.id}/next-year").status_code == 302
    with everything(session):
        draft = session.scalar(sa.select(Plan).where(Plan.is_template.is_(True), Plan.year == 2026))
    assert draft.code == "dan-van-chinh-quyen-2026" and draft.status == PlanStatus.DRAFT
    assert draft.title == "Thực hiện công tác dân vận chính quyền năm 2026"
    # Not published yet: wards do not get it.
    chairman = as_user("chairman@phu-son")
    chairman.post("/u/phu-son/plans/2025/next-year", data={"source": "template"})
    created = plan_of(session, units["phu-son"], 2026)
    assert created.template_id == current.id
    with everything(session):
        session.delete(created)
        session.flush()
    published = as_user("admin@bim-son").post(f"{TEMPLATES}/{draft.id}/publish", follow_redirects=True)
    assert "Đã công bố mẫu" in published.get_data(as_text=True)
    chairman = as_user("chairman@phu-son")

    plan = plan_of(session, units["phu-son"])
    done = _task(session, plan, "II.1.1")
    with everything(session):
        session.add(TaskUpdate(unit_id=plan.unit_id, task_id=done.id, reported_on=date(2025, 6, 1), percent=100,
                               status="done", note="xong"))
        session.flush()
    response = chairman.post("/u/phu-son/plans/2025/next-year", data={"source": "template"})
    assert response.status_code == 302
    new = plan_of(session, units["phu-son"], 2026)
    assert new.template_id == draft.id and new.title.endswith("năm 2026")
    tasks = _tasks(session, new)
    assert all(t.previous_task_id for t in tasks)
    assert not _task(session, new, "II.1.1").carried_over
    assert sum(t.carried_over for t in tasks) == len(tasks) - 1
    page = chairman.get("/u/phu-son/plans/2026").get_data(as_text=True)
    assert "Chưa xong năm 2025" in page


def test_next_years_plan_from_the_wards_own_plan(as_user, session, units):
    plan = plan_of(session, units["phu-son"])
    office = as_user("office@phu-son")
    task = _task(session, plan, "II.5.1")
    office.post(f"/u/phu-son/plans/2025/tasks/{task.id}/edit",
                data={"text": "Trước ngày 15/12/2025 tổng kết phong trào theo Chỉ thị số 33/CT-TTg ngày 26/11/2021.",
                      "owner_role": "culture", "schedule": "once", "version": task.version})
    bad = office.post("/u/phu-son/plans/2025/next-year", data={"source": "nowhere"})
    assert bad.status_code == 400 and "Vui lòng chọn" in bad.get_data(as_text=True)
    assert plan_of(session, units["phu-son"], 2026) is None
    again = office.post("/u/phu-son/plans/2025/next-year", data={"source": "plan"})
    assert again.status_code == 302
    new = plan_of(session, units["phu-son"], 2026)
    moved = _task(session, new, "II.5.1")
    assert moved.text == "Trước ngày 15/12/2026 tổng kết phong trào theo Chỉ thị số 33/CT-TTg ngày 26/11/2021."
    assert new.title == "Thực hiện công tác dân vận chính quyền năm 2026"
    assert new.legal_bases == plan.legal_bases and new.status == PlanStatus.DRAFT
    assert len(_tasks(session, new)) == len(_tasks(session, plan))
    # A second time is refused with a message.
    twice = office.post("/u/phu-son/plans/2025/next-year", data={"source": "plan"})
    assert twice.status_code == 409 and "đã có kế hoạch năm 2026" in twice.get_data(as_text=True)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Kế hoạch năm 2025", "Kế hoạch năm 2026"),
        ("trước ngày 05/01/2025 và 31/02/2025", "trước ngày 05/01/2026 và 31/02/2025"),
        ("họp ngày 29/02/2024", "họp ngày 28/02/2025"),
        ("tháng 3/2025, quý II/2025", "tháng 3/2026, quý II/2026"),
        ("Chỉ thị số 08-CT/TU ngày 04/01/2025 của Ban Thường vụ", "Chỉ thị số 08-CT/TU ngày 04/01/2025 của Ban Thường vụ"),
        ("giai đoạn 2021-2025; năm 2024", "giai đoạn 2021-2025; năm 2024"),
        ("Kế hoạch số 12/KH-UBND ngày 05 tháng 01 năm 2025", "Kế hoạch số 12/KH-UBND ngày 05 tháng 01 năm 2025"),
        ("Quyết định 2543-QĐ/TU ngày 10/3/2025", "Quyết định 2543-QĐ/TU ngày 10/3/2025"),
        ("từ 01/01/2025 - 31/12/2025", "từ 01/01/2026 - 31/12/2026"),
        ("giai đoạn năm 2025-2030", "giai đoạn năm 2025-2030"),
        ("họp ngày 05 tháng 01 năm 2025", "họp ngày 05 tháng 01 năm 2026"),
    ],
)
def test_year_shift_moves_the_plans_own_dates_only(text, expected):
    year = 2024 if "2024" in text and "năm 2024" not in text else 2025
    assert YearShift(year)(text) == expected


# --- what a review found ----------------------------------------------------------------------------


def test_templates_do_not_exist_under_a_wards_address(as_user):
    admin = as_user("admin@bim-son")
    for url in ("/u/phu-son/templates/", "/u/phu-son/templates/import"):
        assert admin.get(url).status_code == 404
    seed = (Path(__file__).resolve().parents[1] / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt")
    created = admin.post("/u/phu-son/templates/import", data={"text": seed.read_text(encoding="utf-8"), "action": "create"})
    assert created.status_code == 404


def test_a_new_revision_starts_from_the_newest_published_one(as_user, session):
    admin = as_user("admin@bim-son")
    first = _published(session)
    second = _revise_and_publish(admin, session)
    assert admin.post(f"{TEMPLATES}/{first.id}/revise").status_code == 302  # from the old revision's page
    third = _published(session)
    assert third.revision == 3
    assert [(t.key, t.text) for t in _tasks(session, third)] == [(t.key, t.text) for t in _tasks(session, second)]
    page = admin.get(f"{TEMPLATES}/{first.id}").get_data(as_text=True)
    assert "Đây là phiên bản cũ." in page


def test_another_years_plan_copied_from_the_template_is_not_counted_nor_offered(as_user, session, units):
    office = as_user("office@phu-son")
    assert office.post("/u/phu-son/plans/2025/next-year", data={"source": "plan"}).status_code == 302
    next_plan = plan_of(session, units["phu-son"], 2026)
    gone = _task(session, next_plan, "II.6.2")
    office.post(f"/u/phu-son/plans/2026/tasks/{gone.id}/delete", data={"version": gone.version})
    revision = _revise_and_publish(as_user("admin@bim-son"), session)
    assert not [p for p in _proposals(session, next_plan) if p.to_revision == revision.revision]
    page = as_user("admin@bim-son").get(f"{TEMPLATES}/{_published(session).id}").get_data(as_text=True)
    row = page[page.index('id="ward-phu-son"'):]
    assert "/plans/2025/difference" in row[: row.index("</tr>")]


def test_accepting_keeps_what_the_ward_rewrote_itself(as_user, session, units):
    plan = plan_of(session, units["phu-son"])
    mine = _task(session, plan, "II.4.3")
    office = as_user("office@phu-son")
    office.post(f"/u/phu-son/plans/2025/tasks/{mine.id}/edit",
                data={"text": "Mỗi quý rà soát đơn thư tồn đọng.", "owner_role": "chairman", "schedule": "quarterly",
                      "version": mine.version})
    revision = _revise_and_publish(as_user("admin@bim-son"), session)  # rewords II.4.3 too
    offered = [p for p in _proposals(session, plan) if p.to_revision == revision.revision][0]
    chairman = as_user("chairman@phu-son")
    shown = chairman.get(f"/u/phu-son/plans/2025/proposals/{offered.id}").get_data(as_text=True)
    assert "Đơn vị đã tự sửa nhiệm vụ này" in shown and "Mỗi quý rà soát đơn thư tồn đọng." in shown
    answer = chairman.post(f"/u/phu-son/plans/2025/proposals/{offered.id}/accept", follow_redirects=True)
    assert "Giữ nguyên phần đơn vị đã tự sửa" in answer.get_data(as_text=True)
    with everything(session):
        session.refresh(mine)
    assert (mine.text, mine.owner_role.value, mine.schedule.value) == ("Mỗi quý rà soát đơn thư tồn đọng.", "chairman", "quarterly")
    revision_ids = {t.id for t in _tasks(session, revision)}
    assert mine.template_task_id in revision_ids  # still linked, to the new revision's task


def test_a_revision_changing_the_documents_own_words_offers_them_too(as_user, session, units):
    admin = as_user("admin@bim-son")
    admin.post(f"{TEMPLATES}/{_published(session).id}/revise")
    draft = _published(session)
    bases = [*draft.legal_bases, "Luật Tiếp công dân năm 2013"]
    response = admin.post(f"{TEMPLATES}/{draft.id}/document/edit", data={
        "version": draft.version, "title": draft.title, "preamble": draft.preamble, "legal_bases": "\n".join(bases),
        "closing": draft.closing, "recipients": "\n".join(draft.recipients), "signer_title": draft.signer_title,
    })
    assert response.status_code == 302
    admin.post(f"{TEMPLATES}/{draft.id}/publish")
    plan = plan_of(session, units["quang-trung"])
    offered = [p for p in _proposals(session, plan) if p.to_revision == draft.revision][0]
    assert [c["field"] for c in offered.changes if c["op"] == "document"] == ["legal_bases"]
    chairman = as_user("chairman@quang-trung")
    assert "Luật Tiếp công dân năm 2013" in chairman.get(f"/u/quang-trung/plans/2025/proposals/{offered.id}").get_data(as_text=True)
    chairman.post(f"/u/quang-trung/plans/2025/proposals/{offered.id}/accept")
    with everything(session):
        session.refresh(plan)
    assert plan.legal_bases[-1] == "Luật Tiếp công dân năm 2013" and len(plan.legal_bases) == 2


def test_an_unanswered_proposal_is_marked_superseded_by_the_next_revision(as_user, session, units):
    admin = as_user("admin@bim-son")
    second = _revise_and_publish(admin, session)
    admin.post(f"{TEMPLATES}/{second.id}/revise")
    admin.post(f"{TEMPLATES}/{_published(session).id}/publish")
    plan = plan_of(session, units["phu-son"])
    statuses = {p.to_revision: p.status for p in _proposals(session, plan) if p.to_revision > 1}
    assert statuses == {2: ProposalStatus.SUPERSEDED, 3: ProposalStatus.PENDING}
    page = as_user("chairman@phu-son").get("/u/phu-son/plans/2025/difference").get_data(as_text=True)
    assert "Thay bằng phiên bản mới hơn" in page


def test_a_towns_newest_published_template_is_what_its_wards_get(as_user, session, units):
    seed = (Path(__file__).resolve().parents[1] / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt")
    text = seed.read_text(encoding="utf-8").replace("Thực hiện công tác dân vận chính quyền năm 2025",
                                                    "Công tác dân vận chính quyền năm 2027")
    admin = as_user("admin@bim-son")
    for _ in range(2):  # the import numbering goes on after a discard, and another town has its own
        assert admin.post("/u/bim-son/templates/import", data={"text": text, "year": "2027", "action": "create"}).status_code == 302
    with everything(session):
        drafts = session.scalars(sa.select(Plan).where(Plan.code.like("nhap-bim-son-2027-%")).order_by(Plan.id)).all()
    assert [d.code for d in drafts] == ["nhap-bim-son-2027-1", "nhap-bim-son-2027-2"]
    admin.post(f"{TEMPLATES}/{drafts[0].id}/discard")
    assert admin.post("/u/bim-son/templates/import", data={"text": text, "year": "2027", "action": "create"}).status_code == 302
    other = as_user("admin@sam-son")
    assert other.post("/u/sam-son/templates/import", data={"text": text, "year": "2027", "action": "create"}).status_code == 302
    admin = as_user("admin@bim-son")
    admin.post(f"{TEMPLATES}/{drafts[1].id}/publish")
    chairman = as_user("chairman@phu-son")
    assert chairman.post("/u/phu-son/plans/2027/create").status_code == 302
    assert plan_of(session, units["phu-son"], 2027).template_id == drafts[1].id


def test_a_ward_takes_some_changes_and_leaves_others(as_user, session, units):
    revision = _revise_and_publish(as_user("admin@bim-son"), session)
    plan = plan_of(session, units["phu-son"])
    offered = [p for p in _proposals(session, plan) if p.to_revision == revision.revision][0]
    ops = [c["op"] for c in offered.changes]
    take = [str(i) for i, op in enumerate(ops) if op != "remove"]  # keep II.6.2, take the rest
    chairman = as_user("chairman@phu-son")
    page = chairman.get(f"/u/phu-son/plans/2025/proposals/{offered.id}").get_data(as_text=True)
    assert page.count('name="take"') == len(ops)
    nothing = chairman.post(f"/u/phu-son/plans/2025/proposals/{offered.id}/accept", data={"choosing": "1"}, follow_redirects=True)
    assert "Hãy chọn ít nhất một thay đổi" in nothing.get_data(as_text=True)
    answer = chairman.post(f"/u/phu-son/plans/2025/proposals/{offered.id}/accept",
                           data={"choosing": "1", "take": [*take, "x", "99999999"]}, follow_redirects=True)
    assert "1 thay đổi không chọn" in answer.get_data(as_text=True)
    texts = [t.text for t in _tasks(session, plan)]
    assert any(t.startswith("Phát huy vai trò của Ủy ban Mặt trận") for t in texts)  # the removal was left
    assert any(t.startswith("Hằng tháng rà soát") for t in texts)  # the rewording was taken
    with everything(session):
        session.refresh(offered)
    assert offered.status == ProposalStatus.ACCEPTED and offered.taken == len(ops) - 1
    shown = chairman.get(f"/u/phu-son/plans/2025/proposals/{offered.id}").get_data(as_text=True)
    assert "Không nhận" in shown
    # The part left shows in the difference: the ward kept a task the template no longer has.
    difference = chairman.get("/u/phu-son/plans/2025/difference").get_data(as_text=True)
    assert "Thêm: 1" in difference
    town = as_user("admin@bim-son").get(f"{TEMPLATES}/{revision.id}").get_data(as_text=True)
    assert f"nhận {len(ops) - 1}/{len(ops)} thay đổi" in town


def test_the_built_in_template_has_its_day_of_publication(as_user, session):
    """Issue 16: a published revision showed an empty "Ngày công bố"; the registry's is published the day
    it is loaded."""
    with everything(session):
        builtin = session.scalar(sa.select(Plan).where(Plan.is_template.is_(True), Plan.code == "dan-van-chinh-quyen-2025"))
    assert builtin.issued_on is not None
    page = as_user("admin@bim-son").get("/u/bim-son/templates/").get_data(as_text=True)
    assert builtin.issued_on.strftime("%d/%m/%Y") in page
