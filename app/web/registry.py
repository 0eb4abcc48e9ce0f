"""What the installation's registry (tenants/) says beyond the database: the corrections each built-in
template made to its source."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.tenant_registry import source_corrections


def registry_corrections() -> dict[str, list[dict[str, str]]]:
    """Template code → its corrections of its source (read from tenants/plan_templates)."""
    return source_corrections(Path(current_app.config["TENANTS_DIR"]) / "plan_templates")
