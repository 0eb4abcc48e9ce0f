"""The frame of an administrative document (Nghị định 30/2020/NĐ-CP) around a plan's text: the
header (issuing body, national motto, "Số: …", place and date), the heading line ("KẾ HOẠCH")
and the signature block ("Nơi nhận:" and recipients, the signer's title and name), read from
lines whose two columns may have been flattened into one (pieces split at tabs or 3+ spaces).
"""

from __future__ import annotations

import re
from datetime import date

from app.documents.plan_lines import (
    classify,
    collapse,
    is_capitals,
    is_separator,
    letters_only,
    split_columns,
)
from app.documents.plan_parsed import ParsedPlan

__all__ = ["find_heading", "find_tail", "header_end", "read_header", "read_tail"]

_DOCUMENT_TYPES = (
    "KẾ HOẠCH|CHƯƠNG TRÌNH|PHƯƠNG ÁN|ĐỀ ÁN|BÁO CÁO|HƯỚNG DẪN|QUYẾT ĐỊNH|THÔNG BÁO|NGHỊ QUYẾT|"
    "CHỈ THỊ|QUY CHẾ|TỜ TRÌNH|CÔNG VĂN"
)
_HEADING_RE = re.compile(rf"(?P<heading>{_DOCUMENT_TYPES})(?![^\W\d_])\s*(?P<rest>.*)")
_NUMBER_RE = re.compile(r"Số\s*:?\s*(?P<number>.*)", re.IGNORECASE)
_PLACE_DATE_RE = re.compile(
    r"(?P<place>[^,\d]{2,40}?),?\s+ngày\s+(?P<day>\S+)\s+tháng\s+(?P<month>\S+)\s+năm\s+(?P<year>\d{4})\.?",
    re.IGNORECASE,
)
# Where the right column starts inside a line flattened with single spaces: the national motto.
_MOTTO_START_RE = re.compile(r"\s+(?=C[ỘO]NG(?:\s+H[OÒ][AÀ]\b|\s*$)|Độc lập\b|ĐỘC LẬP\b)")
# "12/KH-UBND" (or "12 /KH-UBND") and what follows it on the line.
_NUMBER_PARTS_RE = re.compile(r"(?P<number>[^\s/]*\s*/\s*\S+|\S+)\s*(?P<rest>.*)")
_MOTTO_LETTERS = "cộnghòaxãhộichủnghĩaviệtnam"
# A date cut at a line break: "An Phú, ngày 16" (or "… ngày 16 tháng 01"), then "tháng 01 năm 2025" (or "năm 2025").
_DATE_START_RE = re.compile(r"\bngày(?:\s+\d{1,2})?(?:\s+tháng(?:\s+\d{1,2})?)?(?:\s+năm)?\s*$", re.IGNORECASE)
_DATE_REST_RE = re.compile(r"(?:\d{1,2}\s+)?(?:tháng|năm)\b|\d{1,4}\.?$", re.IGNORECASE)
_MARKS_RE = re.compile(r"DỰ THẢO|MẬT|TỐI MẬT|TUYỆT MẬT|KHẨN|THƯỢNG KHẨN|HỎA TỐC|HOẢ TỐC")
_RECIPIENTS_RE = re.compile(r"Nơi nhận\s*:?\s*(?P<rest>.*)", re.IGNORECASE)
_SIGNER_START_RE = re.compile(r"(?:(?:TM|KT|TL|TUQ|Q)\.\s*\S.*|(?:PHÓ\s+)?CHỦ TỊCH)")
_ON_BEHALF_OF_UBND_RE = re.compile(r"TM\.?\s*(?:ỦY|UỶ|UBND)")
_MAX_HEADER_LINES = 12


def find_heading(lines: list[str]) -> tuple[int, re.Match[str]] | None:
    """The line naming the document type in capitals ("KẾ HOẠCH"), before any numbered part."""
    for index, line in enumerate(lines):
        text = collapse(line)
        if match := _HEADING_RE.fullmatch(text):
            return index, match
        marker = classify(text)
        if marker is not None and marker.kind in ("part", "roman", "upper"):
            return None
    return None


def header_end(lines: list[str]) -> int:
    """Without a heading line: the end of the leading lines that hold header pieces."""
    end, seen = 0, 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > _MAX_HEADER_LINES:
            break
        if any(_header_piece(piece) for piece in split_columns(line)):
            end = index + 1
    return end


def _header_piece(piece: str) -> bool:
    return _is_motto(piece) or _NUMBER_RE.fullmatch(piece) is not None or _PLACE_DATE_RE.fullmatch(piece) is not None


def find_tail(lines: list[str], start: int) -> int:
    """The first line of the signature block ("Nơi nhận:" or the signer's title), else the end."""
    for index in range(start, len(lines)):
        pieces = split_columns(lines[index])
        if pieces and (_RECIPIENTS_RE.fullmatch(pieces[0]) or any(_SIGNER_START_RE.fullmatch(p) for p in pieces)):
            return index
    return len(lines)


# --- header, then the signature block ----------------------------------------------------------------------------------------


def _is_motto(piece: str) -> bool:
    """The national motto, or a piece of its first line cut off by a line break ("CỘNG", "HÒA XÃ HỘI …")."""
    letters = letters_only(piece)
    return ("xãhộichủnghĩaviệtnam" in letters or ("độclập" in letters and "hạnhphúc" in letters)
            or (len(letters) >= 4 and letters in _MOTTO_LETTERS))


def read_header(lines: list[str], plan: ParsedPlan) -> None:
    for piece in _header_pieces(lines):
        _read_header_piece(piece, plan)


def _header_pieces(lines: list[str]) -> list[str]:
    """The header's pieces in reading order, put back together where a PDF's extraction cut them: the
    two columns flattened into one line with single spaces ("UBND XÃ AN PHÚ CỘNG HÒA XÃ HỘI …",
    "Số: 12/KH-UBND An Phú, ngày 16 …"), and a date broken over two lines ("An Phú, ngày 16" /
    "tháng 01 năm 2025")."""
    pieces: list[str] = []
    for line in lines:
        for piece in split_columns(line):
            pieces.extend(part for part in _MOTTO_START_RE.split(piece) if part.strip())
    joined: list[str] = []
    for piece in pieces:
        if joined and _DATE_START_RE.search(joined[-1]) and not _PLACE_DATE_RE.fullmatch(joined[-1]) \
                and _DATE_REST_RE.match(piece):
            joined[-1] += " " + piece
        else:
            joined.append(piece)
    return [piece.strip() for piece in joined]


def _read_header_piece(piece: str, plan: ParsedPlan) -> None:
    if is_separator(piece) or _is_motto(piece):
        return
    if match := _NUMBER_RE.fullmatch(piece):
        # "Số: 12/KH-UBND", or the place and date after it on the same line ("Số: 12/KH-UBND An Phú, ngày …").
        parts = _NUMBER_PARTS_RE.fullmatch(match["number"].strip())
        number = "".join(parts["number"].split()) if parts else ""
        plan.number = number if any(c.isdigit() for c in number) else None
        if parts and parts["rest"]:
            _read_header_piece(parts["rest"], plan)
    elif match := _PLACE_DATE_RE.fullmatch(piece):
        plan.place = match["place"].strip()
        plan.year = int(match["year"])
        plan.issued_on = _date(match["day"], match["month"], plan.year)
    elif is_capitals(piece) and not _MARKS_RE.fullmatch(piece):
        plan.issuer.append(piece)
    else:
        plan.unplaced.append(piece)


def _date(day: str, month: str, year: int) -> date | None:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


def read_tail(lines: list[str], plan: ParsedPlan) -> None:
    """Recipients, the signer's title lines and name; anything else to `unplaced`."""
    titles: list[str] = []
    names: list[str] = []
    for piece in (piece for line in lines for piece in split_columns(line)):
        if match := _RECIPIENTS_RE.fullmatch(piece):
            piece = match["rest"].strip()
            if not piece:
                continue
        marker = classify(piece)
        if marker is not None and marker.is_bullet:
            plan.recipients.append(marker.text)
        elif _continues_recipient(plan.recipients, piece):
            plan.recipients[-1] += " " + piece
        elif is_capitals(piece):
            if not _ON_BEHALF_OF_UBND_RE.match(piece):
                titles.append(piece)
        elif _is_name(piece):
            names.append(piece)
        else:
            plan.unplaced.append(piece)
    plan.signer_title = "\n".join(titles)
    if names:
        plan.signer_name = names[-1]
        plan.unplaced.extend(names[:-1])


def _continues_recipient(recipients: list[str], piece: str) -> bool:
    """A wrapped recipient line: the last recipient has no final ";" and this goes on in
    small letters or with a bracket ("(để b/c);")."""
    if not recipients or recipients[-1].endswith((";", ".")):
        return False
    return piece[:1].islower() or piece.startswith("(")


def _is_name(piece: str) -> bool:
    """A person's name: two to six capitalised words of letters ("Nguyễn Xuân Lâm")."""
    words = piece.split()
    return 2 <= len(words) <= 6 and all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)
