"""Pages kept between requests (app/web/page_cache.py): the plan's document is rendered once per
version of the ward's data, role and language; a browser holding the current page gets 304; a write
shows at once; nobody gets another person's form tokens or another role's controls."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.models import Role
from tests.conftest import everything, login
from tests.factories import member
from tests.test_progress import post_update, task_one

PLAN = "/u/phu-son/plans/2025"


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_the_browser_copy_of_the_plan_is_used_until_the_ward_writes(as_user, session, units):
    client = as_user("office@phu-son")
    first = client.get(PLAN)
    etag = first.headers["ETag"].strip('"')
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(PLAN, headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.data == b""
    task = task_one(session, units["phu-son"])
    assert post_update(client, task, percent="70", note="Đã họp dân").status_code == 302
    client.get("/u/phu-son/plans/2025/progress")  # the message of the update is shown elsewhere
    changed = client.get(PLAN, headers={"If-None-Match": f'"{etag}"'})
    assert changed.status_code == 200 and "70%" in changed.get_data(as_text=True)
    assert changed.headers["ETag"].strip('"') != etag


def test_a_page_showing_a_message_is_not_served_from_the_browser_copy(as_user, session, units):
    client = as_user("office@phu-son")
    etag = client.get(PLAN).headers["ETag"]
    with client.session_transaction() as flask_session:
        flask_session["_flashes"] = [("success", "Đã lưu.")]
    shown = client.get(PLAN, headers={"If-None-Match": etag})
    assert shown.status_code == 200 and "Đã lưu." in shown.get_data(as_text=True)
    assert "ETag" not in shown.headers


def test_each_viewer_gets_their_own_form_tokens_in_the_kept_document(app: Flask, as_user, session, units):
    with everything(session):
        other = member("office-2@phu-son", units["phu-son"], Role.OFFICE)
        session.flush()
    first = as_user("office@phu-son").get(PLAN).get_data(as_text=True)
    second = login(app.test_client(), other).get(PLAN).get_data(as_text=True)
    assert "__csrf_token_placeholder__" not in first + second
    assert len(_tokens(first)) == 1 and len(_tokens(second)) == 1
    assert _tokens(first) != _tokens(second)  # the same kept document, each session's own token
    assert first.count('id="task-') == second.count('id="task-') > 0


def test_the_kept_document_follows_the_role_and_the_language(as_user, session, units):
    editor = as_user("office@phu-son").get(PLAN).get_data(as_text=True)
    front = as_user("front@phu-son").get(PLAN).get_data(as_text=True)
    assert "+ Thêm nhiệm vụ" in editor and "+ Thêm nhiệm vụ" not in front
    client = as_user("office@phu-son")
    client.get("/lang/en")
    english = client.get(PLAN).get_data(as_text=True)
    assert "+ Add task" in english or "Add a task" in english


def test_the_ward_home_is_kept_until_the_ward_writes(as_user, session, units):
    from tests.test_records import RECEPTION

    client = as_user("office@phu-son")
    etag = client.get("/u/phu-son/").headers["ETag"]
    assert client.get("/u/phu-son/", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/u/phu-son/?year=2024", headers={"If-None-Match": etag}).status_code == 200
    assert client.post("/u/phu-son/receptions/new", data=RECEPTION).status_code == 302
    client.get("/u/phu-son/receptions")  # shows the saved message
    after = client.get("/u/phu-son/", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert as_user("front@phu-son").get("/u/phu-son/", headers={"If-None-Match": etag}).status_code == 200


def test_on_sqlite_only_requests_that_may_write_take_the_write_lock_at_their_start(app: Flask):
    from app.web.commit import may_write

    views = app.view_functions
    assert not may_write("plans.show", "GET", views) and not may_write("units.home", "GET", views)
    assert not may_write("rollups.show", "GET", views)  # keeps its figures in a transaction of its own
    for endpoint in ("petitions.index", "petitions.show", "petitions.edit", "auth.set_language"):
        assert may_write(endpoint, "GET", views), endpoint  # GETs that write: an audit entry, a language
    assert may_write("plans.show", "POST", views) and may_write(None, "POST", views)
    assert not may_write(None, "GET", views)


# --- a kept page served before the guard (serve_kept_page) -----------------------------------------


def _statements(client, path):  # type: ignore[no-untyped-def]
    from tests.test_rollups import counted_queries

    with counted_queries() as statements:
        response = client.get(path)
    return response, [s for s in statements if "SAVEPOINT" not in s and "set_config" not in s]  # not the scope


def test_a_kept_page_is_served_again_on_one_statement_to_the_same_person(as_user, session, units):
    client = as_user("office@phu-son")
    first = client.get(PLAN)
    again, statements = _statements(client, PLAN)
    assert again.status_code == 200 and again.data == first.data
    assert len(statements) == 1  # the unit of the address with the person's live session and roles there


def test_an_ended_session_or_a_deactivated_person_gets_no_kept_page(as_user, users, session, units):
    import sqlalchemy as sa

    from app.models import User, UserSession

    client = as_user("office@phu-son")
    assert client.get(PLAN).status_code == 200
    session.execute(sa.update(UserSession).values(ended_at=sa.func.now()))  # signed out elsewhere
    assert client.get(PLAN).status_code == 302  # to the sign-in page, not the kept copy
    client = as_user("office@phu-son")
    assert client.get(PLAN).status_code == 200
    session.execute(sa.update(User).where(User.id == users["office@phu-son"].id).values(active=False))
    assert client.get(PLAN).status_code == 302


def test_a_role_taken_away_or_changed_gets_no_kept_page(as_user, users, session, units):
    import sqlalchemy as sa

    from app.models import Membership

    client = as_user("office@phu-son")
    editor = client.get(PLAN).get_data(as_text=True)
    assert "+ Thêm nhiệm vụ" in editor
    mine = sa.update(Membership).where(Membership.user_id == users["office@phu-son"].id)
    session.execute(mine.values(role=Role.FRONT))
    front = client.get(PLAN)
    assert front.status_code == 200 and "+ Thêm nhiệm vụ" not in front.get_data(as_text=True)
    session.execute(mine.values(active=False))
    assert client.get(PLAN).status_code == 404


def test_two_step_set_up_pending_is_not_skipped_by_a_kept_page(as_user, session, units):
    from app.security import TWO_FACTOR_SETUP_KEY

    client = as_user("office@phu-son")
    assert client.get(PLAN).status_code == 200
    with client.session_transaction() as flask_session:
        flask_session[TWO_FACTOR_SETUP_KEY] = True
    response = client.get(PLAN)
    assert response.status_code == 302 and "/account/two-factor" in response.headers["Location"]


# --- the parent's rollup and home, kept (issue 12) -------------------------------------------------

ROLLUP = "/u/bim-son/rollup/2025"
PARENT_HOME = "/u/bim-son/?year=2025"
PARENT_PAGES = pytest.mark.parametrize(("page", "other"), [(ROLLUP, "?sort=unit&dir=desc"), (PARENT_HOME, "&page=2")])


@PARENT_PAGES
def test_a_parents_pages_are_kept_and_served_again_on_two_statements(as_user, session, units, page, other):
    """The viewer with the unit, and the units below with their names and data versions."""
    client = as_user("admin@bim-son")
    first = client.get(page)
    again, statements = _statements(client, page)
    assert again.status_code == 200 and again.data == first.data
    assert len(statements) == 2
    assert client.get(page, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    another = client.get(page + other)  # its sort, filters and page are its own pages
    assert another.status_code == 200 and another.data != first.data


@PARENT_PAGES
def test_a_parents_kept_pages_show_a_wards_write_and_a_renamed_ward_at_once(as_user, session, units, page, other):
    from app.models import Unit

    town = as_user("admin@bim-son")
    etag = town.get(page).headers["ETag"]
    office = as_user("office@phu-son")
    assert post_update(office, task_one(session, units["phu-son"]), status="done").status_code == 302
    town = as_user("admin@bim-son")
    town.get("/u/bim-son/")  # the messages waiting in this browser's session are shown there
    after_write = town.get(page, headers={"If-None-Match": etag})
    assert after_write.status_code == 200 and after_write.headers["ETag"] != etag
    with everything(session):
        session.get(Unit, units["quang-trung"].id).name = "Quang Trung Mới"
        session.flush()
    renamed = town.get(page, headers={"If-None-Match": after_write.headers["ETag"]})
    assert renamed.status_code == 200 and "Quang Trung Mới" in renamed.get_data(as_text=True)


@PARENT_PAGES
def test_a_parents_kept_pages_are_nobody_elses(as_user, session, units, page, other):
    town_etag = as_user("admin@bim-son").get(page).headers["ETag"]
    front = as_user("front@bim-son")
    seen = front.get(page, headers={"If-None-Match": town_etag})
    assert seen.status_code == 200  # the same page for the Front is its own copy, not the admin's
    assert as_user("office@phu-son").get(page).status_code in (403, 404)


def test_the_kept_parent_home_shows_a_wards_plan_issued_at_once(as_user, session, units):
    from app.models import Plan, PlanStatus

    town = as_user("admin@bim-son")
    before = town.get(PARENT_HOME)
    counts = lambda response: response.get_data(as_text=True).split('id="plan-counts"')[1].split("</p>")[0]  # noqa: E731
    issued = before.get_data(as_text=True).count('<span class="status issued">')
    with everything(session):
        plan = session.query(Plan).filter_by(unit_id=units["quang-trung"].id, year=2025, is_template=False).one()
        assert plan.status != PlanStatus.ISSUED
        plan.status = PlanStatus.ISSUED
        session.flush()
    after = town.get(PARENT_HOME, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and counts(after) != counts(before)
    assert after.get_data(as_text=True).count('<span class="status issued">') == issued + 1
