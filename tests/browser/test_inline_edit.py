"""In Debian's Chromium: the chairman reopens the issued plan, the office official edits a task inline, reloads,
and sees the change."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ROOT, reopen_plan, sign_in

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


def test_office_edits_a_task_inline_and_the_change_survives_a_reload(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    sign_in(page, live_server, "office@phu-son")
    page.goto(f"{live_server}/u/phu-son/plans/2025")
    assert page.locator("a.edit").count() == 0  # issued: read only
    reopen_plan(browser, live_server)
    page.goto(f"{live_server}/u/phu-son/plans/2025")
    sync_api.expect(page.locator("h2.doc-heading")).to_have_text("KẾ HOẠCH")

    row = page.locator(".task").first
    row_id = row.get_attribute("id")
    page.evaluate("window.__notReloaded = true")
    row.locator("a.edit").click()
    editor = page.locator(f"form#{row_id} textarea")
    sync_api.expect(editor).to_be_visible()
    new_text = "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở trên hệ thống loa truyền thanh các khu phố."
    editor.fill(new_text)
    page.locator(f"form#{row_id} select[name=schedule]").select_option("monthly")
    page.locator(f"form#{row_id} button[type=submit]").click()

    saved_row = page.locator(f"div#{row_id}")
    sync_api.expect(saved_row.locator(".task-text")).to_contain_text(new_text)
    sync_api.expect(saved_row.locator(".badge.schedule")).to_have_text("Hằng tháng")
    assert page.evaluate("window.__notReloaded") is True  # swapped in place by htmx, no page load

    page.reload()
    sync_api.expect(page.locator(f"div#{row_id} .task-text")).to_contain_text(new_text)
    sync_api.expect(page.locator(f"div#{row_id} .badge.schedule")).to_have_text("Hằng tháng")
    page.close()


def test_the_front_sees_the_plan_without_any_edit_control(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    sign_in(page, live_server, "front@phu-son")
    page.goto(f"{live_server}/u/phu-son/plans/2025")
    sync_api.expect(page.locator(".task").first).to_be_visible()
    assert page.locator("a.edit").count() == 0
    assert page.locator("text=Thêm nhiệm vụ").count() == 0
    page.close()


def test_an_import_shows_it_is_working_and_cannot_be_sent_twice(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Once the form is sent the page says it is working and its button is disabled; the server's
    answer (the preview) then replaces it."""
    page = browser.new_page()
    sign_in(page, live_server, "office@phu-son")
    page.goto(f"{live_server}/u/phu-son/plans/import")
    sync_api.expect(page.locator(".busy-note")).to_be_hidden()
    page.set_input_files("input[name=file]", str(ROOT / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt"))
    page.fill("input[name=year]", "2031")
    # Hold the page as it is the moment the form is sent: a listener on window runs after the
    # app's own (on document) and keeps the browser from leaving the page.
    page.evaluate("window.addEventListener('submit', (e) => e.preventDefault(), {once: true})")
    page.click("button[value=preview]")
    sync_api.expect(page.locator(".busy-note")).to_be_visible()
    sync_api.expect(page.locator("button[value=preview]")).to_be_disabled()
    page.evaluate("document.querySelector('form.busy-form').submit()")
    sync_api.expect(page.locator("#import-summary")).to_contain_text("18 nhiệm vụ")
    page.close()
