"""What the installation's registry (tenants/) says beyond the database: the corrections each built-in
template made to its source (`source_corrections` in tenants/plan_templates/*.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml
from flask import current_app


def source_corrections(directory: Path) -> dict[str, list[dict[str, str]]]:
    """Template code → what the template corrects of its source ({where, source, corrected})."""
    found: dict[str, list[dict[str, str]]] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found[str(data.get("code", path.stem))] = [
            {key: str(item.get(key, "")) for key in ("where", "source", "corrected")}
            for item in data.get("source_corrections") or []]
    return found


def registry_corrections() -> dict[str, list[dict[str, str]]]:
    """The corrections of this installation's built-in templates (tenants/plan_templates)."""
    return source_corrections(Path(current_app.config["TENANTS_DIR"]) / "plan_templates")
