"""Flask's signed session cookie, its signature checked once per cookie and process: a browser sends the
same cookie on every request until the session changes, and checking it (a key derivation, an HMAC, a
JSON decoding) was a fifth of a kept page's time. A cookie is remembered only after its signature was
found good with the keys in force, with the time it was signed, so it still expires as Flask's would."""

from __future__ import annotations

import copy
import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from app.web.page_cache import FragmentCache

__all__ = ["CheckedSessionInterface"]

MAX_COOKIES = 4096  # the signed-in browsers a worker serves; a few hundred bytes each


class CheckedSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._checked: FragmentCache[Any] = FragmentCache(MAX_COOKIES)  # cookie -> (data, signed at)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()), cookie)
        checked = self._checked.get(key)
        if checked is None:
            serializer = self.get_signing_serializer(app)
            assert serializer is not None
            try:
                data, signed_at = serializer.loads(cookie, max_age=int(max_age), return_timestamp=True)
            except BadSignature:
                return self.session_class()
            checked = (data, signed_at.timestamp())
            self._checked.put(key, checked)
        data, signed_at = checked
        if time.time() - signed_at > max_age:
            return self.session_class()  # expired, as itsdangerous would find it
        return self.session_class(copy.deepcopy(data))  # each request changes its own copy
