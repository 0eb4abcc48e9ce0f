"""In Debian's Chromium: an invited official joins, signs in, and is locked out; a second person
turns on two-factor sign-in and signs in with an authenticator code and with a recovery code."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

import pyotp
import pytest

from tests.browser.conftest import PASSWORD, wider_than_a_phone

pytestmark = pytest.mark.browser

NEWCOMER_PASSWORD = "Cay-da-dau-lang-2025"
NEWCOMER_NAME = "Hoàng Thị Thu"
NEWCOMER_EMAIL = "hoang.thi.thu@example.vn"
JOIN_LINK = re.compile(r"https?://[^\s<>\"')\]]+/join/[A-Za-z0-9_\-.~%]+")

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _url(base: str, path: str) -> re.Pattern[str]:
    """The page at `path` on the live server, with or without a query string."""
    return re.compile(re.escape(base + path) + r"(\?.*)?$")


def _submit_password(page, base: str, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def _sign_in(page, base: str, name: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    _submit_password(page, base, name, password)
    expect(page).to_have_url(_url(base, "/u/phu-son/"))


def _sign_in_with_code(page, base: str, name: str, code: str) -> None:  # type: ignore[no-untyped-def]
    _submit_password(page, base, name, PASSWORD)
    expect(page).to_have_url(_url(base, "/login/code"))
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def _sign_out(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("button.link", has_text="Đăng xuất").click()
    expect(page).to_have_url(_url(base, "/login"))
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng xuất.")


def _invitation_link(mail_dir: Path, to: str) -> str:
    """The /join/ link of the one invitation saved for `to` in the mail folder."""
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            found.append(message)
    assert len(found) == 1, f"expected one mail to {to} in {mail_dir}, found {len(found)}"
    message = found[0]
    assert message["Subject"] == "Lời mời tham gia Dân vận chính quyền"
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = JOIN_LINK.findall(text)
    assert links, f"no /join/ link in the invitation:\n{text}"
    assert len(set(links)) == 1, links
    return links[0]


def test_an_invited_official_joins_signs_in_and_is_locked_out(live_server: str, browser, mail_dir: Path) -> None:  # type: ignore[no-untyped-def]
    base = live_server

    # The town admin adds an official to the ward; the invitation goes out by mail.
    admin = browser.new_context()
    page = admin.new_page()
    _submit_password(page, base, "admin@bim-son", PASSWORD)
    expect(page).to_have_url(_url(base, "/u/bim-son/"))
    page.goto(f"{base}/u/phu-son/people")
    page.get_by_role("link", name="Thêm cán bộ").click()
    expect(page).to_have_url(_url(base, "/u/phu-son/people/new"))
    page.get_by_label("Họ và tên").fill(NEWCOMER_NAME)
    page.get_by_label("Email", exact=True).fill(NEWCOMER_EMAIL)
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Vai trò").select_option(label="Công chức Văn phòng - Thống kê")
    page.get_by_role("button", name="Thêm và gửi lời mời").click()
    expect(page).to_have_url(_url(base, "/u/phu-son/people"))
    expect(page.locator(".flash.success")).to_contain_text(f"Đã gửi thư mời tới {NEWCOMER_EMAIL}.")
    row = page.locator("table.people tbody tr", has_text=NEWCOMER_EMAIL)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Chưa nhận lời mời")
    row_id = row.get_attribute("id")
    assert row_id is not None and re.fullmatch(r"person-\d+", row_id), row_id
    admin.close()

    link = _invitation_link(mail_dir, NEWCOMER_EMAIL)
    assert link.startswith(f"{base}/join/"), link

    # The newcomer, in a browser of their own, sets a password and is signed in.
    newcomer = browser.new_context()
    page = newcomer.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text(f"Chào mừng {NEWCOMER_NAME}")
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEWCOMER_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEWCOMER_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu").click()
    expect(page).to_have_url(_url(base, "/u/phu-son/"))
    expect(page.locator(".flash.success")).to_contain_text("Chào mừng bạn! Mật khẩu đã được đặt.")
    expect(page.locator("button.link", has_text="Đăng xuất")).to_be_visible()

    # Out, and in again with the email and the new password.
    _sign_out(page, base)
    _sign_in(page, base, NEWCOMER_EMAIL, NEWCOMER_PASSWORD)
    expect(page.locator("button.link", has_text="Đăng xuất")).to_be_visible()

    # The ward chairman locks the newcomer out.
    chairman = browser.new_context()
    boss = chairman.new_page()
    _sign_in(boss, base, "chairman@phu-son")
    boss.goto(f"{base}/u/phu-son/people")
    person_row = boss.locator(f"tr#{row_id}")
    expect(person_row).to_contain_text(NEWCOMER_EMAIL)
    expect(person_row).to_contain_text("Đang hoạt động")
    person_row.get_by_role("button", name="Khóa", exact=True).click()
    expect(boss.locator(".flash.success")).to_contain_text("Đã khóa")
    expect(boss.locator(f"tr#{row_id}")).to_contain_text("Đã khóa")
    chairman.close()

    # The newcomer's next page load lands on the sign-in page, and the password no longer opens it.
    page.reload()
    expect(page).to_have_url(_url(base, "/login"))
    expect(page.locator("button.link", has_text="Đăng xuất")).to_have_count(0)
    _submit_password(page, base, NEWCOMER_EMAIL, NEWCOMER_PASSWORD)
    expect(page.locator(".flash.error")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page).to_have_url(_url(base, "/login"))
    newcomer.close()


def test_two_factor_set_up_then_sign_in_with_a_code_and_with_a_recovery_code(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server
    who = "culture@phu-son"

    # Set up: scan the QR code (or read the secret), type one code, get ten recovery codes.
    first = browser.new_context()
    page = first.new_page()
    _sign_in(page, base, who)
    page.goto(f"{base}/account")
    page.get_by_role("link", name="Bật đăng nhập hai bước").click()
    expect(page).to_have_url(_url(base, "/account/two-factor"))
    qr = page.locator("img#totp-qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    page.wait_for_function("document.querySelector('img#totp-qr').complete")
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code image did not decode"
    secret = page.locator("code#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    totp = pyotp.TOTP(secret)
    page.get_by_label("Mã xác thực").fill(totp.now())
    page.get_by_role("button", name="Xác nhận và bật").click()
    codes_list = page.locator("#recovery-codes li")
    expect(codes_list).to_have_count(10)
    codes = [c.strip() for c in codes_list.all_inner_texts()]
    assert len(set(codes)) == 10, codes
    assert all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", c) for c in codes), codes

    # Out, and in again: the password alone leads to the code page; a fresh code opens the unit.
    _sign_out(page, base)
    sign_in_code = totp.at(time.time() + 30)
    _sign_in_with_code(page, base, who, sign_in_code)
    expect(page).to_have_url(_url(base, "/u/phu-son/"))
    expect(page.locator("button.link", has_text="Đăng xuất")).to_be_visible()
    first.close()

    # Another browser: a recovery code instead of the authenticator works.
    second = browser.new_context()
    page = second.new_page()
    _sign_in_with_code(page, base, who, codes[0])
    expect(page).to_have_url(_url(base, "/u/phu-son/"))
    expect(page.locator("button.link", has_text="Đăng xuất")).to_be_visible()
    second.close()

    # A third browser: neither the authenticator code nor the recovery code works a second time.
    third = browser.new_context()
    page = third.new_page()
    _submit_password(page, base, who, PASSWORD)
    expect(page).to_have_url(_url(base, "/login/code"))
    for used in (codes[0], sign_in_code):
        _refused(page, base, used)
    page.goto(f"{base}/u/phu-son/")
    expect(page).to_have_url(_url(base, "/login"))
    third.close()


def _refused(page, base: str, code: str) -> None:  # type: ignore[no-untyped-def]
    """Type `code` on the code page: the answer is a refusal, and the browser stays there."""
    page.get_by_label("Mã xác thực").fill(code)
    # Wait for the answer's own page, so the checks below never look at the page before it.
    with page.expect_event("domcontentloaded"), page.expect_response(
        lambda r: r.request.method == "POST" and "/login/code" in r.url
    ) as answer:
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
    assert answer.value.status == 400, answer.value.status
    expect(page).to_have_url(_url(base, "/login/code"))
    expect(page.locator(".flash.error")).to_have_text("Mã không đúng hoặc đã dùng rồi.")
    expect(page.locator("button.link", has_text="Đăng xuất")).to_have_count(0)


@pytest.mark.parametrize("account,paths", [
    ("admin@bim-son", ["/u/phu-son/people", "/u/phu-son/people/new", "/u/bim-son/people", "/account"]),
    ("chairman@phu-son", ["/u/phu-son/people", "/account", "/account/two-factor"]),
    ("office@phu-son", ["/notifications", "/notifications/settings", "/notifications/calendar"]),
    # A parent's pages with their new filters and pagers (tables scroll inside their own box).
    ("admin@bim-son", ["/u/bim-son/", "/u/bim-son/rollup/2025", "/u/bim-son/overdue?year=2025",
                       "/u/bim-son/reports/status?year=2025"]),
])
def test_the_people_and_account_pages_fit_a_phone(live_server: str, browser, account: str, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _submit_password(page, live_server, account, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/u/[a-z-]+/$"))
    for path in paths:
        page.goto(live_server + path)
        assert wider_than_a_phone(page) == [], path
    context.close()
