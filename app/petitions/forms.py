"""Forms of the petitions register: a petition, a status step, an extension, and the list's filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.database import bounded_int
from app.forms_base import Form, VersionedForm, VnDateField
from app.models import Petition, PetitionKind, PetitionStatus
from app.petitions import services
from app.vocabulary import PETITION_KIND_LABELS, PETITION_STATUS_LABELS
from app.web.years import filter_year

KINDS = [k.value for k in PetitionKind]
STATUSES = [s.value for s in PetitionStatus]
EARLIEST = date(2000, 1, 1)


class PetitionForm(VersionedForm):
    """What is recorded about a petition; the identity fields exist only for those who may see them."""

    received_on = VnDateField(
        _l("Ngày tiếp nhận"),
        validators=[InputRequired(_l("Vui lòng nhập ngày tiếp nhận đơn theo dạng ngày/tháng/năm, ví dụ 05/01/2025."))],
    )
    kind = SelectField(
        _l("Loại đơn"),
        choices=[SelectChoice("", _l("— Chọn loại đơn —")), *(SelectChoice(k.value, PETITION_KIND_LABELS[k]) for k in PetitionKind)],
        validate_choice=False,
        validators=[AnyOf(KINDS, message=_l("Vui lòng chọn loại đơn: khiếu nại, tố cáo, kiến nghị hoặc phản ánh."))],
    )
    source = StringField(_l("Nguồn đơn (trực tiếp, qua bưu điện, cơ quan khác chuyển đến…)"),
                         validators=[Length(max=255)])
    petitioner_name = StringField(_l("Họ tên người gửi đơn"), validators=[Length(max=255)])
    petitioner_address = StringField(_l("Địa chỉ người gửi đơn"), validators=[Length(max=500)])
    petitioner_contact = StringField(_l("Số điện thoại, thông tin liên hệ"), validators=[Length(max=255)])
    summary = TextAreaField(
        _l("Nội dung tóm tắt"),
        validators=[DataRequired(_l("Vui lòng nhập nội dung tóm tắt của đơn.")),
                    Length(max=4000, message=_l("Nội dung tóm tắt quá dài (tối đa %(max)d ký tự)."))],
    )
    handler = StringField(_l("Người được giao xử lý"), validators=[Length(max=120)])
    complex_case = BooleanField(_l("Vụ việc phức tạp"))
    very_complex = BooleanField(_l("Vụ việc đặc biệt phức tạp"))
    remote_area = BooleanField(_l("Vùng sâu, vùng xa, đi lại khó khăn"))
    second_resolution = BooleanField(_l("Khiếu nại lần hai"))
    mediated = BooleanField(_l("Đã hòa giải ở cơ sở"))
    above_level = BooleanField(_l("Đơn vượt cấp"))
    mass_complaint = BooleanField(_l("Đơn đông người"))
    resolution = TextAreaField(_l("Kết quả giải quyết"), validators=[Length(max=8000)])

    def __init__(self, *args: Any, today: date, show_identity: bool, petition: Petition | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today, self.petition, self.show_identity = today, petition, show_identity
        if not show_identity:
            for name in services.IDENTITY_FIELDS:
                delattr(self, name)

    def validate_received_on(self, field: VnDateField) -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(_l("Ngày tiếp nhận không được sau ngày hôm nay."))
        if field.data < EARLIEST:
            raise ValidationError(_l("Ngày tiếp nhận phải từ năm 2000 trở đi."))
        problem = services.received_on_problem(self.petition, field.data)
        if problem is not None:
            raise ValidationError(problem)

    def fields(self) -> dict[str, Any]:
        """The petition's new values, for the service."""
        values: dict[str, Any] = {
            "received_on": self.received_on.data,
            "kind": PetitionKind(self.kind.data),
            **{name: self[name].data or "" for name in ("source", "summary", "handler", "resolution")},
            **{name: bool(self[name].data) for name in
               ("complex_case", "very_complex", "remote_area", "second_resolution", "mediated", "above_level",
                "mass_complaint")},
        }
        values["complex_case"] = values["complex_case"] or values["very_complex"]  # particularly complex is complex
        if self.show_identity:
            values.update({name: self[name].data or "" for name in services.IDENTITY_FIELDS})
        return values


class StatusForm(VersionedForm):
    """One step of the petition's flow, with the day it was taken and, if any, its outcome."""

    status = SelectField(
        _l("Chuyển sang"),
        choices=[SelectChoice(s.value, PETITION_STATUS_LABELS[s]) for s in PetitionStatus],
        validate_choice=False,
        validators=[AnyOf(STATUSES, message=_l("Vui lòng chọn trạng thái mới của đơn."))],
    )
    on = VnDateField(_l("Ngày thực hiện"), validators=[Optional()])
    note = TextAreaField(_l("Kết quả, ghi chú (bắt buộc khi đã giải quyết)"), validators=[Length(max=8000)])

    def __init__(self, *args: Any, today: date, steps: tuple[PetitionStatus, ...] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        if steps is not None:
            self.offer(steps)

    def offer(self, steps: tuple[PetitionStatus, ...]) -> None:
        """Offer only the steps the petition can take now."""
        self.status.choices = [SelectChoice(s.value, PETITION_STATUS_LABELS[s]) for s in steps]

    def validate_on(self, field: VnDateField) -> None:
        if field.data is not None and field.data > self.today:
            raise ValidationError(_l("Ngày thực hiện không được sau ngày hôm nay."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the field's own checks when it is empty; whether it may be depends on the step.
        empty = not self.on.raw_data or not (self.on.raw_data[0] or "").strip()
        if empty and self.status.data in services.DATE_OF_STEP:
            self.on.errors = [_l("Vui lòng nhập ngày thực hiện theo dạng ngày/tháng/năm, ví dụ 05/01/2025.")]
            return False
        return valid

    @property
    def target(self) -> PetitionStatus:
        return PetitionStatus(self.status.data)


class ExtensionForm(Form):
    """The decision extending a denunciation's resolution deadline."""

    decided_on = VnDateField(
        _l("Ngày quyết định gia hạn"),
        validators=[InputRequired(_l("Vui lòng nhập ngày quyết định gia hạn theo dạng ngày/tháng/năm."))],
    )
    reason = TextAreaField(
        _l("Lý do gia hạn"),
        validators=[DataRequired(_l("Vui lòng nhập lý do gia hạn.")), Length(max=4000)],
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_decided_on(self, field: VnDateField) -> None:
        if field.data is not None and field.data > self.today:
            raise ValidationError(_l("Ngày quyết định gia hạn không được sau ngày hôm nay."))


class FilterForm(Form):
    """The list's filters, read from the query string; values it does not know are ignored."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Loại đơn"),
        choices=[SelectChoice("", _l("Tất cả")), *(SelectChoice(k.value, PETITION_KIND_LABELS[k]) for k in PetitionKind)],
        validate_choice=False,
    )
    status = SelectField(
        _l("Trạng thái"),
        choices=[SelectChoice("", _l("Tất cả")),
                 *(SelectChoice(s.value, PETITION_STATUS_LABELS[s]) for s in PetitionStatus)],
        validate_choice=False,
    )
    year = SelectField(_l("Năm tiếp nhận"), choices=[], validate_choice=False)
    overdue = BooleanField(_l("Chỉ đơn quá hạn"))
    q = StringField(_l("Tìm kiếm"), validators=[Length(max=200)],
                    render_kw={"placeholder": _l("Nội dung, nguồn đơn, người xử lý…"), "type": "search"})

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self._year()
        offered = sorted(set(years) | ({chosen} if chosen is not None else set()), reverse=True)
        self.year.choices = [SelectChoice("", _l("Tất cả")), *(SelectChoice(str(y), str(y)) for y in offered)]

    def _year(self) -> int | None:
        try:
            year = bounded_int(self.year.data or "")
        except ValueError:
            return None
        return filter_year(year)

    def criteria(self) -> services.Filters:
        return services.Filters(
            kind=PetitionKind(self.kind.data) if self.kind.data in KINDS else None,
            status=PetitionStatus(self.status.data) if self.status.data in STATUSES else None,
            year=self._year(),
            overdue=bool(self.overdue.data),
            q=(self.q.data or "")[:200],
        )
