"""Accent-insensitive search: "tiep cong dan" finds "Tiếp công dân", "d" matches "đ".

A searchable model keeps a folded copy of its text fields in `search_text`, refreshed at each
flush, and queries match on it with LIKE, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from typing import ClassVar

from sqlalchemy import ColumnElement, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column


def fold(text: str) -> str:
    """Lower case, without diacritics, đ as d, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


class Searchable:
    """Adds `search_text`, the folded concatenation of `__search_fields__`."""

    __search_fields__: ClassVar[tuple[str, ...]] = ()
    search_text: Mapped[str] = mapped_column(Text, default="")

    @classmethod
    def matching(cls, query: str) -> ColumnElement[bool]:
        """Rows whose searchable fields contain every word of `query`, accents ignored."""
        words = fold(query).split()
        condition: ColumnElement[bool] = cls.search_text.is_not(None)
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            condition = condition & cls.search_text.like(f"%{escaped}%", escape="\\")
        return condition


@event.listens_for(Session, "before_flush")
def _refresh_search_text(session: Session, flush_context: object, instances: object) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Searchable):
            obj.search_text = fold(" ".join(str(getattr(obj, f) or "") for f in obj.__search_fields__))
