"""Pages of a long list: which page, how many, and the rows of one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int


def page_bounds(total: int, page: int, size: int) -> tuple[int, int]:
    """(the page actually shown, the number of pages): asking past the end shows the last page."""
    pages = max(1, -(-total // size))
    return min(max(page, 1), pages), pages


def page_of(items: list[T], page: int | None, size: int) -> Page[T]:
    """Page `page` (from 1; None: the first) of a list already in order."""
    shown, pages = page_bounds(len(items), page or 1, size)
    return Page(items[(shown - 1) * size:shown * size], len(items), shown, pages)
