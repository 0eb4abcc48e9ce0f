"""Display names of the domain's words (roles, schedules, statuses) and date formatting."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask import g
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from app.local_time import WARD_ZONE
from app.models import (
    MeetingKind,
    ModelField,
    ModelStatus,
    PetitionKind,
    PetitionStatus,
    PlanStatus,
    PostChannel,
    ProgressStatus,
    ProposalStatus,
    Role,
    Schedule,
    UnitChangeKind,
    UnitKind,
)

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
    UnitKind.CITY: _l("Thành phố"),
    UnitKind.TOWN: _l("Thị xã"),
    UnitKind.WARD: _l("Phường"),
    UnitKind.COMMUNE: _l("Xã"),
    UnitKind.SPECIAL_ZONE: _l("Đặc khu"),
}

CHANGE_LABELS = {
    UnitChangeKind.MERGE: _l("Sáp nhập"),
    UnitChangeKind.SPLIT: _l("Chia tách"),
    UnitChangeKind.REPARENT: _l("Chuyển đơn vị cấp trên"),
    UnitChangeKind.DISSOLVE: _l("Giải thể"),
}

ACTION_LABELS = {
    "unit.merge": _l("Sáp nhập đơn vị"),
    "unit.split": _l("Chia tách đơn vị"),
    "unit.reparent": _l("Chuyển đơn vị cấp trên"),
    "unit.dissolve": _l("Giải thể đơn vị"),
    "unit.export": _l("Xuất dữ liệu đơn vị"),
    "membership.grant": _l("Giao vai trò"),
    "membership.role_change": _l("Đổi vai trò"),
    "membership.deactivate": _l("Khóa tài khoản"),
    "membership.reactivate": _l("Mở lại tài khoản"),
    "account.invited": _l("Mời tham gia"),
    "account.joined": _l("Nhận lời mời, tự đặt mật khẩu"),
    "account.profile": _l("Sửa thông tin cá nhân"),
    "account.password_changed": _l("Đổi mật khẩu"),
    "account.password_reset": _l("Đặt lại mật khẩu qua liên kết"),
    "account.reset_link": _l("Tạo liên kết đặt lại mật khẩu"),
    "account.two_factor_on": _l("Bật đăng nhập hai bước"),
    "account.two_factor_off": _l("Tắt đăng nhập hai bước"),
    "account.sessions_ended": _l("Đăng xuất khỏi các thiết bị khác"),
    "create": _l("Tạo mới"),
    "update": _l("Sửa"),
    "delete": _l("Xóa"),
    "plan.submit": _l("Trình kế hoạch"),
    "plan.issue": _l("Ban hành kế hoạch"),
    "plan.return": _l("Trả lại dự thảo"),
    "plan.reopen": _l("Mở lại kế hoạch đã ban hành"),
    "petition.identity_viewed": _l("Xem thông tin người gửi đơn"),
    "petition.status": _l("Chuyển trạng thái đơn"),
    "report.send": _l("Duyệt và gửi báo cáo lên cấp trên"),
    "report.acknowledge": _l("Cấp trên ghi nhận báo cáo"),
    "report.return": _l("Cấp trên trả lại báo cáo"),
    "template.publish": _l("Công bố mẫu kế hoạch"),
    "proposal.accept": _l("Chấp nhận thay đổi của mẫu"),
    "proposal.decline": _l("Từ chối thay đổi của mẫu"),
    "proposal.supersede": _l("Đề xuất được thay bằng phiên bản mẫu mới hơn"),
    "plan.import": _l("Nhập kế hoạch từ tệp"),
    "plan.rollover": _l("Lập kế hoạch năm sau"),
}

PROPOSAL_LABELS = {
    ProposalStatus.PENDING: _l("Chờ trả lời"),
    ProposalStatus.ACCEPTED: _l("Đã chấp nhận"),
    ProposalStatus.DECLINED: _l("Đã từ chối"),
    ProposalStatus.SUPERSEDED: _l("Thay bằng phiên bản mới hơn"),
}

# The document's own words a template revision may change (proposals to wards).
DOCUMENT_LABELS = {
    "title": _l("Tên kế hoạch"),
    "preamble": _l("Phần mở đầu"),
    "legal_bases": _l("Văn bản căn cứ"),
    "closing": _l("Phần kết"),
    "recipients": _l("Nơi nhận"),
}

PROGRESS_LABELS = {
    ProgressStatus.NOT_STARTED: _l("Chưa bắt đầu"),
    ProgressStatus.IN_PROGRESS: _l("Đang thực hiện"),
    ProgressStatus.DONE: _l("Hoàn thành"),
}

PETITION_KIND_LABELS = {
    PetitionKind.COMPLAINT: _l("Khiếu nại"),
    PetitionKind.DENUNCIATION: _l("Tố cáo"),
    PetitionKind.RECOMMENDATION: _l("Kiến nghị"),
    PetitionKind.FEEDBACK: _l("Phản ánh"),
}

PETITION_STATUS_LABELS = {
    PetitionStatus.RECEIVED: _l("Đã tiếp nhận"),
    PetitionStatus.CLASSIFIED: _l("Đã phân loại"),
    PetitionStatus.ACCEPTED: _l("Đã thụ lý"),
    PetitionStatus.IN_RESOLUTION: _l("Đang giải quyết"),
    PetitionStatus.RESOLVED: _l("Đã giải quyết"),
    PetitionStatus.WITHDRAWN: _l("Đã rút đơn"),
    PetitionStatus.TRANSFERRED: _l("Đã chuyển đơn"),
}

MODEL_FIELD_LABELS = {
    ModelField.ECONOMY: _l("Kinh tế"),
    ModelField.CULTURE_SOCIETY: _l("Văn hóa - xã hội"),
    ModelField.DEFENCE_SECURITY: _l("Quốc phòng - an ninh"),
    ModelField.POLITICAL_SYSTEM: _l("Xây dựng hệ thống chính trị"),
}

MODEL_STATUS_LABELS = {
    ModelStatus.REGISTERED: _l("Đăng ký"),
    ModelStatus.RECOGNISED: _l("Được công nhận"),
}

POST_CHANNEL_LABELS = {
    PostChannel.LOUDSPEAKER: _l("Loa truyền thanh"),
    PostChannel.PORTAL: _l("Cổng thông tin điện tử"),
    PostChannel.ZALO: _l("Zalo"),
    PostChannel.NOTICE_BOARD: _l("Bảng tin"),
    PostChannel.OTHER: _l("Khác"),
}

MEETING_KIND_LABELS = {
    MeetingKind.BRIEFING: _l("Hội nghị quán triệt"),
    MeetingKind.TRAINING: _l("Tập huấn"),
}

OBJECT_LABELS = {
    "Unit": _l("Đơn vị"),
    "Plan": _l("Kế hoạch"),
    "PlanSection": _l("Mục"),
    "Task": _l("Nhiệm vụ"),
    "Membership": _l("Vai trò của tài khoản"),
    "User": _l("Tài khoản"),
    "Reception": _l("Buổi tiếp công dân"),
    "Dialogue": _l("Buổi đối thoại"),
    "SkilfulModel": _l("Mô hình Dân vận khéo"),
    "Model": _l("Mô hình Dân vận khéo"),  # the class's name in entries written before 2026-12
    "Post": _l("Tin, bài tuyên truyền"),
    "Meeting": _l("Hội nghị, tập huấn"),
    "Petition": _l("Đơn thư"),
    "PetitionExtension": _l("Gia hạn giải quyết"),
    "TaskUpdate": _l("Cập nhật tiến độ"),
    "Evidence": _l("Tệp minh chứng"),
    "IndicatorDefinition": _l("Chỉ tiêu"),
    "IndicatorValue": _l("Số liệu chỉ tiêu"),
    "Report": _l("Báo cáo"),
    "PlanProposal": _l("Đề xuất thay đổi từ mẫu"),
}

FIELD_LABELS = {
    "ended_on": _l("Chấm dứt từ ngày"),
    "started_on": _l("Thành lập từ ngày"),
    "successor": _l("Đơn vị kế thừa"),
    "successor_id": _l("Đơn vị kế thừa"),
    "parent_id": _l("Đơn vị cấp trên"),
    "parent_since": _l("Trực thuộc từ ngày"),
    "official": _l("Theo danh mục chính thức"),
    "issuer_name": _l("Tên cơ quan ban hành"),
    "issuer_parent_name": _l("Tên cơ quan cấp trên"),
    "full_name": _l("Họ và tên"),
    "job_position": _l("Chức vụ"),
    "email": _l("Email"),
    "phone": _l("Số điện thoại"),
    "active": _l("Đang hoạt động"),
    "user_id": _l("Tài khoản"),
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
    "received_on": _l("Ngày nhận"),
    "kind": _l("Loại"),
    "source": _l("Nguồn đơn"),
    "petitioner_name": _l("Người gửi đơn"),
    "petitioner_address": _l("Địa chỉ người gửi"),
    "petitioner_contact": _l("Liên hệ người gửi"),
    "summary": _l("Tóm tắt nội dung"),
    "handler": _l("Người xử lý"),
    "resolution": _l("Kết quả giải quyết"),
    "percent": _l("Tỷ lệ hoàn thành"),
    "note": _l("Ghi chú"),
    "decided_by": _l("Người trả lời"),
    "template_revision": _l("Theo phiên bản"),
    "carried_over": _l("Nhiệm vụ này chưa hoàn thành trong kế hoạch năm trước"),
    # plans, sections, tasks and indicators
    "name": _l("Tên"),
    "code": _l("Mã"),
    "year": _l("Năm"),
    "revision": _l("Phiên bản"),
    "heading": _l("Tên loại văn bản"),
    "preamble": _l("Phần mở đầu"),
    "legal_bases": _l("Căn cứ"),
    "closing": _l("Phần kết"),
    "recipients": _l("Nơi nhận"),
    "signer_title": _l("Chức vụ người ký"),
    "style": _l("Cách đánh số"),
    "unit": _l("Đơn vị tính"),
    "target": _l("Chỉ tiêu"),
    "register": _l("Sổ theo dõi"),
    "measure": _l("Cách tính"),
    "filter": _l("Điều kiện lọc"),
    "task_keys": _l("Các nhiệm vụ liên quan"),
    "value": _l("Số liệu"),
    "period": _l("Kỳ báo cáo"),
    # registers
    "held_on": _l("Ngày tổ chức"),
    "host": _l("Người chủ trì"),
    "citizens": _l("Số lượt công dân"),
    "cases": _l("Số vụ việc"),
    "cases_raised": _l("Nội dung phản ánh, kiến nghị"),
    "topic": _l("Chủ đề"),
    "participants": _l("Số người dự"),
    "issues_raised": _l("Các vấn đề nêu ra"),
    "with_front": _l("Phối hợp với Mặt trận"),
    "field": _l("Lĩnh vực"),
    "description": _l("Mô tả"),
    "recognised_on": _l("Ngày công nhận"),
    "recognised_by": _l("Cơ quan công nhận"),
    "channel": _l("Kênh đăng tải"),
    "link": _l("Đường dẫn"),
    "published_on": _l("Ngày đăng"),
    "subject": _l("Nội dung"),
    "attendees": _l("Số người dự"),
    # petitions
    "classified_on": _l("Ngày phân loại"),
    "accepted_on": _l("Ngày thụ lý"),
    "closed_on": _l("Ngày kết thúc"),
    "complex_case": _l("Vụ việc phức tạp"),
    "very_complex": _l("Vụ việc đặc biệt phức tạp"),
    "remote_area": _l("Vùng sâu, vùng xa"),
    "second_resolution": _l("Giải quyết lần hai"),
    "mediated": _l("Đã hòa giải"),
    "above_level": _l("Vượt cấp"),
    "mass_complaint": _l("Đông người"),
    "decided_on": _l("Ngày quyết định"),
    "reason": _l("Lý do"),
    # progress and reports
    "reported_on": _l("Ngày báo cáo"),
    "period_start": _l("Kỳ (từ ngày)"),
    "due_on": _l("Hạn"),
    "results": _l("Kết quả thực hiện"),
    "strengths_shortcomings": _l("Ưu điểm, hạn chế và nguyên nhân"),
    "direction": _l("Phương hướng, nhiệm vụ kỳ tới"),
    "proposals": _l("Đề xuất, kiến nghị"),
    "review_comment": _l("Ý kiến của cấp trên"),
    "reviewed_on": _l("Ngày cấp trên xem"),
    "reviewed_by": _l("Người xem ở cấp trên"),
    "sent_on": _l("Ngày gửi"),
    "sent_by": _l("Người gửi"),
    # units and accounts
    "slug": _l("Địa chỉ trên web"),
    "username": _l("Tên đăng nhập"),
    "effective_on": _l("Có hiệu lực từ ngày"),
    "identities": _l("Danh tính người gửi đơn"),
    "count": _l("Số lượng tạo cùng lúc"),
}

# The sections of a report, in its order, as its page, its form and its Word file name them.
REPORT_SECTIONS = (
    ("results", _l("Kết quả thực hiện")),
    ("strengths_shortcomings", _l("Ưu điểm, hạn chế và nguyên nhân")),
    ("direction", _l("Phương hướng, nhiệm vụ kỳ tới")),
    ("proposals", _l("Đề xuất, kiến nghị")),
)

# Fields an audit entry may carry that mean nothing to a reader (links between rows, hashes, counters).
TECHNICAL_FIELDS = frozenset({"version", "is_template", "content_hash", "search_text", "frozen_indicators",
                              "password_hash", "secret_hash", "token_hash", "code_hash", "totp_secret"})

# How the value of a field is said, by (object type or None for any, field): the labels of its enum.
_VALUE_WORDS: dict[tuple[str | None, str], dict[Any, Any]] = {
    ("Plan", "status"): STATUS_LABELS,
    ("Petition", "status"): PETITION_STATUS_LABELS,
    ("Petition", "kind"): PETITION_KIND_LABELS,
    ("TaskUpdate", "status"): PROGRESS_LABELS,
    ("SkilfulModel", "field"): MODEL_FIELD_LABELS,
    ("Model", "field"): MODEL_FIELD_LABELS,
    ("SkilfulModel", "status"): MODEL_STATUS_LABELS,
    ("Model", "status"): MODEL_STATUS_LABELS,
    ("Post", "channel"): POST_CHANNEL_LABELS,
    ("Meeting", "kind"): MEETING_KIND_LABELS,
    ("Unit", "kind"): KIND_LABELS,
    (None, "owner_role"): ROLE_LABELS,
    (None, "role"): ROLE_LABELS,
    (None, "schedule"): SCHEDULE_LABELS,
}
# The same, keyed by the stored value ("draft"), as audit entries keep them.
_WORDS_BY_VALUE = {where: {getattr(key, "value", key): label for key, label in words.items()}
                   for where, words in _VALUE_WORDS.items()}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def audit_value(object_type: str, field_name: str, value: Any) -> str:
    """A value of an audit entry as the pages show it: an enum by its label, a date as dd/mm/yyyy, a
    time in Vietnam time, yes/no in words, a list joined; "—" for none."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("Có") if value else _l("Không"))
    words = _WORDS_BY_VALUE.get((object_type, field_name)) or _WORDS_BY_VALUE.get((None, field_name))
    if words is not None and isinstance(value, str) and value in words:
        return str(words[value])
    if field_name == "period" and isinstance(value, str):
        from app.periods import period_label

        return period_label(value)
    if isinstance(value, str) and _ISO_DAY.match(value):
        return vn_date(date.fromisoformat(value))
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return vn_date(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, list):
        return "; ".join(audit_value(object_type, field_name, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)


def audit_changes(object_type: str, changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field label, before, after) of an entry's changes, in words, without the technical fields."""
    shown = []
    for field_name, pair in (changes or {}).items():
        if field_name in TECHNICAL_FIELDS or field_name.endswith("_id"):  # a row's id says nothing to a reader
            continue
        before, after = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
        label = str(FIELD_LABELS.get(field_name, field_name))
        shown.append((label, audit_value(object_type, field_name, before), audit_value(object_type, field_name, after)))
    return shown


def number(value: float | int | None) -> str:
    """A figure as people write it in the reader's language: no ",0" on whole numbers, one decimal
    otherwise, thousands grouped ("61,1", "3.321" in Vietnamese; "61.1", "3,321" in English); "—" for none."""
    if value is None:
        return "—"
    return str(format_decimal(round(float(value), 1), format="#,##0.#"))


def percent(value: float | int | None) -> str:
    """A share in percent as Vietnamese writes it: "61,1 %" (a space that does not break before "%")."""
    return "—" if value is None else f"{number(value)}\u00a0%"


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (with hh:mm for datetimes), or an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # stored in UTC
        return moment.astimezone(WARD_ZONE).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def spoken(labels: dict[Any, Any]) -> dict[Any, str]:
    """`labels` translated once, for a page that shows them on thousands of rows."""
    return {key: str(label) for key, label in labels.items()}


def template_globals() -> dict[str, Any]:
    from app.security import can, supervising

    return {
        "can": can,
        "spoken": spoken,
        "REPORT_SECTIONS": REPORT_SECTIONS,
        "audit_changes": audit_changes,
        "supervising": supervising,
        "get_locale": get_locale,
        "current_unit": g.get("unit"),
        "ROLE_LABELS": ROLE_LABELS,
        "SCHEDULE_LABELS": SCHEDULE_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "CHANGE_LABELS": CHANGE_LABELS,
        "ACTION_LABELS": ACTION_LABELS,
        "OBJECT_LABELS": OBJECT_LABELS,
        "FIELD_LABELS": FIELD_LABELS,
        "PROGRESS_LABELS": PROGRESS_LABELS,
        "PROPOSAL_LABELS": PROPOSAL_LABELS,
        "DOCUMENT_LABELS": DOCUMENT_LABELS,
        "PETITION_KIND_LABELS": PETITION_KIND_LABELS,
        "PETITION_STATUS_LABELS": PETITION_STATUS_LABELS,
        "MODEL_FIELD_LABELS": MODEL_FIELD_LABELS,
        "MODEL_STATUS_LABELS": MODEL_STATUS_LABELS,
        "POST_CHANNEL_LABELS": POST_CHANNEL_LABELS,
        "MEETING_KIND_LABELS": MEETING_KIND_LABELS,
    }
