"""Plan imports and zip checks against the largest files accepted and files built to hurt (issue 15):
seconds and peak Python memory of each request, through the import screen, signed in as the demo's
chairman of Phú Sơn (SQLite demo data in a temporary folder).

    .venv/bin/python bench/hostile_files.py
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402

from app import create_app  # noqa: E402
from app.progress.evidence import EvidenceRefused, Upload, check_file  # noqa: E402
from tests.hostile import bomb, word_of_paragraphs  # noqa: E402

MB = 1024 * 1024
WORDS = "công tác dân vận chính quyền nhân dân phường thực hiện tuyên truyền vận động".split()


def _words(count: int, rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _docx(paragraphs: list[str]) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def files() -> list[tuple[str, str, bytes]]:
    """(what, file name, contents): the largest plans accepted, then what is refused."""
    rng = random.Random(1)
    numbered = "II. NHIỆM VỤ\n" + "\n".join(f"{n}. {_words(60, rng)}." for n in range(1, 5000))
    bullets = "I. MỤC ĐÍCH\n" + "\n".join(f"- {_words(60, rng)}." for _ in range(4999))
    seed = (ROOT / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt").read_bytes()
    return [
        ("the Phú Sơn plan (230 lines)", "ke-hoach.txt", seed),
        ("5,000 numbered tasks of 400 characters (2 MB, the most accepted)", "ke-hoach.txt", numbered.encode()),
        ("5,000 bullets of 400 characters", "ke-hoach.txt", bullets.encode()),
        ("a .docx of 5,000 paragraphs of 400 characters", "ke-hoach.docx",
         _docx([f"{n}. {_words(60, rng)}." for n in range(1, 5001)])),
        ("refused: 5,001 lines", "ke-hoach.txt", "\n".join(f"- việc {n}" for n in range(5001)).encode()),
        ("refused: .docx of 880,000 empty paragraphs", "ke-hoach.docx", word_of_paragraphs(880_000)),
        ("refused: .docx whose [Content_Types].xml inflates to 1 GB", "ke-hoach.docx",
         bomb(1024 * MB, others=(("word/document.xml", b"<w:document/>"),))),
        ("refused: .docx that says 1 KB for 300 MB", "ke-hoach.docx",
         bomb(300 * MB, declared=1024, others=(("word/document.xml", b"<w:document/>"),))),
    ]


def measure() -> list[tuple[str, int, int, float, float]]:
    """[(what, bytes, status, seconds, peak MB)] through the import screen."""
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url}
    for command in (["db", "upgrade"], ["demo", "--before-reform"]):
        subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    signed_in = client.post("/login", data={"username": "chairman@phu-son", "password": "DanVan@2025"})
    assert signed_in.status_code == 302, signed_in.status_code
    results = []
    def post(name: str, data: bytes) -> int:
        return client.post("/u/phu-son/plans/import", data={"file": (io.BytesIO(data), name), "action": "preview"},
                           content_type="multipart/form-data").status_code

    for what, name, data in files():
        started = time.perf_counter()
        status = post(name, data)
        seconds = time.perf_counter() - started
        tracemalloc.start()  # a second time, traced (tracing slows Python down several times)
        post(name, data)
        peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
        results.append((what, len(data), status, seconds, peak))
    with app.test_request_context():
        evidence = bomb(600 * MB, "docProps/big.xml", others=(
            ("[Content_Types].xml", b'<Types><Override PartName="/word/document.xml" '
                                    b'ContentType="wordprocessingml.document.main+xml"/></Types>'),
            ("word/document.xml", b"<x/>")))
        tracemalloc.start()
        started = time.perf_counter()
        try:
            check_file(Upload("bien-ban.docx", evidence), 10 * MB)
            status = 200
        except EvidenceRefused:
            status = 400
        results.append(("refused: evidence .docx inflating to 600 MB (check_file)", len(evidence), status,
                        time.perf_counter() - started, tracemalloc.get_traced_memory()[1] / MB))
        tracemalloc.stop()
    return results


if __name__ == "__main__":
    print("| file | size | answer | seconds | peak Python memory |")
    print("|---|---|---|---|---|")
    for what, size, status, seconds, peak in measure():
        print(f"| {what} | {size / 1024:,.0f} KB | {status} | {seconds:.2f} | {peak:,.1f} MB |")
