"""Display names of the domain's words (roles, schedules, statuses) and date formatting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.models import PlanStatus, Role, Schedule, UnitKind

ROLE_LABELS = {
    Role.CHAIRMAN: _l("Chủ tịch UBND"),
    Role.OFFICE: _l("Công chức Văn phòng - Thống kê"),
    Role.CULTURE: _l("Công chức Văn hóa - Xã hội"),
    Role.TOWN_ADMIN: _l("UBND cấp trên"),
    Role.FRONT: _l("Mặt trận Tổ quốc"),
}
# Roles that can own a task in a ward plan.
TASK_OWNER_ROLES = (Role.CHAIRMAN, Role.OFFICE, Role.CULTURE)

SCHEDULE_LABELS = {
    Schedule.ONCE: _l("Một lần"),
    Schedule.MONTHLY: _l("Hằng tháng"),
    Schedule.QUARTERLY: _l("Hằng quý"),
    Schedule.ONGOING: _l("Thường xuyên"),
}

STATUS_LABELS = {
    PlanStatus.DRAFT: _l("Dự thảo"),
    PlanStatus.SUBMITTED: _l("Đã trình"),
    PlanStatus.ISSUED: _l("Đã ban hành"),
}

KIND_LABELS = {
    UnitKind.PROVINCE: _l("Tỉnh"),
    UnitKind.TOWN: _l("Thị xã"),
    UnitKind.WARD: _l("Phường"),
    UnitKind.COMMUNE: _l("Xã"),
}

ACTION_LABELS = {
    "create": _l("Tạo mới"),
    "update": _l("Sửa"),
    "delete": _l("Xóa"),
    "plan.submit": _l("Trình kế hoạch"),
    "plan.issue": _l("Ban hành kế hoạch"),
    "plan.return": _l("Trả lại dự thảo"),
    "plan.reopen": _l("Mở lại kế hoạch đã ban hành"),
}

OBJECT_LABELS = {
    "Plan": _l("Kế hoạch"),
    "PlanSection": _l("Mục"),
    "Task": _l("Nhiệm vụ"),
    "Membership": _l("Vai trò của tài khoản"),
}

FIELD_LABELS = {
    "text": _l("Nội dung"),
    "title": _l("Tiêu đề"),
    "body": _l("Nội dung"),
    "number": _l("Số"),
    "owner_role": _l("Người phụ trách"),
    "schedule": _l("Tần suất"),
    "position": _l("Thứ tự"),
    "status": _l("Trạng thái"),
    "issued_on": _l("Ngày ban hành"),
    "signer_name": _l("Người ký"),
    "role": _l("Vai trò"),
}


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (with hh:mm for datetimes), or an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def template_globals() -> dict[str, Any]:
    from app.security import can

    return {
        "can": can,
        "get_locale": get_locale,
        "current_unit": g.get("unit"),
        "ROLE_LABELS": ROLE_LABELS,
        "SCHEDULE_LABELS": SCHEDULE_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "ACTION_LABELS": ACTION_LABELS,
        "OBJECT_LABELS": OBJECT_LABELS,
        "FIELD_LABELS": FIELD_LABELS,
    }
