"""The mixed load of `make load`: every role of the demo (`flask demo --before-reform`) signs in with the
form, reads plans, dashboards, registers and rollups, records task progress with an evidence file, adds
receptions and petitions, and downloads Word and Excel files, taking each form's CSRF token from its page.

Every write the server acknowledged (a redirect to the new row) is appended to LOAD_EVENTS (JSON lines)
with a marker text that is nowhere else, so load/run.py can find each one in the database afterwards.
A 503 is counted as "503 database unavailable" (expected only while PostgreSQL restarts) when it carries
the Vietnamese page; any other unexpected answer is a failure under its own name.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import random
import re
import struct
import threading
import time
import uuid
import zlib
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager

YEAR = int(os.environ.get("LOAD_YEAR", "2025"))
PASSWORD = os.environ.get("DEMO_PASSWORD", "DanVan@2025")
EVENTS_PATH = os.environ.get("LOAD_EVENTS", "load-events.jsonl")
WARDS = ("phu-son", "quang-trung")
TOWN = "bim-son"
PROVINCE = "thanh-hoa"
UNAVAILABLE_TEXT = "không kết nối được cơ sở dữ liệu"  # the 503 page (app/errors.py)
REGISTERS = ("receptions", "dialogues", "petitions", "models", "posts", "meetings")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_lock = threading.Lock()
_events_file: Any = None


def note(kind: str, **fields: Any) -> None:
    """One line of the run's record (acknowledged writes, sign-ins, 503s), flushed at once."""
    global _events_file
    with _lock:
        if _events_file is None:
            _events_file = open(EVENTS_PATH, "a", encoding="utf-8")
        _events_file.write(json.dumps({"kind": kind, "t": time.time(), **fields}, ensure_ascii=False) + "\n")
        _events_file.flush()


@events.quitting.add_listener
def _close(**_: Any) -> None:
    if _events_file is not None:
        _events_file.close()


def marker() -> str:
    return "LT-" + uuid.uuid4().hex[:16]


def png(side: int) -> bytes:
    """A real PNG (random pixels, stored uncompressed), different each time."""
    raw = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TASK_LINK = re.compile(r"/tasks/(\d+)/progress")
EVIDENCE_LINK = re.compile(r'href="([^"]*/progress/\d+/evidence/\d+)"')


def field_value(page: str, name: str) -> str | None:
    found = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % re.escape(name), page)
    return html.unescape(found.group(1)) if found else None


class Member(HttpUser):
    """One person of the demo in one browser; subclasses say who and what they do."""

    abstract = True
    wait_time = between(0.5, 2.0)
    accounts: tuple[str, ...] = ()
    account = ""
    unit = ""

    def on_start(self) -> None:
        self.account = random.choice(self.accounts)
        self.unit = self.account.split("@", 1)[1]
        self.tasks_seen: list[int] = []
        self.signed_in = False
        self.sign_in()

    # --- answers --------------------------------------------------------------------------

    def check(self, response: ResponseContextManager, expected: tuple[int, ...] = (200,),
              content_type: str | None = None, to_login: bool = False) -> bool:
        """Mark the answer good or failed (a 503 with the Vietnamese page as its own kind of failure); a
        redirect to the sign-in page is never a write acknowledged (`to_login`: but for signing out)."""
        status = response.status_code
        if status == 302 and "/login" in response.headers.get("Location", "") and not to_login:
            self.signed_in = False
            response.failure("signed out unexpectedly (302 to /login)")
            return False
        if status in expected:
            if content_type and not response.headers.get("Content-Type", "").startswith(content_type):
                response.failure(f"wrong content type {response.headers.get('Content-Type')}")
                return False
            response.success()
            return True
        if status == 503:
            text = response.text or ""
            kind = "503 database unavailable" if UNAVAILABLE_TEXT in text and "Traceback" not in text else \
                "503 without the Vietnamese page"
            note("503", path=response.request.path_url if response.request else "",
                 vietnamese=kind.endswith("unavailable"))
            response.failure(kind)
            return False
        if status == 0:
            response.failure(f"no answer: {response.error}")
            return False
        response.failure(f"HTTP {status}")
        return False

    def get(self, path: str, name: str, expected: tuple[int, ...] = (200,), content_type: str | None = None,
            ) -> str | None:
        if not self.signed_in and path != "/login":
            self.sign_in()  # the last sign-in failed (e.g. while the database restarted): again first
            if not self.signed_in:
                return None
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if self.check(response, expected, content_type):
                return response.text if content_type is None else ""
        return None

    def form_page(self, path: str, name: str) -> tuple[str, str] | None:
        """A page with a form: (its HTML, its CSRF token)."""
        page = self.get(path, name)
        if page is None:
            return None
        token = CSRF.search(page)
        if token is None:
            note("error", what=f"no CSRF token on {path}")
            return None
        return page, token.group(1)

    # --- signing in -----------------------------------------------------------------------

    def sign_in(self) -> None:
        found = self.form_page("/login", "sign in: form")
        if found is None:
            return
        _, token = found
        with self.client.post("/login", data={"username": self.account, "password": PASSWORD, "csrf_token": token},
                              name="sign in", catch_response=True, allow_redirects=False) as response:
            self.signed_in = self.check(response, (302,))
            if self.signed_in:
                note("signin", account=self.account)

    @task(1)
    def sign_out_and_in(self) -> None:
        page = self.get(f"/u/{self.unit}/", "dashboard")
        token = CSRF.search(page or "")
        if token is None:
            return
        with self.client.post("/logout", data={"csrf_token": token.group(1)}, name="sign out", catch_response=True,
                              allow_redirects=False) as response:
            self.check(response, (302,), to_login=True)
        self.client.cookies.clear()
        self.signed_in = False
        self.sign_in()


class WardEditor(Member):
    """Chairman and office of a ward: read everything, record progress with evidence, add receptions and
    petitions, download the plan as Word and the registers as Excel."""

    weight = 8
    accounts = tuple(f"{role}@{ward}" for role in ("chairman", "office") for ward in WARDS)

    @task(3)
    def dashboard(self) -> None:
        self.get(f"/u/{self.unit}/", "dashboard")

    @task(3)
    def plan(self) -> None:
        page = self.get(f"/u/{self.unit}/plans/{YEAR}", "plan")
        if page and not self.tasks_seen:
            self.tasks_seen = sorted({int(t) for t in TASK_LINK.findall(page)})

    @task(2)
    def progress_overview(self) -> None:
        self.get(f"/u/{self.unit}/plans/{YEAR}/progress", "plan progress")

    @task(3)
    def register(self) -> None:
        self.get(f"/u/{self.unit}/{random.choice(REGISTERS)}", "register")

    @task(1)
    def search(self) -> None:
        self.get(f"/u/{self.unit}/receptions?q=tiep+cong+dan", "register")

    @task(1)
    def indicators(self) -> None:
        self.get(f"/u/{self.unit}/plans/{YEAR}/indicators?period={YEAR}-Q2", "indicators")

    @task(1)
    def word(self) -> None:
        self.get(f"/u/{self.unit}/plans/{YEAR}.docx", "download: Word", content_type=DOCX)

    @task(1)
    def excel(self) -> None:
        register = random.choice(("receptions", "petitions", "dialogues"))
        self.get(f"/u/{self.unit}/exports/{register}.xlsx", "download: Excel", content_type=XLSX)

    @task(3)
    def record_progress(self) -> None:
        if not self.tasks_seen:
            self.plan()
        if not self.tasks_seen:
            return
        task_id = random.choice(self.tasks_seen)
        path = f"/u/{self.unit}/plans/{YEAR}/tasks/{task_id}/progress"
        found = self.form_page(path, "task progress")
        if found is None:
            return
        page, token = found
        evidence = EVIDENCE_LINK.search(page)
        if evidence and random.random() < 0.5:
            self.get(html.unescape(evidence.group(1)), "download: evidence")
        text = marker()
        data: dict[str, str] = {"csrf_token": token, "percent": str(random.randint(0, 90)),
                                "status": "in_progress", "note": f"Kết quả thực hiện {text}"}
        period = re.search(r'<select[^>]*name="period".*?<option[^>]*value="([^"]+)"', page, re.S)
        if period:
            data["period"] = period.group(1)
        content = png(random.randint(40, 120))
        with self.client.post(path, data=data, files={"evidence": (f"anh-{text}.png", content, "image/png")},
                              name="task progress: record", catch_response=True, allow_redirects=False) as response:
            if self.check(response, (302,)):
                note("ack", what="progress", marker=text, unit=self.unit, task_id=task_id,
                     evidence_sha256=hashlib.sha256(content).hexdigest(), evidence_size=len(content))

    @task(2)
    def add_reception(self) -> None:
        found = self.form_page(f"/u/{self.unit}/receptions/new", "register: new form")
        if found is None:
            return
        _, token = found
        text = marker()
        data = {"csrf_token": token, "version": "", "held_on": f"{random.randint(1, 28):02d}/{random.randint(1, 12):02d}/{YEAR}",
                "host": "Nguyễn Văn Tải", "citizens": str(random.randint(1, 30)), "cases": str(random.randint(0, 5)),
                "cases_raised": "Đường giao thông, đất đai", "note": f"Ghi chú {text}"}
        with self.client.post(f"/u/{self.unit}/receptions/new", data=data, name="register: add reception",
                              catch_response=True, allow_redirects=False) as response:
            if self.check(response, (302,)):
                found_id = re.search(r"/receptions/(\d+)", response.headers.get("Location", ""))
                note("ack", what="reception", marker=text, unit=self.unit,
                     id=int(found_id.group(1)) if found_id else None)

    @task(2)
    def add_petition(self) -> None:
        found = self.form_page(f"/u/{self.unit}/petitions/new", "petition: new form")
        if found is None:
            return
        page, token = found
        text = marker()
        data = {"csrf_token": token, "version": "", "received_on": field_value(page, "received_on") or f"01/06/{YEAR}",
                "kind": random.choice(("complaint", "denunciation", "recommendation", "feedback")),
                "source": "Trực tiếp tại bộ phận một cửa", "summary": f"Đề nghị sửa đường liên thôn {text}",
                "handler": "Công chức Địa chính", "resolution": ""}
        if 'name="petitioner_name"' in page:
            data.update(petitioner_name="Trần Thị Lan", petitioner_address="Khu phố 3", petitioner_contact="0912 345 678")
        with self.client.post(f"/u/{self.unit}/petitions/new", data=data, name="petition: add",
                              catch_response=True, allow_redirects=False) as response:
            if self.check(response, (302,)):
                found_id = re.search(r"/petitions/(\d+)", response.headers.get("Location", ""))
                note("ack", what="petition", marker=text, unit=self.unit,
                     id=int(found_id.group(1)) if found_id else None)


class WardReader(Member):
    """The ward's culture official and the Front: read the plan, the registers, the progress."""

    weight = 4
    accounts = tuple(f"{role}@{ward}" for role in ("culture", "front") for ward in WARDS)

    @task(3)
    def dashboard(self) -> None:
        self.get(f"/u/{self.unit}/", "dashboard")

    @task(3)
    def plan(self) -> None:
        self.get(f"/u/{self.unit}/plans/{YEAR}", "plan")

    @task(2)
    def progress_overview(self) -> None:
        self.get(f"/u/{self.unit}/plans/{YEAR}/progress", "plan progress")

    @task(4)
    def register(self) -> None:
        self.get(f"/u/{self.unit}/{random.choice(REGISTERS)}", "register")

    @task(1)
    def word(self) -> None:
        self.get(f"/u/{self.unit}/plans/{YEAR}.docx", "download: Word", content_type=DOCX)

    @task(1)
    def audit(self) -> None:
        if self.account.startswith("front@"):
            self.get(f"/u/{self.unit}/audit", "audit log")


class TownMember(Member):
    """The town's admin and Front, and the province's admin: dashboards, rollups, overdue, exports."""

    weight = 3
    accounts = (f"admin@{TOWN}", f"front@{TOWN}", f"admin@{PROVINCE}")

    @task(2)
    def dashboard(self) -> None:
        self.get(f"/u/{self.unit}/", "dashboard")

    @task(3)
    def rollup(self) -> None:
        period = random.choice((str(YEAR), f"{YEAR}-Q1", f"{YEAR}-Q2", f"{YEAR}-H1"))
        self.get(f"/u/{self.unit}/rollup/{YEAR}?period={period}", "rollup")

    @task(2)
    def overdue(self) -> None:
        self.get(f"/u/{self.unit}/overdue", "overdue")

    @task(1)
    def rollup_excel(self) -> None:
        self.get(f"/u/{self.unit}/rollup/{YEAR}.xlsx", "download: Excel", content_type=XLSX)

    @task(1)
    def ward_plan(self) -> None:
        """A parent reads a ward's plan (the town its wards; the province every unit below)."""
        self.get(f"/u/{random.choice(WARDS)}/plans/{YEAR}", "plan")
