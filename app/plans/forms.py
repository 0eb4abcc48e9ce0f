"""Forms for plan contents and the plan's lifecycle."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Regexp,
    ValidationError,
)

from app.forms_base import Form, VersionedForm, VnDateField
from app.models import Plan, Schedule
from app.plans.services import issue_date_error
from app.vocabulary import ROLE_LABELS, SCHEDULE_LABELS, TASK_OWNER_ROLES
from app.web.years import FIRST_YEAR, LAST_YEAR


class TaskForm(VersionedForm):
    text = TextAreaField(
        _l("Nội dung nhiệm vụ"),
        validators=[
            DataRequired(_l("Vui lòng nhập nội dung nhiệm vụ.")),
            Length(max=4000, message=_l("Nội dung quá dài (tối đa %(max)d ký tự).")),
        ],
    )
    owner_role = SelectField(
        _l("Người phụ trách"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in TASK_OWNER_ROLES],
        validate_choice=False,
        validators=[AnyOf([r.value for r in TASK_OWNER_ROLES], message=_l("Vui lòng chọn người phụ trách."))],
    )
    schedule = SelectField(
        _l("Tần suất"),
        choices=[SelectChoice(s.value, SCHEDULE_LABELS[s]) for s in Schedule],
        validate_choice=False,
        validators=[AnyOf([s.value for s in Schedule], message=_l("Vui lòng chọn tần suất."))],
    )


class SectionForm(VersionedForm):
    number = StringField(_l("Số thứ tự mục"), validators=[Length(max=20, message=_l("Số thứ tự mục tối đa %(max)d ký tự."))])
    title = TextAreaField(_l("Tiêu đề"), validators=[Length(max=2000, message=_l("Tiêu đề quá dài."))])
    body = TextAreaField(_l("Nội dung"), validators=[Length(max=8000, message=_l("Nội dung quá dài."))])

    def validate_title(self, field: StringField) -> None:
        if not (field.data or "").strip() and not (self.body.data or "").strip():
            raise ValidationError(_l("Vui lòng nhập tiêu đề hoặc nội dung của mục."))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PlanDocumentForm(VersionedForm):
    """The plan's own words around its sections: title, preamble, legal bases, closing, recipients."""

    title = StringField(
        _l("Trích yếu (tên kế hoạch)"),
        validators=[DataRequired(_l("Vui lòng nhập tên kế hoạch.")), Length(max=500, message=_l("Tên kế hoạch quá dài."))],
    )
    preamble = TextAreaField(_l("Phần mở đầu (căn cứ)"), validators=[Length(max=8000, message=_l("Nội dung quá dài."))])
    legal_bases = TextAreaField(
        _l("Văn bản căn cứ (mỗi dòng một văn bản)"), validators=[Length(max=8000, message=_l("Nội dung quá dài."))]
    )
    closing = TextAreaField(_l("Phần kết"), validators=[Length(max=4000, message=_l("Nội dung quá dài."))])
    recipients = TextAreaField(
        _l("Nơi nhận (mỗi dòng một nơi)"), validators=[Length(max=4000, message=_l("Nội dung quá dài."))]
    )
    signer_title = StringField(
        _l("Chức danh người ký"),
        validators=[DataRequired(_l("Vui lòng nhập chức danh người ký.")), Length(max=120)],
    )

    def fill_from(self, plan: Plan) -> None:
        """Show the plan's lists one item a line."""
        self.legal_bases.data = "\n".join(plan.legal_bases)
        self.recipients.data = "\n".join(plan.recipients)

    @property
    def legal_basis_list(self) -> list[str]:
        return _lines(self.legal_bases.data)

    @property
    def recipient_list(self) -> list[str]:
        return _lines(self.recipients.data)


class DeleteForm(VersionedForm):
    pass


class MoveForm(Form):
    direction = HiddenField(validators=[AnyOf(["up", "down"], message=_l("Hướng di chuyển không hợp lệ."))])

    @property
    def step(self) -> int:
        return -1 if self.direction.data == "up" else 1


class IssueForm(Form):
    number = StringField(
        _l("Số văn bản"),
        validators=[
            DataRequired(_l("Vui lòng nhập số văn bản, ví dụ 15/KH-UBND.")),
            Regexp(r"^\d{1,5}/[A-ZĐ0-9-]{2,30}$", message=_l("Số văn bản có dạng 15/KH-UBND.")),
        ],
    )
    issued_on = VnDateField(
        _l("Ngày ban hành"),
        validators=[DataRequired(_l("Vui lòng nhập ngày ban hành theo dạng ngày/tháng/năm, ví dụ 05/01/2025."))],
    )
    signer_name = StringField(
        _l("Người ký"),
        validators=[DataRequired(_l("Vui lòng nhập họ tên người ký.")), Length(max=120)],
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year  # the plan's

    def validate_issued_on(self, field: VnDateField) -> None:
        if field.data is not None and (wrong := issue_date_error(self.year, field.data)) is not None:
            raise ValidationError(wrong)


class CreatePlansForm(Form):
    year = IntegerField(
        _l("Năm"),
        validators=[
            DataRequired(_l("Vui lòng nhập năm.")),
            NumberRange(min=FIRST_YEAR, max=LAST_YEAR, message=_l("Năm phải từ 2000 đến 2100.")),
        ],
    )


class RolloverForm(Form):
    source = SelectField(
        _l("Lập từ"),
        choices=[
            SelectChoice("plan", _l("Kế hoạch năm nay của đơn vị (giữ các nhiệm vụ đơn vị đã sửa, thêm)")),
            SelectChoice("template", _l("Mẫu kế hoạch mới nhất của cấp trên")),
        ],
        default="plan",
        validate_choice=False,
        validators=[AnyOf(["plan", "template"], message=_l("Vui lòng chọn kế hoạch được lập từ đâu."))],
    )
