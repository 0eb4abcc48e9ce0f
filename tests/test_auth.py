"""Signing in and out through the real forms: passwords, `next`, CSRF, throttling, cookies,
configuration that refuses an unsafe production start, and the language switch."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import create_app
from app.config import load_config
from app.models import PlanStatus, User
from tests.conftest import everything, plan_of
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
EN_CATALOGUE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
CSRF_EXPIRED = "Phiên làm việc đã hết hạn"
TOO_MANY_ATTEMPTS = "Bạn đã thử quá nhiều lần"
PLAN_URL = "/u/phu-son/plans/2025"


def page(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def location(response: TestResponse) -> str:
    """The redirect target as path + query (the host, if any, is checked separately)."""
    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "localhost"), response.headers["Location"]
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in(client: FlaskClient, username: str, password: str = TEST_PASSWORD, **kwargs) -> TestResponse:  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def signed_in_user_id(client: FlaskClient) -> str | None:
    with client.session_transaction() as flask_session:
        return flask_session.get("_user_id")


def csrf_token_in(html: str) -> str:
    """The token of the first form on the page (or the htmx header of the layout)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def english(msgid: str) -> str:
    """The English of a Vietnamese UI string, read from the catalogue so the test stays true."""
    with EN_CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    message = catalogue.get(msgid)
    assert message is not None and message.string, f"no English for {msgid!r}"
    return str(message.string)


# --- signing in ------------------------------------------------------------------------------


def test_correct_password_signs_in_and_lands_on_the_only_unit(client: FlaskClient, users) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(client, "office@phu-son")
    assert response.status_code == 302
    assert location(response) == "/"
    assert signed_in_user_id(client) == str(users["office@phu-son"].id)

    home = client.get("/")
    assert home.status_code == 302
    assert location(home) == "/u/phu-son/"
    assert client.get("/u/phu-son/").status_code == 200


def test_wrong_password_is_refused_in_vietnamese_without_a_session(client: FlaskClient) -> None:
    response = sign_in(client, "office@phu-son", "not-the-password")
    assert response.status_code == 400
    assert WRONG_CREDENTIALS in page(response)
    assert signed_in_user_id(client) is None
    assert location(client.get("/u/phu-son/")).startswith("/login")


def test_unknown_user_gets_the_same_message(client: FlaskClient) -> None:
    response = sign_in(client, "nobody@phu-son")
    assert response.status_code == 400
    assert WRONG_CREDENTIALS in page(response)
    assert signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(client: FlaskClient, session, users) -> None:  # type: ignore[no-untyped-def]
    users["office@phu-son"].active = False
    session.flush()
    response = sign_in(client, "office@phu-son")
    assert response.status_code == 400
    assert WRONG_CREDENTIALS in page(response)
    assert signed_in_user_id(client) is None


def test_deactivated_user_is_signed_out_of_an_open_session(client: FlaskClient, session, users) -> None:  # type: ignore[no-untyped-def]
    assert sign_in(client, "office@phu-son").status_code == 302
    assert client.get("/u/phu-son/").status_code == 200
    users["office@phu-son"].active = False
    session.flush()
    response = client.get("/u/phu-son/")
    assert response.status_code == 302
    assert location(response).startswith("/login")


@pytest.mark.parametrize("typed", ["OFFICE@Phu-Son", "  office@phu-son  "])
def test_username_ignores_case_and_surrounding_spaces(client: FlaskClient, users, typed: str) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(users["office@phu-son"].id)


def test_empty_form_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 400
    assert "Vui lòng nhập tên đăng nhập." in page(response)
    assert signed_in_user_id(client) is None


# --- where the user lands ---------------------------------------------------------------------


def test_next_is_honoured_after_sign_in(client: FlaskClient) -> None:
    form = client.get("/login", query_string={"next": PLAN_URL})
    assert form.status_code == 200
    response = sign_in(client, "chairman@phu-son", query_string={"next": PLAN_URL})
    assert response.status_code == 302
    assert location(response) == PLAN_URL
    assert client.get(PLAN_URL).status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_to_another_site_is_ignored(client: FlaskClient, target: str) -> None:
    response = sign_in(client, "chairman@phu-son", query_string={"next": target})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")
    assert location(response) == "/"


def test_anonymous_unit_page_redirects_to_sign_in_and_back(client: FlaskClient) -> None:
    response = client.get(PLAN_URL)
    assert response.status_code == 302
    target = urlsplit(location(response))
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [PLAN_URL]

    back = sign_in(client, "chairman@phu-son", query_string={"next": PLAN_URL})
    assert location(back) == PLAN_URL


def test_anonymous_unknown_unit_is_not_found(client: FlaskClient) -> None:
    response = client.get("/u/no-such-unit/")
    assert response.status_code == 404


# --- CSRF -------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(client: FlaskClient, app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = sign_in(client, "office@phu-son")
    assert response.status_code == 400
    assert CSRF_EXPIRED in page(response)
    assert signed_in_user_id(client) is None


def test_login_with_the_forms_csrf_token_works(client: FlaskClient, app: Flask, monkeypatch, users) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = csrf_token_in(page(client.get("/login")))
    response = client.post(
        "/login", data={"username": "office@phu-son", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(users["office@phu-son"].id)


def _status(session, unit) -> PlanStatus:  # type: ignore[no-untyped-def]
    session.expire_all()
    with everything(session):
        return plan_of(session, unit).status


def test_plan_post_needs_csrf_token_and_accepts_the_htmx_header(  # type: ignore[no-untyped-def]
    client: FlaskClient, app: Flask, monkeypatch, as_user, session, units
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    as_user("office@phu-son")
    assert _status(session, units["phu-son"]) == PlanStatus.DRAFT

    refused = client.post(f"{PLAN_URL}/submit")
    assert refused.status_code == 400
    assert CSRF_EXPIRED in page(refused)
    assert _status(session, units["phu-son"]) == PlanStatus.DRAFT

    token = csrf_token_in(page(client.get(PLAN_URL)))
    accepted = client.post(f"{PLAN_URL}/submit", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert accepted.status_code in (200, 302)
    assert _status(session, units["phu-son"]) == PlanStatus.SUBMITTED


# --- throttling -------------------------------------------------------------------------------


def test_repeated_wrong_passwords_are_throttled(client: FlaskClient, app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    attacker = {"REMOTE_ADDR": "10.9.8.7"}
    for _ in range(3):
        response = sign_in(client, "office@phu-son", "wrong", environ_base=attacker)
        assert response.status_code == 400
    blocked = sign_in(client, "office@phu-son", environ_base=attacker)  # even the right password
    assert blocked.status_code == 429
    assert TOO_MANY_ATTEMPTS in page(blocked)
    assert signed_in_user_id(client) is None
    # The block is per address: another office is still served.
    other = sign_in(client, "office@phu-son", "wrong", environ_base={"REMOTE_ADDR": "10.9.8.8"})
    assert other.status_code == 400


def test_throttle_storage_is_memory_unless_redis_is_configured(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert load_config("testing")["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    assert load_config("testing")["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"


# --- cookies and configuration ----------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    response = sign_in(client, "office@phu-son")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    attributes = [part.strip().lower() for part in cookies[-1].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_production_without_secret_key_refuses_to_start(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config("production")
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config()  # production is the default
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_with_secret_key_uses_secure_cookies(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-environment")
    config = load_config("production")
    assert config["SECRET_KEY"] == "a-real-secret-from-the-environment"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


# --- signing out ------------------------------------------------------------------------------


def test_logout_is_post_only_and_clears_the_session(client: FlaskClient) -> None:
    assert sign_in(client, "office@phu-son").status_code == 302

    assert client.get("/logout").status_code == 405
    assert client.get("/u/phu-son/").status_code == 200  # a link cannot sign anyone out

    response = client.post("/logout")
    assert response.status_code == 302
    assert location(response) == "/login"
    assert signed_in_user_id(client) is None
    again = client.get("/u/phu-son/")
    assert again.status_code == 302
    assert location(again).startswith("/login")


# --- language ---------------------------------------------------------------------------------


def _heading(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html)
    assert match, html
    return match.group(1)


def test_language_switch(client: FlaskClient) -> None:
    sign_in_en = english("Đăng nhập")
    assert _heading(page(client.get("/login"))) == "Đăng nhập"

    response = client.get("/lang/en", query_string={"next": "/login"})
    assert response.status_code == 302
    assert location(response) == "/login"
    html = page(client.get("/login"))
    assert _heading(html) == sign_in_en
    assert '<html lang="en">' in html

    ignored = client.get("/lang/xx", query_string={"next": "/login"})
    assert location(ignored) == "/login"
    assert _heading(page(client.get("/login"))) == sign_in_en

    client.get("/lang/vi", query_string={"next": "/login"})
    html = page(client.get("/login"))
    assert _heading(html) == "Đăng nhập"
    assert '<html lang="vi">' in html


def test_english_carries_through_sign_in_and_sign_out(client: FlaskClient) -> None:
    client.get("/lang/en")
    refused = sign_in(client, "office@phu-son", "wrong")
    assert english(WRONG_CREDENTIALS) in page(refused)

    assert sign_in(client, "office@phu-son").status_code == 302
    unit_home = page(client.get("/u/phu-son/"))
    assert '<html lang="en">' in unit_home, "signing in dropped the chosen language"
    assert english("Đăng xuất") in unit_home

    client.post("/logout")
    assert _heading(page(client.get("/login"))) == english("Đăng nhập")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_language_switch_ignores_next_to_another_host(client: FlaskClient, target: str) -> None:
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 302
    assert location(response) == "/"


# --- passwords --------------------------------------------------------------------------------


def test_passwords_are_stored_hashed(users) -> None:  # type: ignore[no-untyped-def]
    baseline = users["office@phu-son"]
    assert baseline.password_hash != TEST_PASSWORD
    assert TEST_PASSWORD not in baseline.password_hash
    assert baseline.check_password(TEST_PASSWORD)

    user = User(username="new@phu-son")
    user.set_password("Mot-mat-khau-moi-9")
    assert user.password_hash != "Mot-mat-khau-moi-9"
    assert "Mot-mat-khau-moi-9" not in user.password_hash
    assert user.check_password("Mot-mat-khau-moi-9")
    assert not user.check_password("mot-mat-khau-moi-9")
    assert not user.check_password("")


def test_a_changed_password_is_the_one_that_signs_in(client: FlaskClient, session, users) -> None:  # type: ignore[no-untyped-def]
    users["office@phu-son"].set_password("Mat-khau-moi-2025")
    session.flush()
    assert sign_in(client, "office@phu-son").status_code == 400
    assert sign_in(client, "office@phu-son", "Mat-khau-moi-2025").status_code == 302


def test_an_expired_session_sends_htmx_to_the_sign_in_page(client: FlaskClient) -> None:
    response = client.get(f"{PLAN_URL}/tasks/1/edit", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_htmx_errors_are_a_message_for_the_message_area_not_a_whole_page(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("culture@phu-son").post(f"{PLAN_URL}/submit", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in page(response) and "Bạn không có quyền thực hiện thao tác này." in page(response)


def test_pages_forbid_framing_and_foreign_scripts(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # the tests run as APP_ENV=testing, over HTTP


def test_production_answers_with_hsts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test-only")
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = production.test_client().get("/static/app.css")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("path", ["/u/%00/", "/u/phu%00son/receptions", "/api/v1/u/%00", "/u/phu-son%0a/"])
def test_a_control_character_in_a_unit_address_is_a_404(client, path):  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_a_next_address_with_a_line_break_is_ignored(client, users):  # type: ignore[no-untyped-def]
    """Never a 500 (a header with CR/LF), never a redirect anywhere but home."""
    language = client.get("/lang/vi?next=/%0d%0aX")
    assert language.status_code == 302 and "\n" not in language.headers["Location"]
    assert language.headers["Location"].endswith("/")
    signed_in = client.post("/login?next=/%0d%0aSet-Cookie:%20x=1", data={
        "username": "chairman@phu-son", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302 and "Set-Cookie" not in signed_in.headers["Location"]


def test_every_page_has_a_skip_link_to_its_content_and_an_icon(client) -> None:
    """Issue 16: keyboard users skip the menu; the browser tab shows the product's icon."""
    page = client.get("/login").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in page and '<main id="main"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert 'rel="icon" href="/static/favicon.svg' in page
