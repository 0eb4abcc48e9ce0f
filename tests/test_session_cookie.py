"""The signed session cookie is checked once per cookie and process (app/web/session_cookie.py): a cookie
changed by a byte is still refused, an expired one still expires, and each request has its own session."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request

PLAN = "/u/phu-son/plans/2025"


def _cookie(client) -> str:  # type: ignore[no-untyped-def]
    return next(c.value for c in client._cookies.values() if c.key == "session")


def test_a_cookie_changed_by_one_character_is_refused_even_after_its_good_one_was_seen(app: Flask, as_user):
    client = as_user("office@phu-son")
    assert client.get(PLAN).status_code == 200  # the good cookie is now remembered
    good = _cookie(client)
    forged = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    stranger = app.test_client()
    stranger.set_cookie("session", forged)
    assert stranger.get(PLAN).status_code == 302  # to the sign-in page
    stranger.set_cookie("session", good)
    assert stranger.get(PLAN).status_code == 200


def test_a_remembered_cookie_still_expires(app: Flask, as_user, monkeypatch):
    client = as_user("office@phu-son")
    assert client.get(PLAN).status_code == 200
    monkeypatch.setattr(app, "permanent_session_lifetime", timedelta(seconds=-1))
    assert client.get(PLAN).status_code == 302


def test_each_request_changes_its_own_copy_of_the_session(app: Flask, as_user):
    client = as_user("office@phu-son")
    cookie = _cookie(client)
    with app.test_request_context(PLAN, headers={"Cookie": f"session={cookie}"}):
        first = app.session_interface.open_session(app, request)
        first["touched"] = ["x"]
        second = app.session_interface.open_session(app, request)
    assert "touched" not in second and second.get("_user_id") == first.get("_user_id")
