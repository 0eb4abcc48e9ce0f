"""The story of 1 July 2025 in a browser, as `make run` has it: the province's admin sees the merge in
the history, loads the province's communes from the official list, opens the new phường Quang Trung and
reads Phú Sơn's 2025 plan from before the merge; every page of it fits a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in, wider_than_a_phone

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_the_province_admin_follows_the_merge_and_loads_the_official_list(reformed_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    base = reformed_server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, base, "admin@thanh-hoa")
    page.goto(f"{base}/u/thanh-hoa/units")
    changes = page.locator("#unit-changes")
    expect(changes).to_contain_text("phường Phú Sơn")
    expect(changes).to_contain_text("Giải thể thị xã Bỉm Sơn")
    assert wider_than_a_phone(page) == []

    page.get_by_role("link", name="Nạp danh mục đơn vị hành chính chính thức").click()
    expect(page.locator("#official-counts")).to_contain_text("Thêm mới: 164")  # the two new wards exist
    assert wider_than_a_phone(page) == []
    page.get_by_role("button", name="Áp dụng").click()
    expect(page.locator(".flash.success")).to_contain_text("thêm 164")
    expect(page.locator("#unit-children")).to_contain_text("Hạc Thành")
    page.goto(f"{base}/u/thanh-hoa/units/official")
    expect(page.locator("#official-nothing")).to_be_visible()  # a second load changes nothing

    page.goto(f"{base}/u/phuong-quang-trung/")
    page.get_by_role("link", name="Các đơn vị đã sáp nhập vào và hồ sơ của họ").click()
    expect(page.locator("#predecessors")).to_contain_text("Phú Sơn")
    assert wider_than_a_phone(page) == []
    page.locator("#predecessors").get_by_role("link", name="Phường Phú Sơn").click()
    expect(page.locator("#unit-ended")).to_contain_text("đã sáp nhập vào")
    page.goto(f"{base}/u/phu-son/plans/2025")
    expect(page.locator("#unit-ended")).to_contain_text("không sửa được")  # the plan of before, read only
    expect(page.locator("main")).to_contain_text("Phú Sơn")
    for path in ("/u/thanh-hoa/units/merge", "/u/thanh-hoa/units/move", "/u/phu-son/",
                 "/u/phuong-quang-trung/plans/2025/from-merged"):
        page.goto(base + path)
        assert wider_than_a_phone(page) == [], path
    context.close()
