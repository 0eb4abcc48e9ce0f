"""The legal book (deadline rules, working days) of this installation, read from tenants/legal."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.law.book import LegalBook, legal_book


def app_legal_book() -> LegalBook:
    """The rules in force for this app, from tenants/legal (read again when a file there changes)."""
    return legal_book(Path(current_app.config["TENANTS_DIR"]) / "legal")
