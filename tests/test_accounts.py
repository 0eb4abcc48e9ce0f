"""A person's own account (issue 10): passwords, reset links, sessions that end, two-factor
sign-in, throttling that cannot be turned against the owner, and the operator's commands."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts import services as accounts
from app.accounts import two_factor
from app.accounts.browser_session import PENDING_KEY, PENDING_SECONDS
from app.extensions import limiter
from app.models import AccountLink, AuditEntry, User, UserSession
from tests.accounts_helpers import link_in, mailbox, messages_in, subject_of, text_of  # noqa: F401
from tests.conftest import everything, login
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "Song-Ma-chay-qua-2025"
UNIT_PAGE = "/u/phu-son/"


def sign_in(client, username: str, password: str = TEST_PASSWORD, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def copy_of_cookie(app, client):  # type: ignore[no-untyped-def]
    """A second browser holding a captured copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def refused(client) -> bool:  # type: ignore[no-untyped-def]
    response = client.get(UNIT_PAGE)
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.fixture(autouse=True)
def fresh_limits():  # type: ignore[no-untyped-def]
    limiter.reset()
    yield
    limiter.reset()


# --- sessions that end --------------------------------------------------------------------------


def test_a_cookie_captured_before_logout_is_refused(app, client):  # type: ignore[no-untyped-def]
    assert sign_in(client, "office@phu-son").status_code == 302
    thief = copy_of_cookie(app, client)
    assert thief.get(UNIT_PAGE).status_code == 200
    client.post("/logout")
    assert refused(thief)


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(app, client, session, users):  # type: ignore[no-untyped-def]
    assert sign_in(client, "office@phu-son").status_code == 302
    other_device = app.test_client()
    assert sign_in(other_device, "office@phu-son").status_code == 302
    thief = copy_of_cookie(app, client)
    wrong = client.post("/account/password", data={"current": "sai-mat-khau", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    for weak, message in (("ngan-qua", "ít nhất 10 ký tự"), ("password1234", "quá dễ đoán"),
                          ("office@phu-son", "quá dễ đoán")):
        page = client.post("/account/password", data={"current": TEST_PASSWORD, "password": weak, "confirm": weak})
        assert page.status_code == 400 and message in page.get_data(as_text=True)
    changed = client.post("/account/password", data={"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get(UNIT_PAGE).status_code == 200
    assert refused(thief) and refused(other_device)
    assert sign_in(app.test_client(), "office@phu-son").status_code == 400
    assert sign_in(app.test_client(), "office@phu-son", NEW_PASSWORD).status_code == 302


def test_the_account_page_lists_sessions_and_ends_the_others(app, client, users):  # type: ignore[no-untyped-def]
    phone = app.test_client()
    phone.post("/login", data={"username": "culture@phu-son", "password": TEST_PASSWORD},
               headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"},
               environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert sign_in(client, "culture@phu-son").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Chrome · Android" in page and "10.20.30.40" in page and "thiết bị này" in page
    assert client.post("/account/sessions/end-others").status_code == 302
    assert refused(phone) and client.get(UNIT_PAGE).status_code == 200
    assert "Đăng xuất khỏi các thiết bị khác" not in client.get("/account").get_data(as_text=True)


def test_own_details_change_on_the_account_page(client, session, users):  # type: ignore[no-untyped-def]
    me = login(client, users["culture@phu-son"])
    saved = me.post("/account/profile", data={"full_name": "Trần Văn Minh", "position": "Công chức Văn hóa - Xã hội",
                                              "email": "Minh@PhuSon.vn", "phone": "0987 000 111"})
    assert saved.status_code == 302
    session.expire_all()
    assert users["culture@phu-son"].email == "minh@phuson.vn"
    taken = users["office@phu-son"]
    taken.email = "huong@phuson.vn"
    session.flush()
    clash = me.post("/account/profile", data={"full_name": "Trần Văn Minh", "email": "huong@phuson.vn"})
    assert clash.status_code == 400 and "đã được dùng" in clash.get_data(as_text=True)


# --- forgotten password ---------------------------------------------------------------------------


def test_forgot_says_the_same_whether_or_not_the_address_is_known(app, client, session, users, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    users["office@phu-son"].email = "huong@phuson.vn"
    session.flush()
    known = client.post("/forgot", data={"name": "huong@phuson.vn"}, follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/forgot", data={"name": "ai-do@khong.vn"}, follow_redirects=True).get_data(as_text=True)
    message = "Nếu địa chỉ này thuộc một tài khoản đang hoạt động"
    assert message in known and message in unknown
    [mail] = messages_in(mailbox)
    assert subject_of(mail) == "Đặt lại mật khẩu Dân vận chính quyền" and "60 phút" in text_of(mail)
    reset = link_in(mail)
    signed_in_elsewhere = login(app.test_client(), users["office@phu-son"])
    assert client.post(reset, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert refused(signed_in_elsewhere)
    assert client.post(reset, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410
    assert sign_in(app.test_client(), "huong@phuson.vn", NEW_PASSWORD).status_code == 302
    with everything(session):
        actions = set(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "User")))
    assert "account.password_reset" in actions


def test_a_reset_link_expires_after_an_hour(client, session, users, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    users["office@phu-son"].email = "huong@phuson.vn"
    session.flush()
    client.post("/forgot", data={"name": "office@phu-son"})
    reset = link_in(messages_in(mailbox)[0])
    link = session.scalar(sa.select(AccountLink).order_by(AccountLink.id.desc()).limit(1))
    assert round((link.expires_at - link.created_at).total_seconds()) == 3600
    link.expires_at = link.created_at
    session.flush()
    expired = client.get(reset)
    assert expired.status_code == 410 and "Yêu cầu liên kết mới" in expired.get_data(as_text=True)


# --- two-factor sign-in ---------------------------------------------------------------------------


def _turn_on_two_factor(client) -> tuple[str, list[str], str]:  # type: ignore[no-untyped-def]
    setup = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in setup  # the QR code, drawn on the server
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', setup).group(1)
    assert client.post("/account/two-factor", data={"code": "000000"}).status_code == 400
    confirming = pyotp.TOTP(secret).now()
    shown = client.post("/account/two-factor", data={"code": confirming}).get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown)
    return secret, codes, confirming


def test_two_factor_set_up_then_needed_at_sign_in_with_single_use_codes(app, client, session, users):  # type: ignore[no-untyped-def]
    assert sign_in(client, "chairman@phu-son").status_code == 302
    secret, codes, confirming = _turn_on_two_factor(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    browser = app.test_client()
    step_one = sign_in(browser, "chairman@phu-son")
    assert step_one.headers["Location"].startswith("/login/code")
    assert refused(browser)  # the password alone signs in nobody
    assert browser.post("/login/code", data={"code": "123456"}).status_code == 400
    assert browser.post("/login/code", data={"code": confirming}).status_code == 400  # used to set it up
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next code (one step of drift is allowed)
    assert browser.post("/login/code", data={"code": code}).status_code == 302
    assert browser.get(UNIT_PAGE).status_code == 200
    replay = app.test_client()
    sign_in(replay, "chairman@phu-son")
    assert replay.post("/login/code", data={"code": code}).status_code == 400  # a code works once
    assert replay.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    again = app.test_client()
    sign_in(again, "chairman@phu-son")
    assert again.post("/login/code", data={"code": codes[0]}).status_code == 400
    page = client.get("/account").get_data(as_text=True)
    assert "Còn 9 mã khôi phục" in page


def test_a_setting_makes_two_factor_required_for_chairmen(app, client, monkeypatch, users):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("chairman", "town_admin"))
    assert sign_in(client, "chairman@phu-son").status_code == 302
    blocked = client.get("/u/phu-son/plans/2025")
    assert blocked.status_code == 302 and blocked.headers["Location"] == "/account/two-factor"
    _turn_on_two_factor(client)
    assert client.get("/u/phu-son/plans/2025").status_code == 200
    off = client.post("/account/two-factor/off", data={"password": TEST_PASSWORD})
    assert off.status_code == 400 and "bắt buộc" in off.get_data(as_text=True)
    office = app.test_client()
    assert sign_in(office, "office@phu-son").status_code == 302
    assert office.get("/u/phu-son/plans/2025").status_code == 200  # not required for the office


# --- throttling -----------------------------------------------------------------------------------


def test_successful_sign_ins_from_one_office_address_are_not_throttled(app, db_tx, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    for _ in range(6):
        assert sign_in(app.test_client(), "office@phu-son", address="10.0.0.1").status_code == 302
    for _ in range(3):
        assert sign_in(app.test_client(), "office@phu-son", "sai", address="10.0.0.1").status_code == 400
    assert sign_in(app.test_client(), "culture@phu-son", "sai", address="10.0.0.1").status_code == 429


def test_a_stranger_guessing_elsewhere_cannot_lock_the_owner_out(app, db_tx, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ACCOUNT", "3 per hour")
    for _ in range(3):
        assert sign_in(app.test_client(), "office@phu-son", "doan-bua", address="203.0.113.9").status_code == 400
    blocked = sign_in(app.test_client(), "office@phu-son", TEST_PASSWORD, address="203.0.113.9")
    assert blocked.status_code == 429 and "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)
    assert sign_in(app.test_client(), "office@phu-son", address="10.0.0.7").status_code == 302


def test_a_missing_account_takes_as_long_to_refuse_as_a_wrong_password(app, session, users):  # type: ignore[no-untyped-def]
    real = users["office@phu-son"]
    real.password_hash = generate_password_hash(TEST_PASSWORD)  # production's method, not the tests' fast one
    session.flush()
    accounts.authenticate(session, "nobody", "x")  # the stand-in hash is made once

    def seconds(name: str) -> float:
        started = time.perf_counter()
        for _ in range(3):
            assert accounts.authenticate(session, name, "sai-mat-khau") is None
        return time.perf_counter() - started

    wrong, missing = seconds("office@phu-son"), seconds("khong-co-ai@phu-son")
    assert 0.5 < missing / wrong < 2, (missing, wrong)


# --- operator commands ----------------------------------------------------------------------------


def test_the_first_admin_of_a_new_installation_is_invited_from_the_command_line(app, client, session, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "thanh-hoa", "admin@thanhhoa.gov.vn", "--name", "Lê Văn Tỉnh"])
    assert result.exit_code == 0, result.output
    url = re.search(r"(http\S+/join/\S+)", result.output).group(1)
    [mail] = messages_in(mailbox)
    assert mail["To"] == "admin@thanhhoa.gov.vn" and re.sub(r"^https?://[^/]+", "", url) == link_in(mail)
    assert client.post(link_in(mail), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get("/u/thanh-hoa/people").status_code == 200
    assert runner.invoke(args=["users", "create-admin", "phu-son", "x@y.vn"]).exit_code != 0  # a ward has no admin
    assert runner.invoke(args=["users", "create-admin", "khong-co", "x@y.vn"]).exit_code != 0


def test_the_operator_deactivates_an_account_and_its_sessions_end(app, client, session, users):  # type: ignore[no-untyped-def]
    assert sign_in(client, "office@phu-son").status_code == 302
    result = app.test_cli_runner().invoke(args=["users", "deactivate", "office@phu-son"])
    assert result.exit_code == 0 and "1 session(s) ended" in result.output
    assert refused(client)
    invited = app.test_cli_runner().invoke(args=["users", "invite", "phu-son", "moi@phuson.vn", "--role", "culture"])
    assert invited.exit_code == 0 and "/join/" in invited.output
    assert session.scalar(sa.select(User).where(User.email == "moi@phuson.vn")) is not None
    assert session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                          .where(UserSession.user_id == users["office@phu-son"].id, UserSession.ended_at.is_(None))) == 0


def test_the_code_must_follow_the_password_within_ten_minutes(client, session, users):  # type: ignore[no-untyped-def]
    secret = two_factor.new_secret()
    two_factor.turn_on(session, users["front@phu-son"], secret, used_step=0)
    session.flush()
    assert sign_in(client, "front@phu-son").headers["Location"].startswith("/login/code")
    with client.session_transaction() as cookie:
        user_id, since = cookie[PENDING_KEY]
        cookie[PENDING_KEY] = [user_id, since - PENDING_SECONDS - 1]
    late = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert refused(client)
