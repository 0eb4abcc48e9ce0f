"""What a page shows that does not change between requests: rendered once, kept in the process, and
answered with 304 when the browser already has it.

A key names everything the rendered HTML depends on: the unit's `data_version` (bumped by every
write of its records, app/rollups/figures.py), the day, the viewer's roles and language, and the
deploy. Nothing per user or per session goes into a kept fragment: CSRF tokens are rendered as a
placeholder and filled in on each request.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from flask import Response, current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.models import Role

F = TypeVar("F", bound=Callable[..., Any])
V = TypeVar("V", str, bytes)

CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
MAX_FRAGMENTS = 512  # a plan's document is about 60 KB: at most some 30 MB per process
MAX_PAGES = 256  # whole pages, one per person and version: at most some 20 MB more


def _deploy_stamp() -> str:
    """Changes when the code or templates change (so kept pages and ETags from before do not apply)."""
    root = Path(__file__).resolve().parents[2]
    latest = max((p.stat().st_mtime_ns for folder in ("app", "templates") for p in (root / folder).rglob("*")
                  if p.suffix in (".py", ".html", ".mo")), default=0)
    return str(latest)


DEPLOY = _deploy_stamp()


class FragmentCache(Generic[V]):
    """A least-recently-used map of rendered HTML (text, or for whole pages the bytes sent), safe
    across a worker's threads."""

    def __init__(self, size: int = MAX_FRAGMENTS) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Hashable, html: V) -> None:
        with self._lock:
            self._items[key] = html
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get_or_render(self, key: Hashable, render: Callable[[], V]) -> V:
        found = self.get(key)
        if found is not None:
            return found
        html = render()
        self.put(key, html)
        return html

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


fragments: FragmentCache[str] = FragmentCache()


def placeholder_csrf() -> str:
    """`csrf_token` for templates rendered into a kept fragment."""
    return CSRF_PLACEHOLDER


def kept_fragment(key: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The fragment `key` names, rendered by `render` (which must use `placeholder_csrf`) if not kept,
    with this request's CSRF token in it."""
    html = fragments.get_or_render((DEPLOY, *key), render)
    return Markup(html.replace(CSRF_PLACEHOLDER, generate_csrf()))


def etag_for(person: tuple[str, str], parts: tuple[Hashable, ...]) -> str:
    """The ETag of this request's page shown to `person` (id, name) in this session."""
    unit = g.get("unit")
    shown = (DEPLOY, session.get("csrf_token"), request.full_path, person, unit.name if unit else None, *parts)
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


def page_etag(*parts: Hashable) -> str | None:
    """The ETag of this page showing `parts` to this session and person (None while a message waits
    to be shown: that page is not to be served again from a copy)."""
    if session.get("_flashes") or not current_user.is_authenticated:
        return None
    generate_csrf()  # the session's form secret, made now if new: the page embeds tokens from it
    return etag_for((current_user.get_id(), current_user.display_name), parts)


pages: FragmentCache[bytes] = FragmentCache(MAX_PAGES)

class ShownUnit(Protocol):
    """What deciding on a kept page reads of its unit (the mapped Unit, or before the guard a row of it)."""

    id: int
    data_version: int

    @property
    def is_tenant(self) -> bool: ...


# What a kept page shows, besides the person and their session: (unit, their roles there, the view's
# arguments) -> the parts of its key (None: this page is not kept). Both the view and
# `serve_kept_page` ask the same function.
Shown = Callable[[ShownUnit, tuple[str, ...], dict[str, Any]], tuple[Hashable, ...] | None]


def keeps_page(shown: Shown) -> Callable[[F], F]:
    """Mark a GET view whose whole page is kept (`kept_page`), with what its page shows."""

    def mark(view: F) -> F:
        view.page_shown = shown  # type: ignore[attr-defined]
        return view

    return mark


def roles_key(roles: Iterable[Role]) -> tuple[str, ...]:
    return tuple(sorted(role.value for role in roles))


def kept_page(render: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """This request's page (its view marked with `keeps_page`): 304 if the browser holds it, else as
    kept, else rendered by `render` (which reads the database only then) and kept if it is HTML (a
    404 or a redirect is returned as it is, not kept)."""
    shown: Shown = getattr(current_app.view_functions[request.endpoint or ""], "page_shown")
    parts = shown(g.unit, roles_key(g.roles), dict(request.view_args or {}))
    etag = page_etag(*parts) if parts is not None else None
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    body = pages.get(etag) if etag is not None else None
    if body is None:
        result = render()
        if not isinstance(result, str):
            return result
        body = result.encode()  # kept as sent: a page is encoded once, not on every request
        if etag is not None:
            pages.put(etag, body)
    return conditional(make_response(body), etag)


def not_modified(etag: str | None) -> Response | None:
    """A 304 if the browser holds this version of the page."""
    if etag is None or not request.if_none_match.contains(etag):
        return None
    return conditional(Response(status=304), etag)


def conditional(response: Response, etag: str | None) -> Response:
    """Mark a private page the browser may keep but must check again each time."""
    if etag is not None:
        response.set_etag(etag)
        response.headers["Cache-Control"] = "private, no-cache"
    return response
