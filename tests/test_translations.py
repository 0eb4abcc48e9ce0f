"""The English catalogue covers every translatable string of the source tree.

The messages are extracted with Babel exactly as `make extract-messages` does (the method map
of app/translations/babel.cfg, Babel's default keywords plus `_l` and `lazy_gettext`) and looked
up in app/translations/en/LC_MESSAGES/messages.po. Adding a `_()` string without translating it
fails here: run `make extract-messages`, fill in the new empty entries, `make translations`.

No Flask app and no database are needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "app" / "translations" / "babel.cfg"
EN_PO = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The `-k` options of `make extract-messages`, added to Babel's defaults (_, gettext, ngettext, …).
EXTRA_KEYWORDS = ["_l", "lazy_gettext"]

# printf-style placeholders: %(name)s, %(max)d, %s, %.2f … (a literal %% is not a placeholder).
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")

Key = tuple[str, str | None]  # (msgid, msgctxt)


def _singular(message: str | tuple[str, ...]) -> str:
    return message[0] if isinstance(message, (tuple, list)) else message


def _strings(message: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(message, (tuple, list)):
        return tuple(s or "" for s in message)
    return (message or "",)


@cache
def extracted() -> dict[Key, str | tuple[str, ...]]:
    """msgid (with context) → the extracted message (a tuple for plural forms)."""
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(BABEL_CFG))
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(EXTRA_KEYWORDS))
    messages: dict[Key, str | tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        if _singular(message):
            messages[(_singular(message), context)] = message
    return messages


@cache
def english() -> Catalog:
    with EN_PO.open("rb") as po:
        return read_po(po, locale="en")


def untranslated(keys: Iterable[Key], catalog: Catalog) -> list[str]:
    """The msgids with no usable translation: absent, empty (in any plural form) or fuzzy."""
    missing = []
    for msgid, context in keys:
        entry = catalog.get(msgid, context=context)
        if entry is None or entry.fuzzy or not all(s.strip() for s in _strings(entry.string)):
            missing.append(msgid if context is None else f"{context}|{msgid}")
    return sorted(missing)


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def placeholder_mismatches(keys: Iterable[Key], catalog: Catalog) -> list[str]:
    problems = []
    for key in keys:
        entry = catalog.get(*key)
        if entry is None:
            continue  # reported by the completeness test
        if isinstance(entry.id, (tuple, list)):
            # Plural forms: a form may drop the count ("one task") but must not invent placeholders.
            allowed = set(placeholders(entry.id[0])) | set(placeholders(entry.id[1]))
            for translation in _strings(entry.string):
                if not set(placeholders(translation)) <= allowed:
                    problems.append(f"{key[0]!r} → {translation!r}: allowed {sorted(allowed)}")
            continue
        expected, got = placeholders(entry.id), placeholders(entry.string or "")
        if entry.string and got != expected:
            problems.append(f"{key[0]!r} → {entry.string!r}: expected {expected}, got {got}")
    return problems


def has_vietnamese_letters(text: str) -> bool:
    """Letters outside ASCII: đ, ă, â, ê, ô, ơ, ư and every tone-marked vowel."""
    return any(ch.isalpha() and not ch.isascii() for ch in unicodedata.normalize("NFC", text))


def copied_untranslated(keys: Iterable[Key], catalog: Catalog) -> list[str]:
    copied = []
    for key in keys:
        entry = catalog.get(*key)
        if entry is None:
            continue
        sources = _strings(entry.id)
        for translation in _strings(entry.string):
            if translation and any(translation.strip() == s.strip() and has_vietnamese_letters(s) for s in sources):
                copied.append(key[0])
                break
    return sorted(copied)


def test_source_tree_has_translatable_strings() -> None:
    # Guards against an extraction that silently finds nothing (wrong root, broken babel.cfg).
    assert len(extracted()) > 50
    assert ("Đăng nhập", None) in extracted()  # templates (jinja2 extractor)
    assert ("Chủ tịch UBND", None) in extracted()  # app/vocabulary.py (_l)


def test_catalogue_is_english() -> None:
    catalog = english()
    assert str(catalog.locale) == "en"
    assert catalog.num_plurals == 2
    assert catalog.charset.lower() == "utf-8"


def test_every_message_has_an_english_translation() -> None:
    missing = untranslated(extracted(), english())
    assert not missing, (
        f"{len(missing)} message(s) lack a non-empty, non-fuzzy English translation in {EN_PO.relative_to(ROOT)} "
        "(run `make extract-messages`, translate, `make translations`):\n" + "\n".join(f"  {m!r}" for m in missing)
    )


def test_translations_keep_the_placeholders() -> None:
    problems = placeholder_mismatches(extracted(), english())
    assert not problems, "Placeholders differ between msgid and translation:\n" + "\n".join(problems)


def test_no_translation_is_a_copy_of_the_vietnamese() -> None:
    copied = copied_untranslated(extracted(), english())
    assert not copied, "Left in Vietnamese (msgstr == msgid):\n" + "\n".join(f"  {m!r}" for m in copied)


# The checks themselves catch what they should (so a passing suite means something).


@pytest.fixture
def sample() -> Catalog:
    catalog = Catalog(locale="en")
    catalog.add("Lưu", "Save")
    catalog.add("Chưa dịch", "")
    catalog.add("Dịch mờ", "Fuzzy guess", flags=["fuzzy"])
    catalog.add("Kế hoạch năm %(year)s", "Plan for %(yaer)s")
    catalog.add("Tối đa %(max)d ký tự.", "At most %(max)s characters.")
    catalog.add("Xóa", "Xóa")
    catalog.add("OK", "OK")
    return catalog


def test_checks_catch_broken_entries(sample: Catalog) -> None:
    keys = [(m.id, m.context) for m in sample if m.id] + [("Không có trong catalogue", None)]
    assert untranslated(keys, sample) == ["Chưa dịch", "Dịch mờ", "Không có trong catalogue"]
    assert [p.split(" → ")[0] for p in placeholder_mismatches(keys, sample)] == [
        repr("Kế hoạch năm %(year)s"),
        repr("Tối đa %(max)d ký tự."),
    ]
    assert copied_untranslated(keys, sample) == ["Xóa"]
