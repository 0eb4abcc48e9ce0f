"""Plans: copying the template, the lifecycle, and inline editing through the screens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.models import AuditEntry, Plan, PlanSection, PlanStatus, Task
from app.plans.instantiate import instantiate
from tests.conftest import everything, label_of, plan_of

HTMX = {"HX-Request": "true"}


def _template(session) -> Plan:
    with everything(session):
        return session.scalar(sa.select(Plan).where(Plan.is_template.is_(True)))


def _rows(session, model, plan: Plan) -> list:
    with everything(session):
        return session.scalars(sa.select(model).where(model.plan_id == plan.id).order_by(model.id)).all()


def _all_text(session, plan: Plan) -> str:
    parts = [plan.title, plan.preamble, plan.closing, *plan.recipients]
    parts += [s.title + " " + s.body for s in _rows(session, PlanSection, plan)]
    parts += [t.text for t in _rows(session, Task, plan)]
    return "\n".join(parts)


def _first_task(session, unit, year=2025) -> Task:
    return _rows(session, Task, plan_of(session, unit, year))[0]


# --- the template copy ------------------------------------------------------------------------


def test_a_ward_plan_is_a_deep_copy_linked_to_the_template(session, units):
    template, plan = _template(session), plan_of(session, units["phu-son"])
    assert plan.template_id == template.id and plan.template_revision == template.revision
    template_tasks = {t.id: t for t in _rows(session, Task, template)}
    tasks = _rows(session, Task, plan)
    assert len(tasks) == len(template_tasks) == 18
    assert len(_rows(session, PlanSection, plan)) == len(_rows(session, PlanSection, template))
    for task in tasks:
        source = template_tasks[task.template_task_id]
        assert (task.text, task.owner_role, task.schedule) == (source.text, source.owner_role, source.schedule)
    assert plan.legal_bases == template.legal_bases and len(plan.legal_bases) == 1  # the source has one "Căn cứ"
    assert plan.signer_name == "Nguyễn Xuân Lâm"


def test_a_commune_plan_carries_the_communes_names(session, units):
    text = _all_text(session, plan_of(session, units["quang-trung"]))
    assert "UBND xã Quang Trung xây dựng Kế hoạch cụ thể như sau" in text
    assert "trên địa bàn xã" in text and "HĐND xã;" in text
    assert "Phú Sơn" not in text and "phường" not in text.lower()
    assert plan_of(session, units["quang-trung"]).signer_name == ""


def test_a_copy_for_another_year_changes_the_plan_year_only(session, units):
    with everything(session):
        plan = instantiate(session, _template(session), units["lam-son"], 2026)
    text = _all_text(session, plan)
    assert plan.title == "Thực hiện công tác dân vận chính quyền năm 2026"
    assert "giai đoạn 2021-2025" in text  # a cited period, not the plan's year
    assert "phường Lam Sơn" in text


def test_the_town_creates_every_missing_ward_plan_in_one_action(as_user, session, units):
    client = as_user("admin@bim-son")
    response = client.post("/u/bim-son/plans/create-for-wards", data={"year": "2026"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Đã tạo 8 kế hoạch năm 2026" in response.get_data(as_text=True)
    for slug in ("phu-son", "quang-trung", "ha-lan"):
        assert plan_of(session, units[slug], 2026).status == PlanStatus.DRAFT
    again = client.post("/u/bim-son/plans/create-for-wards", data={"year": "2026"}, follow_redirects=True)
    assert "Đã tạo 0 kế hoạch năm 2026; 8 đơn vị đã có kế hoạch" in again.get_data(as_text=True)
    assert plan_of(session, units["truong-son"], 2026) is None  # another town's ward is untouched


def test_the_town_page_lists_every_ward_with_its_plan_status(as_user):
    page = as_user("admin@bim-son").get("/u/bim-son/?year=2025").get_data(as_text=True)
    for name in ("Phú Sơn", "Quang Trung", "Ba Đình", "Hà Lan"):
        assert name in page
    assert page.count("Dự thảo") >= 8
    assert "Trường Sơn" not in page
    assert 'href="/u/phu-son/plans/2025"' in page


def test_a_bad_year_for_the_batch_gets_a_clear_message(as_user, session):
    response = as_user("admin@bim-son").post("/u/bim-son/plans/create-for-wards", data={"year": "abc"},
                                            follow_redirects=True)
    assert "Vui lòng nhập năm." in response.get_data(as_text=True) or "Năm phải từ" in response.get_data(as_text=True)


def test_a_ward_chairman_creates_next_years_plan_from_the_template(as_user, session, units):
    client = as_user("chairman@phu-son")
    assert client.get("/u/phu-son/plans/2026").status_code == 404
    response = client.post("/u/phu-son/plans/2026/create", follow_redirects=True)
    assert response.status_code == 200
    assert "Thực hiện công tác dân vận chính quyền năm 2026" in response.get_data(as_text=True)


# --- lifecycle --------------------------------------------------------------------------------


def test_draft_submitted_issued_reopened(as_user, session, units):
    office, url = as_user("office@phu-son"), "/u/phu-son/plans/2025"
    assert office.post(f"{url}/issue", data={}).status_code == 403
    assert office.post(f"{url}/submit", follow_redirects=True).status_code == 200
    session.expire_all()
    assert plan_of(session, units["phu-son"]).status == PlanStatus.SUBMITTED

    chairman = as_user("chairman@phu-son")
    issued = chairman.post(f"{url}/issue", data={"number": "15/KH-UBND", "issued_on": "05/01/2025",
                                                "signer_name": "Nguyễn Xuân Lâm"}, follow_redirects=True)
    page = issued.get_data(as_text=True)
    assert "Số: 15/KH-UBND" in page and "Phú Sơn, ngày 05 tháng 01 năm 2025" in page
    session.expire_all()
    plan = plan_of(session, units["phu-son"])
    assert plan.status == PlanStatus.ISSUED and plan.number == "15/KH-UBND"

    task = _first_task(session, units["phu-son"])
    refused = as_user("office@phu-son").post(
        f"{url}/tasks/{task.id}/edit",
        data={"text": "Sửa sau khi ban hành", "owner_role": "office", "schedule": "once", "version": task.version},
        follow_redirects=True,
    )
    assert "không thể sửa" in refused.get_data(as_text=True)
    session.expire_all()
    assert _first_task(session, units["phu-son"]).text == task.text
    assert as_user("office@phu-son").post(f"{url}/reopen").status_code == 403

    chairman = as_user("chairman@phu-son")
    assert chairman.post(f"{url}/reopen", follow_redirects=True).status_code == 200
    session.expire_all()
    assert plan_of(session, units["phu-son"]).status == PlanStatus.DRAFT
    with everything(session):
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "plan.reopen")).one()
    assert entry.username == label_of("chairman@phu-son") and entry.changes["status"] == ["issued", "draft"]


def test_issue_form_rejects_bad_input_with_vietnamese_messages(as_user, session, units):
    as_user("office@phu-son").post("/u/phu-son/plans/2025/submit")
    chairman = as_user("chairman@phu-son")
    bad = chairman.post("/u/phu-son/plans/2025/issue", data={"number": "mười lăm", "issued_on": "31/02/2025",
                                                             "signer_name": ""})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Số văn bản có dạng 15/KH-UBND." in page
    assert "Vui lòng nhập ngày ban hành" in page and "Vui lòng nhập họ tên người ký." in page
    session.expire_all()
    assert plan_of(session, units["phu-son"]).status == PlanStatus.SUBMITTED


def test_steps_out_of_order_are_refused_with_a_message(as_user, session, units):
    response = as_user("chairman@phu-son").post("/u/phu-son/plans/2025/reopen", follow_redirects=True)
    assert "Không thể thực hiện thao tác này" in response.get_data(as_text=True)
    session.expire_all()
    assert plan_of(session, units["phu-son"]).status == PlanStatus.DRAFT


# --- inline editing ---------------------------------------------------------------------------


def test_editing_a_task_inline_with_htmx_returns_the_row(as_user, session, units):
    task = _first_task(session, units["phu-son"])
    url = f"/u/phu-son/plans/2025/tasks/{task.id}/edit"
    client = as_user("office@phu-son")
    form = client.get(url, headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.get_data(as_text=True)
    assert f'name="version" type="hidden" value="{task.version}"' in form.get_data(as_text=True)
    saved = client.post(url, headers=HTMX, data={"text": "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở trên loa",
                                                 "owner_role": "culture", "schedule": "monthly", "version": task.version})
    row = saved.get_data(as_text=True)
    assert saved.status_code == 200 and f'id="task-{task.id}"' in row and "<html" not in row
    assert "trên loa" in row and "Hằng tháng" in row
    session.expire_all()
    assert _first_task(session, units["phu-son"]).schedule.value == "monthly"


def test_editing_without_javascript_redirects_back_to_the_plan(as_user, session, units):
    task = _first_task(session, units["phu-son"])
    client = as_user("chairman@phu-son")
    page = client.get(f"/u/phu-son/plans/2025/tasks/{task.id}/edit")
    assert "<html" in page.get_data(as_text=True)
    saved = client.post(f"/u/phu-son/plans/2025/tasks/{task.id}/edit",
                        data={"text": "Nội dung mới", "owner_role": "chairman", "schedule": "once", "version": task.version})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/u/phu-son/plans/2025#task-{task.id}")


def test_a_stale_edit_is_refused_and_the_users_text_is_kept_on_screen(as_user, session, units):
    task = _first_task(session, units["phu-son"])
    url = f"/u/phu-son/plans/2025/tasks/{task.id}/edit"
    opened_version = task.version
    as_user("chairman@phu-son").post(url, data={"text": "Bản của Chủ tịch", "owner_role": "chairman",
                                                "schedule": "once", "version": opened_version})
    late = as_user("office@phu-son").post(url, headers=HTMX, data={"text": "Bản của Văn phòng", "owner_role": "office",
                                                                   "schedule": "once", "version": opened_version})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "vừa được người khác sửa trước bạn" in page
    assert "Bản của Văn phòng" in page  # what the user typed is shown, not lost
    assert "Bản của Chủ tịch" in page  # the form now holds the latest text
    session.expire_all()
    assert _first_task(session, units["phu-son"]).text == "Bản của Chủ tịch"


def test_an_empty_task_is_refused_with_a_message_and_nothing_changes(as_user, session, units):
    task = _first_task(session, units["phu-son"])
    response = as_user("office@phu-son").post(f"/u/phu-son/plans/2025/tasks/{task.id}/edit", headers=HTMX,
                                              data={"text": "  ", "owner_role": "nobody", "schedule": "once",
                                                    "version": task.version})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng nhập nội dung nhiệm vụ." in page and "Vui lòng chọn người phụ trách." in page
    session.expire_all()
    assert _first_task(session, units["phu-son"]).text == task.text


def test_add_move_and_delete_tasks(as_user, session, units):
    plan = plan_of(session, units["phu-son"])
    section = next(s for s in _rows(session, PlanSection, plan) if s.title.startswith("Tăng cường công tác tiếp xúc"))
    section_id = section.id
    client = as_user("office@phu-son")
    added = client.post(f"/u/phu-son/plans/2025/sections/{section_id}/tasks/new", headers=HTMX,
                        data={"text": "Tổ chức đối thoại với thanh niên", "owner_role": "chairman", "schedule": "quarterly"})
    assert added.status_code == 200 and added.headers["HX-Retarget"] == "#plan-outline"
    tasks = [t for t in _rows(session, Task, plan) if t.section_id == section_id]
    new = max(tasks, key=lambda t: t.id)
    new_id = new.id
    assert new.text == "Tổ chức đối thoại với thanh niên" and new.position == len(tasks)

    client.post(f"/u/phu-son/plans/2025/tasks/{new_id}/move", data={"direction": "up"})
    session.expire_all()
    ordered = sorted((t for t in _rows(session, Task, plan) if t.section_id == section_id), key=lambda t: t.position)
    assert ordered[-2].id == new_id

    confirm = client.get(f"/u/phu-son/plans/2025/tasks/{new_id}/delete")
    assert "Xóa nhiệm vụ này?" in confirm.get_data(as_text=True)
    current = next(t for t in _rows(session, Task, plan) if t.id == new_id)
    gone = client.post(f"/u/phu-son/plans/2025/tasks/{new_id}/delete", data={"version": current.version})
    assert gone.status_code == 302
    assert new_id not in [t.id for t in _rows(session, Task, plan)]


def test_sections_can_be_edited_added_moved_and_deleted_with_their_tasks(as_user, session, units):
    plan = plan_of(session, units["phu-son"])
    client = as_user("chairman@phu-son")
    top = [s for s in _rows(session, PlanSection, plan) if s.parent_id is None]
    contents = next(s for s in top if s.number == "II")
    edited = client.post(f"/u/phu-son/plans/2025/sections/{contents.id}/edit", headers=HTMX,
                         data={"number": "II", "title": "NỘI DUNG, NHIỆM VỤ", "body": "", "version": contents.version})
    assert edited.status_code == 200 and "NỘI DUNG, NHIỆM VỤ" in edited.get_data(as_text=True)

    client.post(f"/u/phu-son/plans/2025/sections/new?parent={contents.id}",
                data={"number": "7", "title": "Chuyển đổi số trong công tác dân vận.", "body": ""})
    session.expire_all()
    new = next(s for s in _rows(session, PlanSection, plan) if s.number == "7")
    new_id, contents_id = new.id, contents.id
    assert new.parent_id == contents_id
    client.post(f"/u/phu-son/plans/2025/sections/{new_id}/tasks/new",
                data={"text": "Lập nhóm Zalo tổ dân phố", "owner_role": "culture", "schedule": "ongoing"})
    client.post(f"/u/phu-son/plans/2025/sections/{new_id}/move", data={"direction": "up"})
    session.expire_all()
    siblings = sorted((s for s in _rows(session, PlanSection, plan) if s.parent_id == contents_id), key=lambda s: s.position)
    assert siblings[-2].id == new_id

    new = next(s for s in _rows(session, PlanSection, plan) if s.id == new_id)
    client.post(f"/u/phu-son/plans/2025/sections/{new_id}/delete", data={"version": new.version})
    session.expire_all()
    assert new_id not in [s.id for s in _rows(session, PlanSection, plan)]
    assert "Lập nhóm Zalo tổ dân phố" not in [t.text for t in _rows(session, Task, plan)]
    with everything(session):
        deleted = session.scalars(sa.select(AuditEntry.object_type).where(AuditEntry.action == "delete")).all()
    assert sorted(deleted) == ["PlanSection", "Task"]


def test_the_plan_page_shows_edit_controls_only_to_editors(as_user):
    for account, editable in (("office@phu-son", True), ("chairman@phu-son", True), ("culture@phu-son", False),
                              ("front@phu-son", False), ("admin@bim-son", False)):
        page = as_user(account).get("/u/phu-son/plans/2025").get_data(as_text=True)
        assert ("Thêm nhiệm vụ" in page) == editable, account
        assert re.search(r"/tasks/\d+/edit", page) is not None if editable else re.search(r"/tasks/\d+/edit", page) is None


def test_the_documents_own_words_are_edited_one_item_a_line(as_user, session, units):
    client = as_user("office@phu-son")
    url = "/u/phu-son/plans/2025/document/edit"
    form = client.get(url).get_data(as_text=True)
    assert "UBND thị xã;\nTTr Đảng ủy, HĐND phường;" in form  # recipients one a line
    version = plan_of(session, units["phu-son"]).version
    data = {"title": "Thực hiện công tác dân vận chính quyền năm 2025", "preamble": "Căn cứ Chỉ thị số 33/CT-TTg.",
            "legal_bases": "Chỉ thị số 33/CT-TTg\n\n  Luật Thực hiện dân chủ ở cơ sở  \n", "closing": "Trên đây là Kế hoạch.",
            "recipients": "UBND thị xã;\nLưu: VT.", "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "version": version}
    assert client.post(url, data=data).status_code == 302
    session.expire_all()
    plan = plan_of(session, units["phu-son"])
    assert plan.legal_bases == ["Chỉ thị số 33/CT-TTg", "Luật Thực hiện dân chủ ở cơ sở"]
    assert plan.recipients == ["UBND thị xã;", "Lưu: VT."]
    stale = client.post(url, data={**data, "title": "Tên khác"})
    assert stale.status_code == 409 and "vừa được người khác sửa trước bạn" in stale.get_data(as_text=True)
    empty = client.post(url, data={**data, "title": "", "version": plan.version})
    assert empty.status_code == 400 and "Vui lòng nhập tên kế hoạch." in empty.get_data(as_text=True)


def test_huge_numbers_in_addresses_are_not_found_not_errors(as_user):
    client = as_user("chairman@phu-son")
    big = "99999999999999999999"
    for path in (f"/u/phu-son/plans/{big}", f"/u/phu-son/plans/2025/tasks/{big}/edit",
                 f"/u/phu-son/plans/2025/sections/{big}/edit"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/u/phu-son/plans/2025/sections/new?parent={big}").status_code == 200
    assert client.get(f"/u/phu-son/audit?before={big}").status_code == 200
    assert as_user("admin@bim-son").get(f"/u/bim-son/?year={big}").status_code == 200


def test_nul_characters_are_dropped_not_stored(as_user, session, units):
    task = _first_task(session, units["phu-son"])
    response = as_user("office@phu-son").post(f"/u/phu-son/plans/2025/tasks/{task.id}/edit",
                                              data={"text": "Tuyên\x00 truyền", "owner_role": "office",
                                                    "schedule": "once", "version": task.version})
    assert response.status_code == 302
    session.expire_all()
    assert _first_task(session, units["phu-son"]).text == "Tuyên truyền"


def test_too_long_input_is_refused_in_vietnamese(as_user):
    response = as_user("chairman@phu-son").post("/u/phu-son/plans/2025/issue",
                                                data={"number": "1/KH-UBND", "issued_on": "05/01/2025",
                                                      "signer_name": "N" * 200})
    assert response.status_code == 400
    assert "Tối đa 120 ký tự." in response.get_data(as_text=True)


def test_a_task_with_reported_progress_cannot_be_deleted(as_user, session, units):
    from tests.conftest import first_task

    with everything(session):
        task = first_task(session, units["phu-son"])  # the baseline reported progress on it
        task_id, version = task.id, task.version
    response = as_user("office@phu-son").post(f"/u/phu-son/plans/2025/tasks/{task_id}/delete",
                                              data={"version": version}, follow_redirects=True)
    assert "Đã có báo cáo tiến độ cho nhiệm vụ này" in response.get_data(as_text=True)
    with everything(session):
        assert session.get(Task, task_id) is not None


def test_each_add_task_link_names_its_section(as_user):
    """Issue 16: section I's link and its last subsection's link read the same, one after the other."""
    import re

    page = as_user("office@phu-son").get("/u/phu-son/plans/2025").get_data(as_text=True)
    links = re.findall(r"\+ (Thêm nhiệm vụ[^<]*)</a>", page)
    assert "Thêm nhiệm vụ vào mục I" in links and "Thêm nhiệm vụ vào mục 1" in links
    assert all(first != second for first, second in zip(links, links[1:]))


@pytest.mark.parametrize("account,url", [
    ("office@phu-son", "/u/phu-son/plans/2025"),
    ("admin@bim-son", "/u/bim-son/templates/{template}"),
    ("office@phu-son", "/u/phu-son/petitions/{petition}"),
])
def test_a_page_opens_with_its_h1_before_any_other_heading(as_user, session, units, account, url):
    """Issue 16: the plan, template and petition pages began with the side panel's h2."""
    import re

    from app.models import Petition

    with everything(session):
        template = session.scalar(sa.select(Plan.id).where(Plan.is_template.is_(True)).limit(1))
        petition = session.scalar(sa.select(Petition.id).where(Petition.unit_id == units["phu-son"].id).limit(1))
    page = as_user(account).get(url.format(template=template, petition=petition)).get_data(as_text=True)
    main = page[page.index("<main"):]
    levels = re.findall(r"<h([1-6])[\s>]", main)
    assert levels and levels[0] == "1" and levels.count("1") == 1
