"""Secrets shown once (API tokens, session ids, single-use links, recovery codes) and kept only as
their SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)
