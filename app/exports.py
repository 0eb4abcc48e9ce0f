"""Tables as Excel (.xlsx, Vietnamese headers, column widths, dates dd/mm/yyyy) or CSV (UTF-8 with
a BOM so that Excel opens Vietnamese text right), and the download response carrying either."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Response
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
DATE_FORMAT = "DD/MM/YYYY"
MAX_WIDTH = 60
# Excel treats a cell starting with one of these as a formula: a petition summary must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES, NO = _l("Có"), _l("Không")


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: its header (lazy text is fine), kind (text, number, date, percent) and width."""

    label: Any
    kind: str = "text"
    width: int | None = None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _safe(text: str) -> str:
    """A cell a spreadsheet will never run as a formula, even after leading spaces (" =cmd|…")."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell_value(value: Any) -> Any:
    """What goes into an Excel cell: numbers and dates stay themselves, the rest becomes text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, date)):
        return value
    # Excel refuses control characters (Word's manual line break \x0b, for one) in a cell.
    return ILLEGAL_CHARACTERS_RE.sub("", _safe(_text(value)))


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        rounded = round(value, 1)
        return str(int(rounded)) if rounded.is_integer() else str(rounded)
    return _safe(_text(value))


def _width(column: ExportColumn, values: Iterable[Any]) -> int:
    if column.width:
        return column.width
    longest = max([len(_text(column.label)), *(len(_csv_value(v)) for v in values)], default=8)
    return max(8, min(MAX_WIDTH, longest + 2))


def xlsx_bytes(title: str, columns: Sequence[ExportColumn], rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet: a bold header row (frozen), then the rows; dates shown dd/mm/yyyy."""
    book = Workbook()
    sheet = book.worksheets[0]  # the one sheet a new workbook has (its active one)
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"
    sheet.append([_text(c.label) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append([_cell_value(v) for v in row])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column, (row[index - 1] for row in rows))
        if column.kind == "date":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = DATE_FORMAT
        elif column.kind == "percent":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(columns: Sequence[ExportColumn], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte order mark, comma separated, CRLF line ends (what Excel expects)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_text(c.label) for c in columns])
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def ascii_filename(name: str) -> str:
    """"Tổng hợp 2025" → "tong-hop-2025" (a file name every browser and mail client keeps)."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "export"


def download(fmt: str, filename: str, title: str, columns: Sequence[ExportColumn],
             rows: Sequence[Sequence[Any]]) -> Response:
    """The table as an attachment in `fmt` (xlsx or csv); `filename` without its extension."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = [list(row) for row in rows]
    if fmt == "xlsx":
        body, mimetype = xlsx_bytes(title, columns, rows), XLSX_TYPE
    else:
        body, mimetype = csv_bytes(columns, rows), CSV_TYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{ascii_filename(filename)}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"  # may hold confidential data
    return response
