"""Every page of every role fits a 390 px phone (issue 16): each demo role signs in on a 390 × 844 screen
and follows the links of its pages, breadth first; no page may be wider than the screen (tables scroll
inside their own box, the menu folds)."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlparse

import pytest

from tests.browser.conftest import reopen_plan, sign_in, wider_than_a_phone

pytestmark = pytest.mark.browser

ROLES = ["chairman@phu-son", "office@phu-son", "culture@phu-son", "front@phu-son", "admin@bim-son", "front@bim-son"]
# Files and actions, not pages: downloads, feeds, evidence, signing out, the language switch.
NOT_PAGES = re.compile(r"\.(docx|xlsx|csv|ics|zip)(\?|$)|/evidence/|/logout|/lang/|/api/|/calendar/[^/]+\.ics")
MAX_PAGES = 60  # per role: every kind of page is reached well before (links repeat: rows of a register)


def _same_kind(path: str) -> str:
    """Pages that differ only by their unit, an id or a query are one kind (each ward's register, a
    register's rows, its pages): a town's people see every ward's pages, and each kind is seen once."""
    return re.sub(r"\d+", "#", re.sub(r"^/u/[^/]+/", "/u/*/", path.split("?")[0]))


@pytest.fixture(scope="module", autouse=True)
def _phu_son_plan_reopened(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Phú Sơn's plan reopened, so that its editor's pages are crawled too (Quang Trung's stays issued)."""
    reopen_plan(browser, live_server)


@pytest.mark.parametrize("account", ROLES)
def test_every_page_of_a_role_fits_a_phone(live_server: str, browser, account: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, account)
    start = urlparse(page.url).path
    queue, seen_kinds, visited, too_wide = [start], {_same_kind(start)}, 0, {}
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        response = page.goto(live_server + path)
        visited += 1
        if response is None or response.status >= 400 or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if wide := wider_than_a_phone(page):
            too_wide[path] = wide
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            link = urldefrag(href)[0]
            if not link.startswith("/") or link.startswith("//") or NOT_PAGES.search(link):
                continue
            if (kind := _same_kind(link)) not in seen_kinds:
                seen_kinds.add(kind)
                queue.append(link)
    context.close()
    assert visited >= 8, f"{account} reached only {visited} pages"
    assert too_wide == {}, too_wide


def test_the_move_buttons_are_big_enough_for_a_finger(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: the ↑/↓ buttons of the plan editor were about 20 px."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, "office@phu-son")
    page.goto(f"{live_server}/u/phu-son/plans/2025")
    sizes = page.eval_on_selector_all("button.icon", "bs => bs.map(b => [b.offsetWidth, b.offsetHeight])")
    context.close()
    assert sizes and all(width >= 44 and height >= 44 for width, height in sizes)
