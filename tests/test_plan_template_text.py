"""Check that the dân vận chính quyền 2025 plan template reproduces its seed text."""

import importlib.util
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt"
TEMPLATE_PATH = ROOT / "tenants" / "plan_templates" / "dan-van-chinh-quyen-2025.yaml"
TEXT_REPAIR_PATH = ROOT / "app" / "text_repair.py"

OWNER_ROLES = {"chairman", "office", "culture"}
SCHEDULES = {"once", "monthly", "quarterly", "ongoing"}
TASK_STYLES = {"paragraph", "bullet", "numbered"}

# "I. ", "1. " or "- " at the start of a line opens a new block in the seed
# (at most two digits, so a wrapped "2025. Đề nghị ..." line is not an item).
MARKER_RE = re.compile(r"^(?:(?:[IVX]+|\d{1,2})\.|-)\s+")
# A period followed by whitespace ends a sentence; ";" does not.
SENTENCE_END_RE = re.compile(r"(?<=\.)\s+")
RECIPIENTS_LABEL = "Nơi nhận:"


def _load_text_repair() -> ModuleType:
    """Load app/text_repair.py from its file path, without importing the app package."""
    spec = importlib.util.spec_from_file_location("_plan_text_repair", TEXT_REPAIR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


repair_legacy_text: Callable[[str], str] = _load_text_repair().repair_legacy_text


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to a single space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def fix_seed_typo(text: str) -> str:
    """Apply the corrections the template lists in source_corrections ("xây dưng" -> "xây dựng", …)."""
    for correction in yaml.safe_load(TEMPLATE_PATH.read_text(encoding="utf-8"))["source_corrections"]:
        text = text.replace(correction["source"], correction["corrected"])
    return text


def join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped PDF lines, rejoining words split by a hyphen at a line end."""
    joined = ""
    for line in lines:
        if not joined:
            joined = line
        elif joined.endswith("-") and not joined.endswith(" -"):
            joined += line  # "114-" + "KL/TW" -> "114-KL/TW"
        else:
            joined += " " + line
    return joined


def split_sentences(text: str) -> list[str]:
    """Split a block of normalised text into sentences at ". "."""
    return [part for part in SENTENCE_END_RE.split(text) if part]


def seed_units() -> list[str]:
    """Return the repaired seed as the sentences and items the template must contain."""
    raw = repair_legacy_text(SEED_PATH.read_text(encoding="utf-8"))
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    tail_start = next(i for i, line in enumerate(lines) if line.startswith(RECIPIENTS_LABEL))
    body, tail = lines[:tail_start], lines[tail_start:]

    # The heading ("KẾ HOẠCH") and the title line carry no final period.
    units = [normalise_space(body[0]), normalise_space(body[1])]

    blocks: list[list[str]] = []
    for line in body[2:]:
        marker = MARKER_RE.match(line)
        if marker or not blocks:
            blocks.append([])
        blocks[-1].append(line[marker.end():] if marker else line)
    for block in blocks:
        units.extend(split_sentences(fix_seed_typo(normalise_space(join_wrapped(block)))))

    # Signature block: "Nơi nhận:" and "CHỦ TỊCH" share a line; recipients are "- " items.
    for line in tail:
        for column in re.split(r"\s{2,}", line):
            column = column.strip()
            if column and column != RECIPIENTS_LABEL:
                units.append(normalise_space(MARKER_RE.sub("", column)))
    return units


def load_template() -> dict[str, Any]:
    """Parse the YAML plan template."""
    data = yaml.safe_load(TEMPLATE_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def iter_sections(sections: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every section and sub-section in document order."""
    for section in sections:
        yield section
        yield from iter_sections(section.get("sections") or [])


def iter_tasks(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every task of the template in document order."""
    for section in iter_sections(template["sections"]):
        yield from section.get("tasks") or []


def section_text(section: dict[str, Any]) -> Iterator[str]:
    """Yield the texts of a section, its tasks and its sub-sections in document order."""
    for field in ("number", "title", "body"):
        yield str(section.get(field) or "")
    for task in section.get("tasks") or []:
        yield str(task["text"])
    for sub in section.get("sections") or []:
        yield from section_text(sub)


def template_text(template: dict[str, Any]) -> str:
    """Collect all visible text of the template into one whitespace-normalised string."""
    parts = [template["heading"], template["title"], template["preamble"]]
    for section in template["sections"]:
        parts.extend(section_text(section))
    parts.append(template["closing"])
    parts.extend(template["recipients"])
    parts.extend([template["signer_title"], template["signer_name"]])
    return normalise_space(" ".join(str(part) for part in parts if part))


def iter_strings(node: Any) -> Iterator[str]:
    """Yield every string (keys included) in a parsed YAML tree."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from iter_strings(key)
            yield from iter_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_strings(item)


def test_repair_legacy_text() -> None:
    """The repair maps the legacy letters and composes to NFC."""
    assert repair_legacy_text("Chủ trƣơng, NHÀ NƢỚC, Ðảng") == "Chủ trương, NHÀ NƯỚC, Đảng"
    assert repair_legacy_text("ƣ\u0301") == "ứ"
    assert repair_legacy_text("Hoa\u0300") == "Hoà"


def test_seed_units_are_parsed() -> None:
    """The seed splitter yields repaired, rejoined sentences."""
    units = seed_units()
    assert len(units) > 40
    assert units[:2] == ["KẾ HOẠCH", "Thực hiện công tác dân vận chính quyền năm 2025"]
    assert units[-1] == "Nguyễn Xuân Lâm"
    assert "Lưu: VT." in units
    joined = " ".join(units)
    assert "114-KL/TW" in joined
    assert "xây dựng Kế hoạch" in joined
    assert not re.search("[ƣƢ]|xây dưng", joined)


def test_every_seed_sentence_is_in_template() -> None:
    """Every sentence of the repaired seed occurs verbatim in the template."""
    text = template_text(load_template())
    missing = [unit for unit in seed_units() if unit not in text]
    assert not missing, "sentences missing from the template:\n" + "\n".join(
        f"  - {unit}" for unit in missing
    )


def test_legal_bases_are_quoted_from_seed() -> None:
    """Each legal basis is a citation that appears verbatim in the repaired seed."""
    seed = " ".join(seed_units())
    bases = load_template()["legal_bases"]
    assert len(bases) == 1  # the source has one "Căn cứ" paragraph (issue 16); its body cites the others
    for basis in bases:
        assert basis in seed, basis


def test_template_text_is_repaired_and_nfc() -> None:
    """The template has no legacy letters, no seed typo and only NFC strings."""
    raw = TEMPLATE_PATH.read_text(encoding="utf-8")
    for bad in ("ƣ", "Ƣ"):
        assert bad not in raw, bad
    text = template_text(load_template())  # the typos stand only in the list of what was corrected
    for correction in load_template()["source_corrections"]:
        if correction["where"] != "Số mục":
            assert correction["source"] not in text.replace(correction["corrected"], ""), correction
    assert unicodedata.is_normalized("NFC", raw)
    not_nfc = [s for s in iter_strings(load_template()) if not unicodedata.is_normalized("NFC", s)]
    assert not not_nfc, not_nfc


def test_template_structure() -> None:
    """Sections, sub-sections and tasks follow the template schema."""
    template = load_template()
    by_number = {section["number"]: section for section in template["sections"]}
    # Numbered by position (issue 16): the seed's I, II, IV are I, II, III, as its corrections say.
    assert [section["number"] for section in template["sections"]] == ["I", "II", "III"]

    contents = by_number["II"]["sections"]
    assert [sub["number"] for sub in contents] == ["1", "2", "3", "4", "5", "6"]

    organisation = by_number["III"]["tasks"]
    assert len(organisation) == 3
    assert [task["owner_role"] for task in organisation] == ["chairman", "office", "culture"]

    tasks = list(iter_tasks(template))
    keys = [task["key"] for task in tasks]
    assert len(keys) == len(set(keys)), "duplicate task keys"
    for task in tasks:
        assert task["owner_role"] in OWNER_ROLES, task["key"]
        assert task["schedule"] in SCHEDULES, task["key"]
        assert task["style"] in TASK_STYLES, task["key"]
