"""Forms of the ward's registers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from app.forms_base import VersionedForm, VnDateField
from app.models import MeetingKind, ModelField, PostChannel
from app.vocabulary import MEETING_KIND_LABELS, MODEL_FIELD_LABELS, POST_CHANNEL_LABELS
from app.web.years import FIRST_YEAR, LAST_YEAR


def _date(label: str) -> VnDateField:
    return VnDateField(label, validators=[DataRequired(_l("Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/01/2025."))])


def _count(label: str) -> IntegerField:
    return IntegerField(
        label,
        default=0,
        filters=[lambda value: 0 if value is None else value],  # left empty: none
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Số phải từ 0 đến 100000."))],
    )


def _text(label: str, max_length: int = 8000) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=max_length, message=_l("Nội dung quá dài."))])


def _required(label: str, message: str, max_length: int = 500) -> StringField:
    return StringField(label, validators=[DataRequired(message), Length(max=max_length, message=_l("Nội dung quá dài."))])


def _choice(label: str, labels: dict, message: str) -> SelectField:
    return SelectField(
        label,
        choices=[SelectChoice(k.value, v) for k, v in labels.items()],
        validate_choice=False,
        validators=[AnyOf([k.value for k in labels], message=message)],
    )


class ReceptionForm(VersionedForm):
    held_on = _date(_l("Ngày tiếp"))
    host = _required(_l("Người chủ trì"), _l("Vui lòng nhập người chủ trì buổi tiếp."), 120)
    citizens = _count(_l("Số lượt công dân"))
    cases = _count(_l("Số vụ việc"))
    cases_raised = _text(_l("Nội dung vụ việc"))
    note = _text(_l("Ghi chú"))


class DialogueForm(VersionedForm):
    held_on = _date(_l("Ngày đối thoại"))
    topic = _required(_l("Chủ đề"), _l("Vui lòng nhập chủ đề đối thoại."))
    participants = _count(_l("Số người tham dự"))
    with_front = BooleanField(_l("Phối hợp với Mặt trận Tổ quốc"))
    issues_raised = _text(_l("Ý kiến, kiến nghị của Nhân dân"))
    answers = _text(_l("Trả lời và cam kết"))


class ModelForm(VersionedForm):
    name = _required(_l("Tên mô hình, điển hình"), _l("Vui lòng nhập tên mô hình."), 255)
    field = _choice(_l("Lĩnh vực"), MODEL_FIELD_LABELS, _l("Vui lòng chọn lĩnh vực."))
    year = IntegerField(
        _l("Năm"),
        validators=[DataRequired(_l("Vui lòng nhập năm.")), NumberRange(min=FIRST_YEAR, max=LAST_YEAR, message=_l("Năm phải từ 2000 đến 2100."))],
    )
    description = _text(_l("Mô tả"))


class PostForm(VersionedForm):
    title = _required(_l("Tiêu đề"), _l("Vui lòng nhập tiêu đề tin, bài."))
    channel = _choice(_l("Hình thức"), POST_CHANNEL_LABELS, _l("Vui lòng chọn hình thức đăng tin."))
    published_on = _date(_l("Ngày đăng"))
    link = StringField(
        _l("Đường dẫn"),
        validators=[
            Optional(),
            Length(max=1000, message=_l("Đường dẫn quá dài.")),
            Regexp(r"^https?://\S+$", message=_l("Đường dẫn phải bắt đầu bằng http:// hoặc https://")),
        ],
    )


class MeetingForm(VersionedForm):
    kind = _choice(_l("Loại"), MEETING_KIND_LABELS, _l("Vui lòng chọn loại hội nghị."))
    held_on = _date(_l("Ngày tổ chức"))
    topic = _required(_l("Nội dung"), _l("Vui lòng nhập nội dung hội nghị."))
    documents = _text(_l("Văn bản được quán triệt"))
    attendees = _count(_l("Số người tham dự"))


__all__ = ["DialogueForm", "MeetingForm", "ModelForm", "PostForm", "ReceptionForm", "MeetingKind", "ModelField", "PostChannel"]
