"""The tables the parent unit downloads: the rollup, the overdue list and each register, as rows for
app/exports.py (headers in Vietnamese; the petitioner's identity masked unless it may be shown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.exports import ExportColumn
from app.law.book import LegalBook
from app.models import Petition, Unit
from app.petitions import services as petitions
from app.petitions.deadlines import deadline_of
from app.records import services as records
from app.records.registers import REGISTERS, Register
from app.rollups.services import TASK_KIND, OverdueItem, WardRollup
from app.vocabulary import (
    PETITION_KIND_LABELS,
    PETITION_STATUS_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)

PETITIONS = "petitions"
REGISTER_NAMES = (*(r.name for r in REGISTERS), PETITIONS)
NO_REPORT = "—"  # a ward with no standing to show

ROLLUP_COLUMNS = (
    ExportColumn(_l("Mã đơn vị"), width=10),
    ExportColumn(_l("Phường, xã"), width=24),
    ExportColumn(_l("Kế hoạch"), width=14),
    ExportColumn(_l("Nhiệm vụ"), "number", 10),
    ExportColumn(_l("Nhiệm vụ hoàn thành"), "number", 12),
    ExportColumn(_l("Tỷ lệ hoàn thành (%)"), "percent", 12),
    ExportColumn(_l("Nhiệm vụ quá hạn"), "number", 12),
    ExportColumn(_l("Buổi tiếp công dân"), "number", 12),
    ExportColumn(_l("Số buổi phải tiếp"), "number", 12),
    ExportColumn(_l("Đối thoại"), "number", 10),
    ExportColumn(_l("Đơn thư tiếp nhận"), "number", 12),
    ExportColumn(_l("Đơn đã giải quyết"), "number", 12),
    ExportColumn(_l("Giải quyết đúng hạn"), "number", 12),
    ExportColumn(_l("Tỷ lệ đúng hạn (%)"), "percent", 12),
    ExportColumn(_l("Mô hình “Dân vận khéo”"), "number", 14),
    ExportColumn(_l("Tin, bài tuyên truyền"), "number", 12),
    ExportColumn(_l("Báo cáo"), width=10),
)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def rollup_rows(
    rows: Sequence[WardRollup], total: WardRollup, reports: Mapping[int, str] | None = None
) -> list[list[Any]]:
    """The rollup table as export rows; `reports` is each ward's report standing, already in words."""
    reports = reports or {}

    def line(row: WardRollup) -> list[Any]:
        if row.unit is None:
            head = ["", str(_l("Tổng cộng")), ""]
        else:
            head = [row.unit.code, row.unit.name,
                    str(STATUS_LABELS[row.plan_status]) if row.plan_status else str(_l("Chưa có kế hoạch"))]
        return [*head, *(_number(row.value(k)) for k in (
            "tasks_total", "tasks_done", "tasks_done_percent", "tasks_overdue", "receptions_held",
            "receptions_required", "dialogues", "petitions_received", "petitions_resolved", "petitions_on_time",
            "on_time_percent", "models", "posts")), reports.get(row.unit.id, NO_REPORT) if row.unit else ""]

    return [*(line(r) for r in rows), line(total)]


OVERDUE_COLUMNS = (
    ExportColumn(_l("Phường, xã"), width=22),
    ExportColumn(_l("Loại"), width=14),
    ExportColumn(_l("Nội dung"), width=60),
    ExportColumn(_l("Người phụ trách"), width=28),
    ExportColumn(_l("Hạn"), "date", 12),
    ExportColumn(_l("Số ngày quá hạn"), "number", 12),
)


def kind_label(kind: str) -> Any:
    if kind == TASK_KIND:
        return _l("Nhiệm vụ")
    return PETITION_KIND_LABELS.get(kind, kind)  # type: ignore[call-overload]


def overdue_rows(items: Sequence[OverdueItem]) -> list[list[Any]]:
    return [
        [item.unit.name, str(kind_label(item.kind)), item.title,
         str(ROLE_LABELS[item.owner_role]) if item.owner_role else item.handler,
         item.due_on, item.days_late]
        for item in items
    ]


# --- registers --------------------------------------------------------------------------------


def register_named(name: str) -> Register | None:
    return next((r for r in REGISTERS if r.name == name), None)


def register_columns(register: Register) -> tuple[ExportColumn, ...]:
    kinds = {"date": "date", "number": "number"}
    return tuple(ExportColumn(c.label, kinds.get(c.kind, "text"), 12 if c.kind in ("date", "number") else None)
                 for c in register.columns)


def register_rows(session: Session, unit: Unit, register: Register, *, year: int | None, query: str,
                  enum_value: str | None, period: Any) -> list[list[Any]]:
    """Every row the register's list shows for these filters (all pages), newest first."""
    # The list's own filter, so the export and the list never disagree about what matches.
    statement: Select = records._filtered(register, unit, year, query, enum_value, period)
    order = getattr(register.model, register.date_attr)
    rows = []
    for item in session.scalars(statement.order_by(order.desc(), register.model.id.desc())):
        line = []
        for column in register.columns:
            value = getattr(item, column.attr)
            if column.labels is not None and value is not None:
                value = str(column.labels.get(value, value))
            line.append(value)
        rows.append(line)
    return rows


PETITION_COLUMNS = (
    ExportColumn(_l("Ngày tiếp nhận"), "date", 12),
    ExportColumn(_l("Loại đơn"), width=14),
    ExportColumn(_l("Nguồn đơn"), width=16),
    ExportColumn(_l("Người gửi đơn"), width=22),
    ExportColumn(_l("Địa chỉ"), width=24),
    ExportColumn(_l("Liên hệ"), width=16),
    ExportColumn(_l("Nội dung"), width=50),
    ExportColumn(_l("Người xử lý"), width=18),
    ExportColumn(_l("Trạng thái"), width=16),
    ExportColumn(_l("Hạn xử lý"), "date", 12),
    ExportColumn(_l("Quá hạn"), width=10),
    ExportColumn(_l("Ngày kết thúc"), "date", 12),
    ExportColumn(_l("Kết quả giải quyết"), width=40),
)


def petition_rows(session: Session, unit: Unit, filters: petitions.Filters, *, book: LegalBook, today: date,
                  show_identity: bool) -> tuple[list[Petition], list[list[Any]]]:
    """(the petitions, their rows) as the register lists them, the identity masked unless shown."""
    statement = petitions._filtered(unit, filters).order_by(Petition.received_on.desc(), Petition.id.desc())
    found = list(session.scalars(statement))
    counts = petitions.extension_counts(session, unit)
    rows = []
    kept = []
    for petition in found:
        deadline = deadline_of(petition, book, today, counts.get(petition.id, 0))
        if filters.overdue and not (deadline and deadline.overdue):
            continue
        who = petitions.identity_of(petition, show_identity)
        kept.append(petition)
        rows.append([
            petition.received_on, str(PETITION_KIND_LABELS[petition.kind]), petition.source, who.name, who.address,
            who.contact, petition.summary, petition.handler, str(PETITION_STATUS_LABELS[petition.status]),
            deadline.due_on if deadline else None, bool(deadline and deadline.overdue), petition.closed_on,
            petition.resolution,
        ])
    return kept, rows
