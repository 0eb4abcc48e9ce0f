"""What a notification says, in the reader's language, from its kind and the words it keeps."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from app.models import Notification, NotificationKind, ReportKind, Role
from app.reports.services import KIND_LABELS as REPORT_KIND_LABELS
from app.vocabulary import ROLE_LABELS, vn_date

# The groups the notifications page filters by.
GROUPS = {
    "petitions": (NotificationKind.PETITION_DUE, NotificationKind.PETITION_OVERDUE),
    "tasks": (NotificationKind.TASK_DUE, NotificationKind.TASK_OVERDUE),
    "reports": (NotificationKind.REPORT_DUE, NotificationKind.REPORT_LATE, NotificationKind.WARD_REPORT_LATE,
                NotificationKind.REPORT_RETURNED, NotificationKind.REPORT_ACKNOWLEDGED),
    "receptions": (NotificationKind.NO_RECEPTION, NotificationKind.NO_DIALOGUE),
    "plans": (NotificationKind.PLAN_SUBMITTED, NotificationKind.PLAN_RETURNED, NotificationKind.PLAN_ISSUED,
              NotificationKind.PROPOSAL_RECEIVED),
    "supervision": (NotificationKind.REPORT_SENT,),
    "account": (NotificationKind.ROLE_GIVEN,),
}
DELIVERY_LABELS = {
    "app": _l("Chỉ trong ứng dụng"),
    "digest": _l("Thư tổng hợp buổi sáng"),
    "immediate": _l("Thư ngay khi có"),
}
GROUP_LABELS = {
    "petitions": _l("Đơn thư"),
    "tasks": _l("Nhiệm vụ"),
    "reports": _l("Báo cáo"),
    "receptions": _l("Tiếp công dân, đối thoại"),
    "plans": _l("Kế hoạch"),
    "supervision": _l("Giám sát: kế hoạch ban hành, báo cáo đã gửi (Mặt trận)"),
    "account": _l("Tài khoản, vai trò"),
}


def _report(words: dict[str, object]) -> object:
    kind = str(words.get("report", ""))
    try:
        return REPORT_KIND_LABELS[ReportKind(kind)]
    except ValueError:
        return kind


def message(n: Notification) -> object:
    """The sentence the person reads."""
    w = n.words or {}
    due = vn_date(n.due_on) if n.due_on else ""
    kind = NotificationKind(n.kind)
    if kind == NotificationKind.PETITION_DUE:
        return _l("Đơn thư “%(summary)s” đến hạn giải quyết ngày %(due)s.", summary=w.get("summary", ""), due=due)
    if kind == NotificationKind.PETITION_OVERDUE:
        return _l("Đơn thư “%(summary)s” đã quá hạn giải quyết từ ngày %(due)s.", summary=w.get("summary", ""),
                  due=due)
    if kind == NotificationKind.TASK_DUE:
        return _l("Nhiệm vụ “%(task)s” đến hạn trong tuần này (%(due)s).", task=w.get("task", ""), due=due)
    if kind == NotificationKind.TASK_OVERDUE:
        return _l("Nhiệm vụ “%(task)s” đã quá hạn từ ngày %(due)s.", task=w.get("task", ""), due=due)
    if kind == NotificationKind.REPORT_DUE:
        return _l("Báo cáo %(report)s năm %(year)s đến hạn gửi ngày %(due)s.", report=_report(w), year=w.get("year"),
                  due=due)
    if kind == NotificationKind.REPORT_LATE:
        return _l("Báo cáo %(report)s năm %(year)s đã quá hạn gửi (%(due)s).", report=_report(w), year=w.get("year"),
                  due=due)
    if kind == NotificationKind.WARD_REPORT_LATE:
        return _l("%(unit)s chưa gửi báo cáo %(report)s năm %(year)s, hạn %(due)s.", unit=w.get("unit", ""),
                  report=_report(w), year=w.get("year"), due=due)
    if kind == NotificationKind.REPORT_RETURNED:
        return _l("Báo cáo “%(title)s” bị cấp trên trả lại.", title=w.get("title") or _report(w))
    if kind == NotificationKind.REPORT_ACKNOWLEDGED:
        return _l("Cấp trên đã tiếp nhận báo cáo “%(title)s”.", title=w.get("title") or _report(w))
    if kind == NotificationKind.NO_RECEPTION:
        week = date.fromisoformat(str(w.get("week")))
        return _l("Tuần từ %(day)s chưa có buổi tiếp công dân nào.", day=vn_date(week))
    if kind == NotificationKind.NO_DIALOGUE:
        return _l("Đến 01/10 mà năm %(year)s chưa tổ chức đối thoại với Nhân dân.", year=w.get("year"))
    if kind == NotificationKind.PLAN_SUBMITTED:
        return _l("Kế hoạch năm %(year)s đã được trình, chờ Chủ tịch ban hành.", year=w.get("year"))
    if kind == NotificationKind.PLAN_RETURNED:
        return _l("Kế hoạch năm %(year)s bị trả lại để chỉnh sửa.", year=w.get("year"))
    if kind == NotificationKind.ROLE_GIVEN:
        role = str(w.get("role", ""))
        label = ROLE_LABELS[Role(role)] if role in {r.value for r in Role} else role
        return _l("Bạn được giao vai trò %(role)s tại %(unit)s.", role=label, unit=w.get("unit", ""))
    if kind == NotificationKind.REPORT_SENT:
        return _l("%(unit)s đã gửi báo cáo “%(title)s” lên cấp trên.", unit=w.get("unit", ""), title=w.get("title", ""))
    if kind == NotificationKind.PROPOSAL_RECEIVED:
        return _l("Cấp trên đã đề xuất cập nhật kế hoạch năm %(year)s theo mẫu mới; hãy xem và quyết định.",
                  year=w.get("year"))
    return _l("Kế hoạch năm %(year)s đã được ban hành.", year=w.get("year"))
