"""Repair Vietnamese text from legacy sources and return it as Unicode NFC.

Three kinds of damage are repaired:

* look-alike letters left by PDF extraction (``ƣ`` for ``ư``, ``Ð``/``ð`` for ``Đ``/``đ``):
  `repair_legacy_text`;
* text typed in the pre-Unicode font encodings and read as Windows-1252 characters:
  TCVN3 (ABC; the ``.VnTime`` fonts, one byte per letter, and the ``.VnTimeH`` capitals
  fonts, which draw the *lowercase* byte set as capitals) and VNI (VNI-Windows; the
  ``VNI-Times`` fonts, a base letter followed by a mark byte): `to_unicode`,
  `detect_legacy`;
* 8-bit files: `decode_legacy_bytes` picks TCVN3/VNI, Windows-1258 or Windows-1252.

Detection is conservative: text holding any Unicode-only Vietnamese letter is never
converted, and legacy text must turn many invalid words into valid Vietnamese syllables.

Standard library only: tests load this file by path, without importing the app package.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "TCVN3_TO_UNICODE",
    "VNI_LETTERS",
    "VNI_MARKS",
    "decode_legacy_bytes",
    "detect_legacy",
    "has_unicode_vietnamese",
    "repair_legacy_text",
    "repair_text",
    "tcvn3_to_unicode",
    "to_unicode",
    "vni_to_unicode",
]

_LEGACY_CHARS: dict[int, str] = str.maketrans(
    {
        "\u01a3": "\u01b0",  # ƣ (LATIN SMALL LETTER OI) -> ư
        "\u01a2": "\u01af",  # Ƣ (LATIN CAPITAL LETTER OI) -> Ư
        "\u00d0": "\u0110",  # Ð (LATIN CAPITAL LETTER ETH) -> Đ
        "\u00f0": "\u0111",  # ð (LATIN SMALL LETTER ETH) -> đ
    }
)


def repair_legacy_text(text: str) -> str:
    """Replace legacy look-alike letters with Vietnamese ones and return NFC text."""
    return unicodedata.normalize("NFC", text.translate(_LEGACY_CHARS))


# --- TCVN3 (ABC) -----------------------------------------------------------------------------
# Each pair: the Windows-1252 characters of the TCVN3 bytes, and the letters they encode.
# TCVN3 has capitals only for the seven plain letters (0xA1-0xA7); the .VnTimeH fonts draw
# the lowercase bytes (0xA8-0xFE) as capitals instead.
_TCVN3_PAIRS = (
    ("\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7", "ĂÂÊÔƠƯĐ"),  # ¡¢£¤¥¦§
    ("\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae", "ăâêôơưđ"),  # ¨©ª«¬(soft hyphen)®
    ("µ¸¶·¹", "àáảãạ"),
    ("»¾¼½Æ", "ằắẳẵặ"),
    ("ÇÊÈÉË", "ầấẩẫậ"),
    ("ÌÐÎÏÑ", "èéẻẽẹ"),
    ("ÒÕÓÔÖ", "ềếểễệ"),
    ("×ÝØÜÞ", "ìíỉĩị"),
    ("ßãáâä", "òóỏõọ"),
    ("åèæçé", "ồốổỗộ"),
    ("êíëìî", "ờớởỡợ"),
    ("ïóñòô", "ùúủũụ"),
    ("õøö÷ù", "ừứửữự"),
    ("úýûüþ", "ỳýỷỹỵ"),
)
TCVN3_TO_UNICODE: dict[str, str] = {
    byte: letter for bytes_, letters in _TCVN3_PAIRS for byte, letter in zip(bytes_, letters, strict=True)
}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)
_TCVN3_LOWER_BYTES = frozenset(byte for byte, letter in TCVN3_TO_UNICODE.items() if letter.islower())

# Line breaks, tabs and runs of three spaces (separators kept by the split).
_COLUMN_GAP_RE = re.compile(r"(\n|\t+| {3,})")
# A word as legacy text sees it: letters plus the Latin-1 symbols TCVN3 uses for letters.
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u00a1-\u00bf\u00d7\u00f7])+")


def tcvn3_to_unicode(text: str, *, uppercase: bool = False) -> str:
    """Convert TCVN3 text to Unicode NFC. `uppercase`: the text is set in a .VnTimeH font.

    Without `uppercase`, a word written in ASCII capitals (``CéNG``, ``HOµ``) was set in a
    capitals font and is converted to capitals (``CỘNG``, ``HOÀ``); so is a one-capital word
    (``X·``) on a line (or a tab-separated column) of such words.
    """
    if uppercase:
        return unicodedata.normalize("NFC", text.translate(_TCVN3_TABLE).upper())
    pieces = _COLUMN_GAP_RE.split(text)  # lines, and the columns of flattened tables
    return unicodedata.normalize("NFC", "".join(_tcvn3_piece(piece) for piece in pieces))


def _tcvn3_piece(line: str) -> str:
    capitals_line = _is_capitals_line(line)

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        converted = token.translate(_TCVN3_TABLE)
        ascii_letters = [c for c in token if c.isascii() and c.isalpha()]
        all_capitals = all(c.isupper() for c in ascii_letters)
        if any(c in _TCVN3_LOWER_BYTES for c in token) and all_capitals and (
            len(ascii_letters) >= 2 or capitals_line
        ):
            return converted.upper()
        return converted

    return _WORD_RE.sub(word, line)


def _is_capitals_line(line: str) -> bool:
    """A line (or column) set in capitals: no lowercase ASCII letter, and a word of ASCII
    capitals with TCVN3 letters ("HO¹CH") or three words of ASCII capitals ("UBND X· QUANG
    TRUNG"); words holding digits or "/" ("15/KH-UBND") do not count."""
    if any(c.isascii() and c.islower() for c in line):
        return False
    words = [w for w in line.split() if not any(c in "0123456789/" for c in w)]
    capitals = [w for w in words if sum(c.isascii() and c.isupper() for c in w) >= 2]
    return any(c in _TCVN3_LOWER_BYTES for w in capitals for c in w) or len(capitals) >= 3


# --- VNI (VNI-Windows) -----------------------------------------------------------------------
# A mark character after a base letter: the combining marks it adds and the bases it fits.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONE_BASES = "aeouyAEOUY\u00f4\u00f6\u00d4\u00d6"  # ô ö Ô Ö are the VNI letters ơ ư Ơ Ư
_MARKS_LOWER: dict[str, tuple[str, str]] = {
    "ù": (_ACUTE, _TONE_BASES),
    "ø": (_GRAVE, _TONE_BASES),
    "û": (_HOOK, _TONE_BASES),
    "õ": (_TILDE, _TONE_BASES),
    "ï": (_DOT, _TONE_BASES),
    "â": (_CIRCUMFLEX, "aeoAEO"),
    "á": (_CIRCUMFLEX + _ACUTE, "aeoAEO"),
    "à": (_CIRCUMFLEX + _GRAVE, "aeoAEO"),
    "å": (_CIRCUMFLEX + _HOOK, "aeoAEO"),
    "ã": (_CIRCUMFLEX + _TILDE, "aeoAEO"),
    "ä": (_CIRCUMFLEX + _DOT, "aeoAEO"),
    "ê": (_BREVE, "aA"),
    "é": (_BREVE + _ACUTE, "aA"),
    "è": (_BREVE + _GRAVE, "aA"),
    "ú": (_BREVE + _HOOK, "aA"),
    "ü": (_BREVE + _TILDE, "aA"),
    "ë": (_BREVE + _DOT, "aA"),
}
# Capital marks are the Latin-1 capitals of the same characters (ù -> Ù, â -> Â, ...).
VNI_MARKS: dict[str, tuple[str, str]] = {
    **_MARKS_LOWER,
    **{mark.upper(): value for mark, value in _MARKS_LOWER.items()},
}
_VNI_LETTERS_LOWER = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
VNI_LETTERS: dict[str, str] = {
    **_VNI_LETTERS_LOWER,
    **{byte.upper(): letter.upper() for byte, letter in _VNI_LETTERS_LOWER.items()},
}
_VNI_RE = re.compile(
    f"([{re.escape(_TONE_BASES)}])([{re.escape(''.join(VNI_MARKS))}])|[{re.escape(''.join(VNI_LETTERS))}]"
)


def vni_to_unicode(text: str) -> str:
    """Convert VNI text (base letter + mark character) to Unicode NFC."""

    def letter(match: re.Match[str]) -> str:
        base, mark = match.group(1), match.group(2)
        if base is None:
            return VNI_LETTERS[match.group(0)]
        marks, bases = VNI_MARKS[mark]
        if base not in bases:
            return VNI_LETTERS.get(base, base) + mark
        if base in VNI_LETTERS:  # ơ / ư take a tone mark
            return VNI_LETTERS[base] + marks
        return base + marks

    return unicodedata.normalize("NFC", _VNI_RE.sub(letter, text))


# --- detection -------------------------------------------------------------------------------
# Letters (and combining tone marks) that only Unicode Vietnamese text holds; ƣ/Ƣ come from
# PDF extraction of Unicode text.
_UNICODE_VIETNAMESE_RE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0-\u01a3\u01af\u01b0"
    "\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]"
)
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_NUCLEI = (
    "iêu|oai|oao|oay|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|"
    "[aăâeêioôơuưy]"
)
_SYLLABLE_RE = re.compile(f"(?:{_ONSETS})?(?:{_NUCLEI})(ch|ng|nh|[cmnpt])?")
_TONE_MARKS = frozenset((_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT))


def has_unicode_vietnamese(text: str) -> bool:
    """Does `text` hold a letter only Unicode Vietnamese has (so it is not legacy text)?"""
    return _UNICODE_VIETNAMESE_RE.search(text) is not None


def _is_syllable(word: str) -> bool:
    """Is `word` a well-formed Vietnamese syllable (one tone at most; c/ch/p/t only with sắc/nặng)?"""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    match = _SYLLABLE_RE.fullmatch(bare)
    if match is None:
        return False
    return match.group(1) not in ("c", "ch", "p", "t") or tones in ([_ACUTE], [_DOT])


def _legacy_words(text: str) -> list[str]:
    """The words of `text` holding a non-ASCII character: the ones a legacy encoding changes."""
    return [w for w in _WORD_RE.findall(text) if not w.isascii()]


def _valid_count(words: list[str]) -> int:
    return sum(_is_syllable(w) for w in words)


def detect_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" if `text` is Vietnamese in that legacy encoding, else None.

    Never for text holding a Unicode-only Vietnamese letter. Otherwise the words with
    non-ASCII characters are converted both ways; an encoding wins if its conversion makes
    at least two more of them (and 30 % more) valid Vietnamese syllables than they were, and
    70 % of them valid in all, and the other encoding does not do as well.
    """
    if has_unicode_vietnamese(text):
        return None
    words = _legacy_words(text)
    if len(words) < 2:
        return None
    before = _valid_count(words)
    scores = {
        "tcvn3": _valid_count([tcvn3_to_unicode(w) for w in words]),
        "vni": _valid_count([vni_to_unicode(w) for w in words]),
    }
    best, runner_up = sorted(scores, key=scores.__getitem__, reverse=True)
    score = scores[best]
    if score == scores[runner_up]:
        return None
    if score - before >= max(2, 0.3 * len(words)) and score >= 0.7 * len(words):
        return best
    return None


def to_unicode(text: str, encoding: str | None = None) -> str:
    """`text` converted from "tcvn3" or "vni" (None: detect; undetected text is kept) to NFC."""
    name = (encoding or detect_legacy(text) or "").lower().replace("-", "")
    if name == "tcvn3":
        return tcvn3_to_unicode(text)
    if name == "vni":
        return vni_to_unicode(text)
    if name:
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    return unicodedata.normalize("NFC", text)


def repair_text(text: str, encoding: str | None = None) -> str:
    """`to_unicode`, then `repair_legacy_text`: the one call for text from outside."""
    return repair_legacy_text(to_unicode(text, encoding))


# --- 8-bit files -----------------------------------------------------------------------------
# Windows-1252, with its five undefined bytes kept as the Latin-1 control characters.
_CP1252 = "".join(
    bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)
)


def _decode_cp1252(data: bytes) -> str:
    return "".join(_CP1252[b] for b in data) if any(b >= 0x80 for b in data) else data.decode("ascii")


def decode_legacy_bytes(data: bytes) -> str:
    """Decode an 8-bit Vietnamese file: TCVN3 or VNI (detected), else Windows-1258 when that
    reads as Vietnamese, else Windows-1252. Returns NFC text."""
    latin = _decode_cp1252(data)
    encoding = detect_legacy(latin)
    if encoding is not None:
        return to_unicode(latin, encoding)
    try:
        vietnamese = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", latin)
    words = _legacy_words(vietnamese)
    valid = _valid_count(words)
    if has_unicode_vietnamese(vietnamese) and valid >= 0.7 * len(words) and valid > _valid_count(_legacy_words(latin)):
        return vietnamese
    return unicodedata.normalize("NFC", latin)
