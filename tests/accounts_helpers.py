"""What the account tests share: reading the mail a person received, following its link."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mailbox(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No MAIL_SERVER: every message is saved as .eml in this folder (as under `make run`)."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(folder))
    return folder


def messages_in(folder: Path) -> list[Message]:
    """The messages saved in `folder`, oldest first."""
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def html_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def subject_of(message: Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def link_in(message: Message) -> str:
    """The path of the first link in the message's text (the test client speaks to localhost)."""
    url = LINK.search(text_of(message)).group(0)  # type: ignore[union-attr]
    return re.sub(r"^https?://[^/]+", "", url)
