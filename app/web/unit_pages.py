"""Pages that exist only under some units' addresses."""

from __future__ import annotations

from flask import abort, g


def parent_unit_or_404() -> None:
    """Pages of the units above the wards (templates, their imports): under a ward's address they do not exist."""
    if g.unit.is_tenant:
        abort(404)
