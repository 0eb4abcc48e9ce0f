"""The language a request is answered in: the one the person chose for this session, else the default.
Flask-Babel's locale selector, and the part of a kept page's key that names its language (read without
Flask-Babel's locale object: the key is asked on every request a kept page may answer)."""

from __future__ import annotations

from flask import current_app, has_request_context, session

__all__ = ["page_language"]


def page_language() -> str:
    lang = session.get("lang") if has_request_context() else None  # commands run without a request
    if isinstance(lang, str) and lang in current_app.config["LANGUAGES"]:
        return lang
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
