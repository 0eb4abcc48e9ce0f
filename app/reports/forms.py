"""The forms of periodic reports: create for a period, edit the narrative, return with a comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import InputRequired, Length, Optional

from app.forms_base import Form, VersionedForm, VnDateField
from app.models import ReportKind
from app.reports.services import KIND_LABELS
from app.vocabulary import REPORT_SECTIONS

LONG_TEXT = [Length(max=20000, message=_l("Nội dung quá dài."))]


class NewReportForm(Form):
    kind = SelectField(
        _l("Loại báo cáo"),
        choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in ReportKind],
        validators=[InputRequired(_l("Vui lòng chọn loại báo cáo."))],
    )
    year = SelectField(  # the years the unit has a plan for (set by the view)
        _l("Năm của kế hoạch"),
        coerce=int,
        validators=[InputRequired(_l("Vui lòng chọn năm của kế hoạch."))],
    )
    period = StringField(
        _l("Kỳ báo cáo (chỉ với báo cáo theo yêu cầu, ví dụ 2025-Q3)"),
        validators=[Optional(), Length(max=10, message=_l("Kỳ báo cáo không hợp lệ."))],
    )
    due_on = VnDateField(_l("Hạn gửi (để trống: theo mặc định)"), validators=[Optional()])


class ReportForm(VersionedForm):
    title = StringField(
        _l("Tiêu đề"),
        validators=[InputRequired(_l("Vui lòng nhập tiêu đề báo cáo.")), Length(max=500, message=_l("Tiêu đề quá dài."))],
    )
    number = StringField(
        _l("Số văn bản (ví dụ 07/BC-UBND, có thể để trống)"),
        validators=[Optional(), Length(max=40, message=_l("Số văn bản tối đa 40 ký tự."))],
    )
    due_on = VnDateField(_l("Hạn gửi"), validators=[InputRequired(_l("Vui lòng nhập hạn gửi."))])
    # The report's sections, labelled as its page and its Word file name them.
    results, strengths_shortcomings, direction, proposals = (
        TextAreaField(label, validators=LONG_TEXT) for _, label in REPORT_SECTIONS)


class ReviewForm(Form):
    comment = TextAreaField(_l("Ý kiến của cấp trên"), validators=[Length(max=5000, message=_l("Ý kiến quá dài."))])
