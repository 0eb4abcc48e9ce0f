"""The progress update form."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, MultipleFileField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from app.forms_base import Form
from app.models import ProgressStatus
from app.progress.schedule import TaskPeriod
from app.progress.services import MAX_NOTE
from app.vocabulary import PROGRESS_LABELS


class ProgressForm(Form):
    percent = IntegerField(
        _l("Tỷ lệ hoàn thành (%)"),
        validators=[
            InputRequired(_l("Vui lòng nhập tỷ lệ hoàn thành, từ 0 đến 100.")),
            NumberRange(min=0, max=100, message=_l("Tỷ lệ hoàn thành phải từ 0 đến 100.")),
        ],
        render_kw={"min": 0, "max": 100, "step": 1},
    )
    status = SelectField(
        _l("Trạng thái"),
        choices=[SelectChoice(s.value, PROGRESS_LABELS[s]) for s in ProgressStatus],
        default=ProgressStatus.IN_PROGRESS.value,
        validate_choice=False,
        validators=[AnyOf([s.value for s in ProgressStatus], message=_l("Vui lòng chọn trạng thái."))],
    )
    period = SelectField(_l("Kỳ báo cáo"), choices=[], validate_choice=False)
    note = TextAreaField(
        _l("Kết quả thực hiện, ghi chú"),
        validators=[Length(max=MAX_NOTE, message=_l("Ghi chú quá dài (tối đa %(max)d ký tự)."))],
    )
    evidence = MultipleFileField(_l("Tệp minh chứng"))

    def offer_periods(self, periods: list[TaskPeriod], selected: date | None) -> None:
        """The month or quarter picker of a recurring task, with `selected` (if given) chosen."""
        self.period.choices = [SelectChoice(p.key, p.label) for p in periods]
        if selected is not None:
            self.period.data = selected.isoformat()
        self._period_keys = {p.key: p.start for p in periods}

    def validate_period(self, field: SelectField) -> None:
        """Optional (the period of the day of the update is used), but it must be one offered."""
        keys = getattr(self, "_period_keys", {})
        if keys and field.data and field.data not in keys:
            raise ValidationError(_l("Vui lòng chọn kỳ báo cáo (tháng hoặc quý) của năm kế hoạch."))

    @property
    def period_start(self) -> date | None:
        return getattr(self, "_period_keys", {}).get(self.period.data)
