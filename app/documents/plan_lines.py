"""Lines of an imported plan: numbering markers, hard-wrapped lines joined back into
paragraphs, sentences, the columns of a flattened two-column line, and "Căn cứ …" legal bases.

A marker opens a numbered or bulleted block: "PHẦN I" / "Phần thứ nhất", "A.", "I.", "1.",
"1.1.", "a)" / "a.", and the bullets "-", "+", "•", "*", "–". A paragraph written all in
capitals (a heading without a number) counts as a marker of its own kind, "caps".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = [
    "Marker",
    "classify",
    "collapse",
    "ends_sentence",
    "is_capitals",
    "is_legal_basis",
    "is_separator",
    "join_wrapped_lines",
    "legal_bases_of",
    "roman",
    "letters_only",
    "split_columns",
    "split_sentences",
]

BULLETS = "-+•*–—●○▪■◦➢►✓"
_PART_RE = re.compile(
    r"(?P<number>(?:PHẦN|Phần)\s+(?:(?:THỨ|thứ)\s+[^\s.:]+|[IVXLC]+|\d{1,2}))(?:\s*[.:–-])?(?:\s+(?P<text>.*))?"
)
_DECIMAL_RE = re.compile(r"(?P<number>\d{1,2}(?:\.\d{1,2})+)(?P<punct>[.)])?\s*(?P<text>.*)")
_ARABIC_RE = re.compile(r"(?P<number>\d{1,2})(?P<punct>[.)]|/(?=\s))\s*(?P<text>.*)")
_ROMAN_RE = re.compile(r"(?P<number>X{0,3}(?:IX|IV|V?I{0,3}))(?P<punct>[.)]|/(?=\s))\s*(?P<text>.*)")
_UPPER_RE = re.compile(r"(?P<number>[A-HJ-UWYZĐ])[.)]\s+(?P<text>.*)")
_LOWER_RE = re.compile(r"(?P<number>[a-zđ])[.)]\s+(?P<text>.*)")
_BULLET_RE = re.compile(rf"(?P<number>[{re.escape(BULLETS)}])(?P<space>\s*)(?P<text>.*)")
_SEPARATOR_RE = re.compile(r"[-_=*~.·•–—\s]{3,}")
_COLUMN_GAP_RE = re.compile(r"\s*\|\s*|\s{3,}|\t+")  # "|": a PDF table's cell border
_PAGE_NUMBER_RE = re.compile(r"[-–]?\s*\d{1,3}\s*[-–]?")  # "2", "- 2 -": a page number of a PDF
# A paragraph starting with one of these never continues the line before it.
_STARTER_RE = re.compile(r"(?:Căn cứ|CĂN CỨ|Trên đây|TRÊN ĐÂY|Nơi nhận|NƠI NHẬN)\b")
# A line ending with one of these words goes on in the next line.
_CONTINUATION_WORDS = frozenset((
    "của", "và", "các", "với", "về", "cho", "trong", "theo", "đến", "là", "những", "tại", "để", "do",
    "bởi", "hoặc", "hay", "nhưng", "mà", "thì", "từ", "trên", "dưới", "giữa", "sự", "việc", "được",
    "bị", "có", "số", "ngày", "tháng", "mọi", "một", "ở", "vào", "nhằm", "như", "cùng",
))
_BASIS_RE = re.compile(rf"(?:[{re.escape(BULLETS)}]\s*)?(?P<basis>(?:Căn cứ|CĂN CỨ)\b.*)")
_BASIS_WORDS_RE = re.compile(r"(?:Căn cứ|CĂN CỨ)\s*")
# "Thực hiện Kế hoạch số 25/KH-UBND …": a document carried out is cited as a basis too; the paragraph
# stays in the preamble as written (it is not turned into a "Căn cứ").
_DOCUMENT_TYPES = ("Kế hoạch|Công văn|Chỉ thị|Nghị quyết|Quyết định|Kết luận|Hướng dẫn|Thông báo|Văn bản|Luật|"
                   "Nghị định|Thông tư|Chương trình")
_CARRIED_OUT_RE = re.compile(
    rf"(?:[{re.escape(BULLETS)}]\s*)?(?:Thực hiện|THỰC HIỆN)\s+(?P<basis>(?:{_DOCUMENT_TYPES})\b.*)", re.IGNORECASE)
# Headings a PDF often breaks over two lines, in letters (see letters_only).
_WRAPPED_HEADINGS = frozenset(("mụcđíchyêucầu", "mụcđíchvàyêucầu", "tổchứcthựchiện"))
# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(("TP", "Tp", "TX", "Tx", "ThS", "TS", "GS", "PGS", "BS", "Th.S", "v.v", "St"))
_SENTENCE_END_RE = re.compile(r"[.!?…]+[”\"')]?\s+")
_WRAPPED_MIN_WIDTH, _WRAPPED_MAX_WIDTH = 50, 100  # the width a hard-wrapped text is wrapped at
_WRAPPED_MIN_LINES = 8
_OVERLONG = 1.25  # a line this much longer than the wrap width is a paragraph of its own
_FULL_LINE = 0.8  # a line this share of the wrap width (0.9 for a numbered line) runs on


@dataclass(frozen=True)
class Marker:
    """The numbering that opens a paragraph.

    kind: part, upper, roman, arabic, decimal, lower, bullet or caps; key: the kind that
    decides nesting (decimals by depth, bullets by character); number: as written, without
    its punctuation ("I", "1.1", "a", "PHẦN I", "-"); text: the paragraph after the marker.
    """

    kind: str
    key: str
    number: str
    text: str

    @property
    def is_bullet(self) -> bool:
        return self.kind == "bullet"


def collapse(text: str) -> str:
    """Runs of whitespace to one space, ends stripped."""
    return " ".join(text.split())


def is_capitals(text: str) -> bool:
    """At least two letters, every one a capital."""
    letters = 0
    for c in text:  # stops at the first small letter: most lines are read a few letters in
        if c.isalpha():
            if not c.isupper():
                return False
            letters += 1
    return letters >= 2


def is_separator(text: str) -> bool:
    """A rule drawn with characters ("-----", "___", "* * *")."""
    return _SEPARATOR_RE.fullmatch(text.strip()) is not None


def _first_letter(text: str) -> str:
    return next((c for c in text if c.isalpha()), "")


def classify(paragraph: str) -> Marker | None:
    """The marker opening `paragraph`, or None for a plain paragraph."""
    text = paragraph.strip()
    if match := _PART_RE.fullmatch(text):
        return Marker("part", "part", collapse(match["number"]), (match["text"] or "").strip())
    if (match := _DECIMAL_RE.fullmatch(text)) and (match["punct"] or _first_letter(match["text"][:2]).isupper()):
        number = match["number"]
        return Marker("decimal", f"decimal{number.count('.') + 1}", number, match["text"])
    for kind, pattern in (("arabic", _ARABIC_RE), ("roman", _ROMAN_RE)):
        if (match := pattern.fullmatch(text)) and match["number"] and _opens_text(text, match):
            return Marker(kind, kind, match["number"], match["text"])
    for kind, pattern in (("upper", _UPPER_RE), ("lower", _LOWER_RE)):
        if match := pattern.fullmatch(text):
            return Marker(kind, kind, match["number"], match["text"])
    if (match := _BULLET_RE.fullmatch(text)) and _bullet_text(match["space"], match["text"]):
        return Marker("bullet", f"bullet{match['number']}", match["number"], match["text"])
    if is_capitals(text) and len(text.split()) <= 20 and not is_separator(text):
        return Marker("caps", "caps", "", text)
    return None


def _bullet_text(space: str, text: str) -> bool:
    """After a bullet comes text: after a space, or a letter right away ("-Tăng cường"), never
    another bullet character ("---")."""
    return bool(text) and text[0] not in BULLETS and bool(space or text[0].isalpha())


def _opens_text(whole: str, match: re.Match[str]) -> bool:
    """After "1." or "I." comes a space, or a capital letter ("1.Tăng cường")."""
    rest = match["text"]
    return bool(rest) and (whole[match.end("punct")].isspace() or rest[0].isupper())


def ends_sentence(line: str) -> bool:
    """Does the line end with a sentence's end (".", "!", "?", "…", "./")?"""
    stripped = line.rstrip().rstrip("”\"')»")
    return stripped.endswith((".", "!", "?", "…", "./", "/."))


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph: split after ".", "!", "?" or "…" and before a capital letter,
    not after an abbreviation ("TP.") or a lone letter."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        following = text[match.end():match.end() + 2]
        if not _first_letter(following).isupper():
            continue
        words = text[start:match.start()].split()
        last_word = words[-1].strip("“”\"'(") if words else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_columns(line: str) -> list[str]:
    """The pieces of a line whose columns were flattened with runs of spaces, tabs or "|"."""
    return [collapse(piece) for piece in _COLUMN_GAP_RE.split(line) if piece.strip()]


def join_wrapped_lines(text: str) -> list[str]:
    """Paragraphs of `text`, its hard line breaks (from PDF extraction) joined back.

    A text is hard-wrapped when it has some lines, its long lines are 50 to 100 characters
    and none is much longer than the others; then a line
    goes on in the next one unless the next opens a block (a marker, "Căn cứ", "Trên đây",
    "Nơi nhận", a heading in capitals), or the line ends a heading, a sentence or ":", or it is
    shorter than the wrap width and the next starts with a capital. Otherwise every line is a
    paragraph, except a line starting with a small letter after a line that ends no sentence.
    A word split by a hyphen at the line end is joined without a space ("114-" + "KL/TW").
    Lines holding only a page number ("2", "- 2 -") are left out.
    """
    lines = [collapse(line) for line in text.splitlines()]
    lines = [line for line in lines if line and not _PAGE_NUMBER_RE.fullmatch(line)]
    if not lines:
        return []
    width = _wrap_width(lines)
    paragraphs = [[lines[0]]]  # each paragraph's pieces, joined once at the end (linear in the text)
    for previous, line in itertools.pairwise(lines):
        if _breaks(previous, line, width):
            paragraphs.append([line])
        elif previous.endswith("-") and not previous.endswith(" -") and len(previous) > 1:
            paragraphs[-1].append(line)
        else:
            paragraphs[-1].append(" " + line)
    return ["".join(pieces) for pieces in paragraphs]


def _wrap_width(lines: list[str]) -> int | None:
    """The width a hard-wrapped text was wrapped at (its 90th percentile line length), or None
    when its lines are paragraphs: then some lines run well past that length."""
    lengths = sorted(len(line) for line in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    overlong = sum(length > _OVERLONG * width for length in lengths)
    wrapped = _WRAPPED_MIN_WIDTH <= width <= _WRAPPED_MAX_WIDTH and len(lengths) >= _WRAPPED_MIN_LINES
    return width if wrapped and overlong <= len(lengths) // 100 else None


def _breaks(previous: str, line: str, width: int | None) -> bool:
    """Does `line` start a new paragraph after `previous`?"""
    line_caps, previous_caps = is_capitals(line), is_capitals(previous)
    if width and line_caps and previous_caps and len(previous) >= _FULL_LINE * width and not ends_sentence(previous):
        return False  # a long heading in capitals wrapped over two lines
    if line_caps and _heading_goes_on(previous, line):
        return False
    marker = classify(line)
    if (marker is not None and marker.kind != "caps") or _STARTER_RE.match(line) or line_caps or previous_caps:
        return True
    starts_small = line[:1].islower()
    if previous.endswith((",", "(", "“")) or _last_word(previous) in _CONTINUATION_WORDS:
        return False  # a paragraph never ends mid-phrase: "… của UBND huyện," / "UBND xã …"
    if width is None:
        return not (starts_small and not ends_sentence(previous))
    if starts_small or line[:1].isdigit() or previous.endswith("-"):
        return False
    if ends_sentence(previous) or previous.endswith(":"):
        return True
    numbered = classify(previous) is not None
    return len(previous) < (0.9 if numbered else _FULL_LINE) * width


def _heading_goes_on(previous: str, line: str) -> bool:
    """Is `line` (in capitals, without a number) the rest of the numbered heading before it ("I. MỤC
    ĐÍCH," / "YÊU CẦU"; "III. TỔ CHỨC" / "THỰC HIỆN")? The heading stops mid-phrase, or the two lines
    make one of the usual headings."""
    heading = classify(previous)
    if heading is None or heading.is_bullet or heading.kind == "caps" or not is_capitals(heading.text):
        return False
    if classify(line) is None or ends_sentence(heading.text) or heading.text.endswith(":"):
        return False
    return (heading.text.endswith((",", "-", "–")) or _last_word(heading.text) in _CONTINUATION_WORDS
            or letters_only(f"{heading.text} {line}") in _WRAPPED_HEADINGS)


def _last_word(text: str) -> str:
    words = text.split()
    return words[-1].lower() if words else ""


def letters_only(text: str) -> str:
    """The letters of `text`, case-folded ("MỤC ĐÍCH, YÊU CẦU" -> "mụcđíchyêucầu"; "hoà" as "hòa")."""
    return "".join(c for c in text.casefold() if c.isalpha()).replace("hoà", "hòa")


# --- legal bases ("Căn cứ …") -----------------------------------------------------------------------


def is_legal_basis(paragraph: str) -> bool:
    """Does the paragraph start with "Căn cứ" (after a bullet, if any)?"""
    return _BASIS_RE.fullmatch(paragraph.strip()) is not None


def legal_bases_of(paragraph: str) -> tuple[list[str], bool]:
    """The documents a "Căn cứ …" paragraph cites ([] for another paragraph), and whether it
    runs on into the preamble ("Căn cứ … mới. UBND phường xây dựng Kế hoạch như sau:"). A paragraph of
    the front that carries a document out ("Thực hiện Kế hoạch số 25/KH-UBND …") cites it too, and stays
    in the preamble as written."""
    match = _BASIS_RE.fullmatch(paragraph.strip())
    if match is None:
        carried_out = _CARRIED_OUT_RE.fullmatch(paragraph.strip())
        if carried_out is None:
            return [], False
        # The document, up to the end of its sentence, a ";" or the subject after it ("…, UBND phường …").
        text = split_sentences(carried_out["basis"])[0]
        cuts = [m.start() for m in re.finditer(r"([,;])\s+(\w)", text) if m.group(1) == ";" or m.group(2).isupper()]
        return [_bare_basis(text[: cuts[0]] if cuts else text)], True
    text = match["basis"]
    sentences = split_sentences(text)
    if len(sentences) > 1:
        return [_bare_basis(sentences[0])], True
    if text.endswith(":"):
        # "Căn cứ …, UBND phường xây dựng Kế hoạch như sau:": the basis ends at the last comma
        # before a word with a capital (the subject).
        cuts = [m.start() for m in re.finditer(r",\s+(\w)", text) if m.group(1).isupper()]
        return [_bare_basis(text[: cuts[-1]] if cuts else text)], True
    parts = re.split(r";\s*(?=(?:Căn cứ|CĂN CỨ)\b)", text)
    return [basis for basis in (_bare_basis(part) for part in parts) if basis], False


def _bare_basis(text: str) -> str:
    """The cited document: without "Căn cứ" and the final punctuation."""
    return _BASIS_WORDS_RE.sub("", text.strip(), count=1).rstrip(" ;,.:")


_ROMAN_NUMERALS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


def roman(value: int) -> str:
    """`value` in Roman numerals (4 → "IV"), as documents number their parts."""
    out = ""
    for amount, numeral in _ROMAN_NUMERALS:
        count, value = divmod(value, amount)
        out += numeral * count
    return out
